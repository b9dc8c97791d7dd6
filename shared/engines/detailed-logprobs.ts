import type { Engine, GenerateRequest, GenerateResult, ScoreRequest } from "./engine.js";

/**
 * What vLLM's wire format reports per token beyond its log-prob: its rank in the full distribution and the most
 * likely alternatives. The plain {@link Engine} interface cannot give these, so an engine that can (the embedded one)
 * implements {@link DetailedLogprobsEngine}; the HTTP face uses it when present and falls back to plain log-probs.
 */
export interface TokenLogprobDetail {
  readonly token: number;
  /** log p of `token`, from a float64 log-softmax over the full logits. */
  readonly logprob: number;
  /** 1 = most likely; ties count against the token (vLLM counts every token whose log-prob is >= this one's). */
  readonly rank: number;
  /** The `k` most likely tokens, most likely first (all of them when k = -1). */
  readonly top: readonly { readonly token: number; readonly logprob: number }[];
}

export interface DetailedScoreResult {
  /** One entry per scored position, from `from` on (the same positions as `ScoreResult.logprobs`). */
  readonly positions: TokenLogprobDetail[];
}

export interface DetailedGenerateResult extends GenerateResult {
  /** One entry per generated token. */
  readonly steps: TokenLogprobDetail[];
  /** The stop string that ended generation, or null (EOS, length). vLLM's `stop_reason`. */
  readonly stopReason: string | null;
}

/** Options for the detailed calls: how many top alternatives to report per position (-1 = the whole vocabulary). */
export interface DetailOptions {
  readonly topK: number;
}

/** An engine that can report ranks and top alternatives. */
export interface DetailedLogprobsEngine extends Engine {
  scoreDetailed(requests: readonly ScoreRequest[], options: DetailOptions): Promise<DetailedScoreResult[]>;
  generateDetailed(requests: readonly GenerateRequest[], options: DetailOptions): Promise<DetailedGenerateResult[]>;
}

/** Whether `engine` implements the detailed calls. */
export function hasDetailedLogprobs(engine: Engine): engine is DetailedLogprobsEngine {
  const e = engine as Partial<DetailedLogprobsEngine>;
  return typeof e.scoreDetailed === "function" && typeof e.generateDetailed === "function";
}
