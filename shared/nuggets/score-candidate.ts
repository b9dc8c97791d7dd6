/**
 * Scoring with an engine: zero-shot sums once per anchor set, then each candidate's one-shot sums in one
 * shared-prefix call, and the golden score. The engine is passed in; only the methods used are asked for.
 */
import type { Engine } from "../engines/engine.js";
import { EngineError, ValidationError } from "../errors.js";
import type { NuggetsCandidateScore, NuggetsPreset } from "../../schemas/nuggets.js";
import type { PreparedAnchor } from "./anchor-tokens.js";
import { goldenScore, nearTieRange } from "./golden-score.js";
import { oneShotOverflow, oneShotPrompt, planOneShot, planZeroShot, sumSpan, zeroShotPrompt } from "./prompts.js";

function checkCount(got: number, expected: number, what: string): void {
  if (got !== expected) {
    throw new EngineError(`engine returned ${got} results for ${expected} ${what}`, { retryable: false });
  }
}

/**
 * Zero-shot sums for an anchor set (`result[j]` for anchor j; 0 for an empty span), in one `engine.score` call.
 * Compute once per (model, anchor set, preset) and reuse for every candidate.
 */
export async function zeroShotScores(
  anchors: readonly PreparedAnchor[],
  engine: Pick<Engine, "score" | "bosToken" | "contextSize">,
  preset: NuggetsPreset,
): Promise<number[]> {
  const { requests, anchorIndices } = planZeroShot(anchors, preset, engine.bosToken);
  for (const [i, r] of requests.entries()) {
    if (r.tokens.length > engine.contextSize) {
      throw new ValidationError(
        `anchor ${anchorIndices[i]} was prepared for a larger context than the engine's ${engine.contextSize} tokens`,
        { anchor: anchorIndices[i], tokens: r.tokens.length, contextSize: engine.contextSize },
      );
    }
  }
  const sums: number[] = anchors.map(() => 0);
  if (requests.length === 0) return sums;
  const results = await engine.score(requests);
  checkCount(results.length, requests.length, "zero-shot prompts");
  anchorIndices.forEach((j, i) => {
    sums[j] = sumSpan(results[i], anchors[j]!, j);
  });
  return sums;
}

/** What {@link scoreCandidate} needs. */
export interface ScoreCandidateInput {
  /** Position of the candidate in its dataset (recorded). */
  readonly index: number;
  /** From `prepareCandidate`: the candidate's full text, no special tokens. */
  readonly candidateTokens: readonly number[];
  readonly anchors: readonly PreparedAnchor[];
  /** From {@link zeroShotScores} for the same anchors, engine and preset. */
  readonly zeroShot: readonly number[];
  /**
   * `scoreSuffixes` is called once with every anchor. An engine without a usable prefix cache should answer it with
   * `scoreSuffixesByFullPrompts`.
   */
  readonly engine: Pick<Engine, "scoreSuffixes" | "contextSize" | "bosToken">;
  readonly preset: NuggetsPreset;
}

/**
 * Golden score of one candidate: one-shot sum per anchor (candidate in front of the anchor), compared strictly with
 * the zero-shot sums. A candidate whose one-shot prompt would overflow the engine's context for any anchor is
 * returned `skipped` with the reason and the engine is not called.
 *
 * @example
 * const zs = await zeroShotScores(anchors, engine, preset);
 * const record = await scoreCandidate({ index: 7, candidateTokens, anchors, zeroShot: zs, engine, preset });
 */
export async function scoreCandidate(input: ScoreCandidateInput): Promise<NuggetsCandidateScore> {
  const { index, candidateTokens, anchors, zeroShot, engine, preset } = input;
  if (anchors.length === 0) throw new ValidationError("the anchor set is empty");
  if (zeroShot.length !== anchors.length) {
    throw new ValidationError("zero-shot scores do not match the anchor set", {
      anchors: anchors.length,
      zeroShot: zeroShot.length,
    });
  }
  const common = {
    version: 1 as const,
    preset: preset.name,
    maxAnchorTokens: preset.maxAnchorTokens,
    index,
    anchors: anchors.length,
  };
  const reason = oneShotOverflow(candidateTokens, anchors, preset, engine.bosToken, engine.contextSize);
  if (reason !== null) return { ...common, status: "skipped", reason };

  const { request, anchorIndices } = planOneShot(candidateTokens, anchors, preset, engine.bosToken);
  const oneShot: number[] = anchors.map(() => 0);
  if (anchorIndices.length > 0) {
    const results = await engine.scoreSuffixes(request);
    checkCount(results.length, anchorIndices.length, "anchors");
    anchorIndices.forEach((j, i) => {
      oneShot[j] = sumSpan(results[i], anchors[j]!, j);
    });
  }
  const gs = goldenScore(zeroShot, oneShot);
  const uncertainty = nearTieRange(zeroShot, oneShot);
  return { ...common, status: "scored", goldenScore: gs.goldenScore, wins: gs.wins, ...uncertainty, oneShot };
}

/**
 * The slow reference: one pair, one full prompt, through `engine.score`. `candidateTokens` null scores the
 * zero-shot condition. For tests that check the batched paths against it; 0 for an empty span.
 */
export async function scorePairDirect(
  candidateTokens: readonly number[] | null,
  anchor: PreparedAnchor,
  engine: Pick<Engine, "score" | "bosToken">,
  preset: NuggetsPreset,
): Promise<number> {
  if (anchor.spanEnd <= anchor.spanStart) return 0;
  const request =
    candidateTokens === null
      ? zeroShotPrompt(anchor, preset, engine.bosToken)
      : oneShotPrompt(candidateTokens, anchor, preset, engine.bosToken);
  const results = await engine.score([request]);
  checkCount(results.length, 1, "prompt");
  return sumSpan(results[0], anchor, 0);
}
