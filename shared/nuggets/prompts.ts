/**
 * Building the scoring requests for each condition, per preset. Pure: token ids in, `Engine.score` /
 * `Engine.scoreSuffixes` requests out. Anchors with an empty span are left out of every request (their sum is 0
 * in both conditions) because an engine cannot be asked to score no tokens.
 *
 * Zero-shot prompt: `[BOS if preset.zeroShotBos] + anchor.tokens`.
 * One-shot prompt:  `[BOS if preset.oneShotBos] + candidate tokens + anchor.tokens` (no separator).
 * The scored range is the anchor's span shifted by whatever precedes the anchor.
 */
import type { ScoreRequest, ScoreResult, SuffixScoreRequest } from "../engines/engine.js";
import { EngineError, ValidationError } from "../errors.js";
import type { NuggetsPreset } from "../../schemas/nuggets.js";
import type { PreparedAnchor } from "./anchor-tokens.js";

/** `[bosToken]` where the preset wants BOS and the model has one, else `[]`. */
export function bosPrefix(wanted: boolean, bosToken: number | null): number[] {
  return wanted && bosToken !== null ? [bosToken] : [];
}

/** True when the anchor has at least one answer token to score. */
export function hasSpan(anchor: PreparedAnchor): boolean {
  return anchor.spanEnd > anchor.spanStart;
}

function checkFrom(from: number, anchorIndex: number): void {
  // Only reachable when a tokenizer turns the template's query into no tokens and no BOS precedes it.
  if (from < 1) {
    throw new ValidationError(`anchor ${anchorIndex} has no token before its answer to predict it from`, {
      anchor: anchorIndex,
    });
  }
}

/** The zero-shot prompt of one anchor as a full `Engine.score` request. */
export function zeroShotPrompt(anchor: PreparedAnchor, preset: NuggetsPreset, bosToken: number | null): ScoreRequest {
  const prefix = bosPrefix(preset.zeroShotBos, bosToken);
  return { tokens: [...prefix, ...anchor.tokens], from: prefix.length + anchor.spanStart };
}

/** The one-shot prompt of one (candidate, anchor) pair as a full `Engine.score` request. */
export function oneShotPrompt(
  candidateTokens: readonly number[],
  anchor: PreparedAnchor,
  preset: NuggetsPreset,
  bosToken: number | null,
): ScoreRequest {
  const prefix = [...bosPrefix(preset.oneShotBos, bosToken), ...candidateTokens];
  return { tokens: [...prefix, ...anchor.tokens], from: prefix.length + anchor.spanStart };
}

/** Zero-shot requests for every anchor with a span; `anchorIndices[i]` is the anchor `requests[i]` scores. */
export function planZeroShot(
  anchors: readonly PreparedAnchor[],
  preset: NuggetsPreset,
  bosToken: number | null,
): { requests: ScoreRequest[]; anchorIndices: number[] } {
  const requests: ScoreRequest[] = [];
  const anchorIndices: number[] = [];
  anchors.forEach((anchor, j) => {
    if (!hasSpan(anchor)) return;
    const request = zeroShotPrompt(anchor, preset, bosToken);
    checkFrom(request.from, j);
    requests.push(request);
    anchorIndices.push(j);
  });
  return { requests, anchorIndices };
}

/**
 * One candidate against all anchors as a single shared-prefix request: prefix = BOS? + candidate, one suffix per
 * anchor with a span. `anchorIndices[i]` is the anchor `request.suffixes[i]` scores.
 */
export function planOneShot(
  candidateTokens: readonly number[],
  anchors: readonly PreparedAnchor[],
  preset: NuggetsPreset,
  bosToken: number | null,
): { request: SuffixScoreRequest; anchorIndices: number[] } {
  const prefix = [...bosPrefix(preset.oneShotBos, bosToken), ...candidateTokens];
  const suffixes: { tokens: readonly number[]; from: number }[] = [];
  const anchorIndices: number[] = [];
  anchors.forEach((anchor, j) => {
    if (!hasSpan(anchor)) return;
    checkFrom(prefix.length + anchor.spanStart, j);
    suffixes.push({ tokens: anchor.tokens, from: anchor.spanStart });
    anchorIndices.push(j);
  });
  return { request: { prefix, suffixes }, anchorIndices };
}

/**
 * Why a candidate cannot be scored on this engine, or null if every one-shot prompt fits. The whole candidate is
 * skipped if any one prompt overflows: scoring it on a subset of anchors would give a golden score over a different
 * anchor set than every other candidate's, and cutting the prompt would score a different demonstration.
 */
export function oneShotOverflow(
  candidateTokens: readonly number[],
  anchors: readonly PreparedAnchor[],
  preset: NuggetsPreset,
  bosToken: number | null,
  contextSize: number,
): string | null {
  const prefixLength = bosPrefix(preset.oneShotBos, bosToken).length + candidateTokens.length;
  let longest = -1;
  let longestAnchor = -1;
  anchors.forEach((anchor, j) => {
    if (anchor.tokens.length > longest) {
      longest = anchor.tokens.length;
      longestAnchor = j;
    }
  });
  const total = prefixLength + longest;
  if (longestAnchor < 0 || total <= contextSize) return null;
  return (
    `one-shot prompt of ${total} tokens (${prefixLength} for BOS + candidate, ${longest} for anchor ${longestAnchor}) ` +
    `exceeds the engine's context of ${contextSize} tokens`
  );
}

/**
 * Sum of the answer-span log-probs from one score result whose `from` was the span's start. Fails if the engine
 * returned a different number of log-probs than the request asked for, rather than summing a wrong range.
 */
export function sumSpan(result: ScoreResult | undefined, anchor: PreparedAnchor, anchorIndex: number): number {
  const expected = anchor.spanEnd - anchor.spanStart;
  const got = result?.logprobs.length ?? -1;
  // The span always runs to the end of the anchor's tokens, so the engine returns exactly the span.
  if (got !== expected) {
    throw new EngineError(`engine returned ${got} log-probs for anchor ${anchorIndex}, expected ${expected}`, {
      retryable: false,
    });
  }
  let sum = 0;
  for (const lp of result!.logprobs) {
    // NaN would compare false against anything and silently turn into a loss.
    if (Number.isNaN(lp)) {
      throw new EngineError(`engine returned NaN log-prob for anchor ${anchorIndex}`, { retryable: false });
    }
    sum += lp;
  }
  return sum;
}
