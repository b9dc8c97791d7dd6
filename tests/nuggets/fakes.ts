/**
 * Test doubles for the NUGGETS core: a char-level tokenizer and a deterministic "model" whose log-probs depend on
 * the whole context, so a prompt built wrongly (BOS missing, a shifted span) changes the numbers.
 */
import {
  scoreSuffixesByFullPrompts,
  type Engine,
  type ScoreRequest,
  type ScoreResult,
  type SuffixScoreRequest,
} from "../../shared/engines/engine.js";

/** One token per UTF-16 code unit; never merges across a boundary. */
export const charTokenize = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** log p(t | ctx): a hash of the context and the token, in (-10, 0). */
export function fakeLogprob(ctx: readonly number[], t: number): number {
  let h = 2166136261;
  for (const x of ctx) h = Math.imul(h ^ x, 16777619);
  h = Math.imul(h ^ t, 16777619);
  return -((h >>> 0) % 1000) / 100 - 0.01;
}

/** A fake engine over {@link fakeLogprob}, recording every call. */
export class FakeScoringEngine implements Pick<Engine, "score" | "scoreSuffixes" | "contextSize" | "bosToken"> {
  readonly scoreCalls: ScoreRequest[][] = [];
  readonly suffixCalls: SuffixScoreRequest[] = [];

  constructor(
    readonly contextSize = 512,
    readonly bosToken: number | null = 1,
    private readonly logprob: (ctx: readonly number[], t: number) => number = fakeLogprob,
  ) {}

  async score(requests: readonly ScoreRequest[]): Promise<ScoreResult[]> {
    this.scoreCalls.push([...requests]);
    return this.compute(requests);
  }

  async scoreSuffixes(request: SuffixScoreRequest): Promise<ScoreResult[]> {
    this.suffixCalls.push(request);
    return scoreSuffixesByFullPrompts({ score: async (rs) => this.compute(rs) }, request);
  }

  private compute(requests: readonly ScoreRequest[]): ScoreResult[] {
    return requests.map((r) => {
      if (r.from < 1 || r.from >= r.tokens.length) throw new Error(`bad from ${r.from}`);
      if (r.tokens.length > this.contextSize) throw new Error("prompt exceeds context");
      const logprobs: number[] = [];
      for (let i = r.from; i < r.tokens.length; i++) logprobs.push(this.logprob(r.tokens.slice(0, i), r.tokens[i]!));
      return { logprobs };
    });
  }
}
