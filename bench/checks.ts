/**
 * Before timing, the bench makes sure both sides of each comparison do the same work: the server tokenises alike,
 * scores to the same log-probs and generates the same greedy tokens. A throughput ratio between two variants that
 * compute different things would mean nothing.
 */
import type { Engine } from "../shared/engines/engine.js";
import { LOGPROB_SUM_TOLERANCE, withinTolerance, type LogprobSumTolerance } from "../shared/numerics/logprob-tolerance.js";
import type { BenchWorkload } from "./workload.js";

export interface BenchChecks {
  readonly tokenizeMatch: boolean;
  /** Largest |direct − HTTP| log-prob over the first score prompt. */
  readonly maxAbsLogprobDiff: number;
  /** Largest |scoreSuffixes − score(full)| log-prob over the first shared-prefix group. */
  readonly maxAbsSharedPrefixDiff: number;
  readonly generateMatch: boolean;
  /** What each log-prob pair was compared with (a single log-prob is a sum of one term). */
  readonly tolerance: LogprobSumTolerance;
  /** Tokens and greedy generations equal, and every log-prob within the tolerance of its counterpart. */
  readonly sameWork: boolean;
}

export async function runChecks(direct: Engine, http: Engine, workload: BenchWorkload): Promise<BenchChecks> {
  const text = "Once upon a time, there was a little girl named Lily.";
  const [a, b] = await Promise.all([direct.tokenize(text, { bos: true }), http.tokenize(text, { bos: true })]);
  const tokenizeMatch = JSON.stringify(a) === JSON.stringify(b);

  const first = workload.score[0]!;
  const [d] = await direct.score([first]);
  const [h] = await http.score([first]);
  const maxAbsLogprobDiff = maxAbsDiff(d!.logprobs, h!.logprobs);
  const logprobsAgree = allWithinTolerance(d!.logprobs, h!.logprobs);

  const group = workload.sharedPrefix[0]!;
  const viaSuffixes = await direct.scoreSuffixes(group);
  const viaFull = await direct.score(
    group.suffixes.map((s) => ({ tokens: [...group.prefix, ...s.tokens], from: group.prefix.length + s.from })),
  );
  const maxAbsSharedPrefixDiff = Math.max(...viaSuffixes.map((r, i) => maxAbsDiff(r.logprobs, viaFull[i]!.logprobs)));
  const sharedPrefixAgrees = viaSuffixes.every((r, i) => allWithinTolerance(r.logprobs, viaFull[i]!.logprobs));

  const gen = workload.generate[0]!;
  const [gd] = await direct.generate([gen]);
  const [gh] = await http.generate([gen]);
  const generateMatch = JSON.stringify(gd!.tokens) === JSON.stringify(gh!.tokens);

  return {
    tokenizeMatch,
    maxAbsLogprobDiff,
    maxAbsSharedPrefixDiff,
    generateMatch,
    tolerance: LOGPROB_SUM_TOLERANCE,
    sameWork: tokenizeMatch && generateMatch && logprobsAgree && sharedPrefixAgrees,
  };
}

/**
 * Same length and every log-prob within {@link LOGPROB_SUM_TOLERANCE} of its counterpart. JSON transport changes
 * nothing measurable; llama.cpp's batch split moves a single log-prob by up to 0.01 nats (AVX2 kernels, prefix from
 * the KV cache vs one prompt) and across CPUs by up to 0.1 (the figures are in shared/numerics/logprob-tolerance.ts).
 */
export function allWithinTolerance(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => withinTolerance(x, b[i]!));
}

/** Largest element-wise difference; Infinity when the lengths differ. */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
}
