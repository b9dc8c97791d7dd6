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
   * `scoreSuffixes` is called once with every anchor not already `known`. An engine without a usable prefix cache
   * should answer it with `scoreSuffixesByFullPrompts`.
   */
  readonly engine: Pick<Engine, "scoreSuffixes" | "contextSize" | "bosToken">;
  readonly preset: NuggetsPreset;
  /**
   * One-shot sums already known for this candidate (from the one-shot cache): `known[j]` for anchor j, null where
   * unknown. Known anchors are not sent to the engine.
   */
  readonly known?: readonly (number | null)[] | null;
}

/** A candidate's record and the anchors the engine was actually asked about (the rest were known or empty). */
export interface CandidateScoring<R> {
  readonly record: R;
  /** Every one-shot sum now known (null where none was needed), to keep in the one-shot cache. */
  readonly oneShot: readonly (number | null)[];
  /** Anchors sent to the engine for this candidate (pair scorings paid for). */
  readonly enginePairs: number;
  /** Anchors whose sum came from `known`. */
  readonly reusedPairs: number;
}

/**
 * One-shot sums of the anchors `which` (indices into `anchors`) for one candidate, in one `scoreSuffixes` call
 * (none when every one has an empty span). Returns sums in the order of `which`; an empty span sums to 0.
 */
export async function oneShotSums(
  candidateTokens: readonly number[],
  anchors: readonly PreparedAnchor[],
  which: readonly number[],
  engine: Pick<Engine, "scoreSuffixes" | "bosToken">,
  preset: NuggetsPreset,
): Promise<number[]> {
  const subset = which.map((j) => anchors[j]!);
  const { request, anchorIndices } = planOneShot(candidateTokens, subset, preset, engine.bosToken);
  const sums = which.map(() => 0);
  if (anchorIndices.length === 0) return sums;
  const results = await engine.scoreSuffixes(request);
  checkCount(results.length, anchorIndices.length, "anchors");
  anchorIndices.forEach((k, i) => {
    sums[k] = sumSpan(results[i], subset[k]!, which[k]!);
  });
  return sums;
}

/** Anchors that need the engine: not known and with a span to score. */
export function enginePairsOf(anchors: readonly PreparedAnchor[], which: readonly number[], known: readonly (number | null)[] | null | undefined): number[] {
  return which.filter((j) => (known?.[j] ?? null) === null && anchors[j]!.spanEnd > anchors[j]!.spanStart);
}

function checkInput(input: Pick<ScoreCandidateInput, "anchors" | "zeroShot" | "known">): void {
  const { anchors, zeroShot, known } = input;
  if (anchors.length === 0) throw new ValidationError("the anchor set is empty");
  if (zeroShot.length !== anchors.length) {
    throw new ValidationError("zero-shot scores do not match the anchor set", {
      anchors: anchors.length,
      zeroShot: zeroShot.length,
    });
  }
  if (known && known.length !== anchors.length) {
    throw new ValidationError("known one-shot scores do not match the anchor set", { anchors: anchors.length, known: known.length });
  }
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
  return (await scoreCandidateCounted(input)).record;
}

/** {@link scoreCandidate}, also saying which sums are known now and how many pairs the engine scored. */
export async function scoreCandidateCounted(input: ScoreCandidateInput): Promise<CandidateScoring<NuggetsCandidateScore>> {
  const { index, candidateTokens, anchors, zeroShot, engine, preset, known } = input;
  checkInput(input);
  const common = {
    version: 1 as const,
    preset: preset.name,
    maxAnchorTokens: preset.maxAnchorTokens,
    index,
    anchors: anchors.length,
  };
  const reason = oneShotOverflow(candidateTokens, anchors, preset, engine.bosToken, engine.contextSize);
  if (reason !== null) return { record: { ...common, status: "skipped", reason }, oneShot: anchors.map(() => null), enginePairs: 0, reusedPairs: 0 };

  const all = anchors.map((_, j) => j);
  const missing = enginePairsOf(anchors, all, known);
  const fresh = missing.length > 0 ? await oneShotSums(candidateTokens, anchors, missing, engine, preset) : [];
  const oneShot: number[] = anchors.map((a, j) => known?.[j] ?? (a.spanEnd > a.spanStart ? NaN : 0));
  missing.forEach((j, i) => (oneShot[j] = fresh[i]!));
  const gs = goldenScore(zeroShot, oneShot);
  const uncertainty = nearTieRange(zeroShot, oneShot);
  const reused = anchors.length - missing.length - anchors.filter((a, j) => a.spanEnd <= a.spanStart && (known?.[j] ?? null) === null).length;
  return {
    record: { ...common, status: "scored", goldenScore: gs.goldenScore, wins: gs.wins, ...uncertainty, oneShot },
    oneShot,
    enginePairs: missing.length,
    reusedPairs: reused,
  };
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
