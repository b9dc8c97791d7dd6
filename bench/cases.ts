/**
 * What the engine bench times: each case runs the same work on two variants, and a comparison is the per-round
 * ratio of their throughputs. Units are tokens, so every figure reads as tokens per second.
 */
import type { Engine } from "../shared/engines/engine.js";
import type { Variant } from "./round-robin.js";
import { fullPrompts, type BenchWorkload } from "./workload.js";

/** A ratio reported by the bench: `numerator` throughput ÷ `denominator` throughput, per round. */
export interface Comparison {
  readonly id: string;
  readonly numerator: string;
  readonly denominator: string;
  readonly meaning: string;
}

/** A variant plus what its units are. */
export interface BenchVariant extends Variant {
  readonly unit: "prompt tokens/s" | "generated tokens/s";
  readonly description: string;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The variants: scoring one prompt per request, scoring them as one batched request, and greedy generation, each
 * direct and over HTTP; and shared-prefix scoring against the same prompts scored in full, direct only.
 */
export function benchVariants(direct: Engine, http: Engine, workload: BenchWorkload): BenchVariant[] {
  const scoreTokens = sum(workload.score.map((r) => r.tokens.length));
  const grouped = fullPrompts(workload.sharedPrefix, "grouped");
  const interleaved = fullPrompts(workload.sharedPrefix, "interleaved");
  const prefixTokens = sum(grouped.map((r) => r.tokens.length));

  const scoreEach = (engine: Engine) => async () => {
    for (const r of workload.score) await engine.score([r]);
    return scoreTokens;
  };
  // What the HTTP face has to compute: vLLM's prompt_logprobs cover every position, the wire has no start index.
  const allPositions = workload.score.map((r) => ({ tokens: r.tokens, from: 1 }));
  const scoreEachAllPositions = async () => {
    for (const r of allPositions) await direct.score([r]);
    return scoreTokens;
  };
  const scoreBatch = (engine: Engine) => async () => {
    await engine.score(workload.score);
    return scoreTokens;
  };
  const generate = (engine: Engine) => async () => {
    let tokens = 0;
    for (const r of workload.generate) tokens += (await engine.generate([r]))[0]!.tokens.length;
    return tokens;
  };
  const withSuffixes = async () => {
    for (const g of workload.sharedPrefix) await direct.scoreSuffixes(g);
    return prefixTokens;
  };
  const scoreFull = (prompts: typeof grouped) => async () => {
    await direct.score(prompts);
    return prefixTokens;
  };

  const p = "prompt tokens/s" as const;
  const g = "generated tokens/s" as const;
  return [
    { id: "score/direct", unit: p, description: "one score() call per prompt, in process", run: scoreEach(direct) },
    {
      id: "score/direct-all-positions",
      unit: p,
      description: "as score/direct but log-probs of every position, the work the HTTP face does",
      run: scoreEachAllPositions,
    },
    { id: "score/http", unit: p, description: "one /v1/completions request per prompt (prompt_logprobs: every position)", run: scoreEach(http) },
    { id: "score-batch/direct", unit: p, description: "all prompts in one score() call", run: scoreBatch(direct) },
    { id: "score-batch/http", unit: p, description: "all prompts in one /v1/completions request", run: scoreBatch(http) },
    { id: "generate/direct", unit: g, description: "greedy, one generate() call per prompt", run: generate(direct) },
    { id: "generate/http", unit: g, description: "greedy, one request per prompt", run: generate(http) },
    {
      id: "shared-prefix/suffixes",
      unit: p,
      description: "scoreSuffixes(): each candidate prefix evaluated once",
      run: withSuffixes,
    },
    {
      id: "shared-prefix/full-interleaved",
      unit: p,
      description: "the same prompts in full, anchor by anchor (every prefix recomputed)",
      run: scoreFull(interleaved),
    },
    {
      id: "shared-prefix/full-grouped",
      unit: p,
      description: "the same prompts in full, candidate by candidate (score() reuses the KV cache it holds)",
      run: scoreFull(grouped),
    },
  ];
}

/** The ratios the bench reports. */
export const COMPARISONS: readonly Comparison[] = [
  { id: "score http/direct", numerator: "score/http", denominator: "score/direct", meaning: "HTTP face throughput ÷ direct" },
  {
    id: "score http/direct-all-positions",
    numerator: "score/http",
    denominator: "score/direct-all-positions",
    meaning: "HTTP face throughput ÷ direct doing the same work (every position scored): the transport's cost",
  },
  {
    id: "score-batch http/direct",
    numerator: "score-batch/http",
    denominator: "score-batch/direct",
    meaning: "HTTP face throughput ÷ direct",
  },
  {
    id: "generate http/direct",
    numerator: "generate/http",
    denominator: "generate/direct",
    meaning: "HTTP face throughput ÷ direct",
  },
  {
    id: "shared-prefix speed-up",
    numerator: "shared-prefix/suffixes",
    denominator: "shared-prefix/full-interleaved",
    meaning: "scoreSuffixes ÷ full prompts with every prefix recomputed",
  },
  {
    id: "shared-prefix vs grouped",
    numerator: "shared-prefix/suffixes",
    denominator: "shared-prefix/full-grouped",
    meaning: "scoreSuffixes ÷ full prompts in candidate order (implicit KV reuse)",
  },
];
