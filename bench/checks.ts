/**
 * Before timing, the bench makes sure both sides of each comparison do the same work: the server tokenises alike,
 * scores to the same log-probs and generates the same greedy tokens. A throughput ratio between two variants that
 * compute different things would mean nothing.
 */
import type { Engine } from "../shared/engines/engine.js";
import type { BenchWorkload } from "./workload.js";

export interface BenchChecks {
  readonly tokenizeMatch: boolean;
  /** Largest |direct − HTTP| log-prob over the first score prompt. */
  readonly maxAbsLogprobDiff: number;
  /** Largest |scoreSuffixes − score(full)| log-prob over the first shared-prefix group. */
  readonly maxAbsSharedPrefixDiff: number;
  readonly generateMatch: boolean;
  /** All of the above within tolerance. */
  readonly sameWork: boolean;
}

/** Log-probs travel as JSON floats and llama.cpp batches differently by position; a few 1e-4 nats is the same answer. */
const TOLERANCE = 1e-3;

export async function runChecks(direct: Engine, http: Engine, workload: BenchWorkload): Promise<BenchChecks> {
  const text = "Once upon a time, there was a little girl named Lily.";
  const [a, b] = await Promise.all([direct.tokenize(text, { bos: true }), http.tokenize(text, { bos: true })]);
  const tokenizeMatch = JSON.stringify(a) === JSON.stringify(b);

  const first = workload.score[0]!;
  const [d] = await direct.score([first]);
  const [h] = await http.score([first]);
  const maxAbsLogprobDiff = maxAbsDiff(d!.logprobs, h!.logprobs);

  const group = workload.sharedPrefix[0]!;
  const viaSuffixes = await direct.scoreSuffixes(group);
  const viaFull = await direct.score(
    group.suffixes.map((s) => ({ tokens: [...group.prefix, ...s.tokens], from: group.prefix.length + s.from })),
  );
  const maxAbsSharedPrefixDiff = Math.max(...viaSuffixes.map((r, i) => maxAbsDiff(r.logprobs, viaFull[i]!.logprobs)));

  const gen = workload.generate[0]!;
  const [gd] = await direct.generate([gen]);
  const [gh] = await http.generate([gen]);
  const generateMatch = JSON.stringify(gd!.tokens) === JSON.stringify(gh!.tokens);

  return {
    tokenizeMatch,
    maxAbsLogprobDiff,
    maxAbsSharedPrefixDiff,
    generateMatch,
    sameWork: tokenizeMatch && generateMatch && maxAbsLogprobDiff <= TOLERANCE && maxAbsSharedPrefixDiff <= TOLERANCE,
  };
}

/** Largest element-wise difference; Infinity when the lengths differ. */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
}
