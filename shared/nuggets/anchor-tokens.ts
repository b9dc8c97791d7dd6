/**
 * Tokenising anchors and candidates the way the authors do (REFERENCE.md §1; their loader's `tokenize(query, full)`).
 *
 * The answer span is position arithmetic, not a search: `spanStart = len(tok(query))`, `spanEnd = len(tok(full))`,
 * both tokenised on their own without special tokens, and the scored tokens are `tok(full)[spanStart:spanEnd]`.
 * Where a tokenizer merges the query's last token with the output's first (BPE across `Response:\n` + output), the
 * merged token sits at `spanStart - 1` of `tok(full)` and is not scored, and the span may reach one token past the
 * answer's own tokens' start or end — that is what the authors' code does, and both conditions score the same
 * positions, so the comparison stays fair. SentencePiece llama tokenizers emit `\n` as its own byte token, so the
 * boundary does not merge there.
 */
import { ValidationError } from "../errors.js";
import type { NuggetsExample, NuggetsPreset } from "../../schemas/nuggets.js";
import { renderExample } from "./template.js";

/**
 * Text to token ids WITHOUT special tokens (no BOS, no EOS) — e.g. `(t) => engine.tokenize(t)`. Presets add BOS
 * themselves.
 */
export type Tokenize = (text: string) => readonly number[] | Promise<readonly number[]>;

/** An anchor ready to score: `tokens[spanStart:spanEnd]` are its scored answer tokens. */
export interface PreparedAnchor {
  /** tok(query + output), cut to the preset's / context's limit. */
  readonly tokens: readonly number[];
  /** First scored position; clamped to `tokens.length` when the cut removed the whole answer. */
  readonly spanStart: number;
  /** One past the last scored position; always `tokens.length`. `spanEnd === spanStart` is an empty span: sum 0. */
  readonly spanEnd: number;
  /** len(tok(query)) before any cut. */
  readonly queryTokens: number;
  /** len(tok(full)) before any cut; `fullTokens > tokens.length` means answer tokens were dropped. */
  readonly fullTokens: number;
}

/**
 * The most anchor tokens a preset allows on an engine: the preset's cap (`reference`: 200), and never more than fits
 * the engine's context beside the zero-shot BOS. The BOS place is reserved whenever the preset puts one there, even
 * on an engine without BOS (one token of headroom, only relevant to anchors as long as the context).
 */
export function anchorTokenLimit(preset: NuggetsPreset, contextSize: number): number {
  const room = contextSize - (preset.zeroShotBos ? 1 : 0);
  if (!Number.isInteger(contextSize) || room < 1) {
    throw new ValidationError("engine context is too small to hold an anchor", { contextSize });
  }
  return preset.maxAnchorTokens === null ? room : Math.min(preset.maxAnchorTokens, room);
}

/**
 * Tokenise one anchor and locate its answer span. Tokens past the limit are dropped, answer tokens with them; an
 * anchor whose query alone fills the limit keeps an empty span (it then scores 0 = 0 in both conditions: a tie, so a
 * loss for every candidate — as in the authors' code).
 *
 * @example
 * // char-level tokenizer, reference preset (cap 200): a 198-char query + "abcd" keeps only "ab" as the span
 * const a = await prepareAnchor(ex, (t) => [...t].map((c) => c.charCodeAt(0)), NUGGETS_PRESETS.reference, 512);
 * // a.tokens.length === 200, a.spanStart === 198, a.spanEnd === 200, a.fullTokens === 202
 */
export async function prepareAnchor(
  example: NuggetsExample,
  tokenize: Tokenize,
  preset: NuggetsPreset,
  contextSize: number,
): Promise<PreparedAnchor> {
  const { query, full } = renderExample(example);
  const [queryIds, fullIds] = await Promise.all([tokenize(query), tokenize(full)]);
  const limit = anchorTokenLimit(preset, contextSize);
  const tokens = fullIds.length > limit ? fullIds.slice(0, limit) : [...fullIds];
  return {
    tokens,
    spanStart: Math.min(queryIds.length, tokens.length),
    spanEnd: tokens.length,
    queryTokens: queryIds.length,
    fullTokens: fullIds.length,
  };
}

/**
 * Tokenise a candidate: its full templated text (output included), no special tokens, never cut. The one-shot
 * prompt is `BOS + these tokens + the anchor's tokens` — the authors tokenise the demonstration on its own
 * (`tok(demonstration)`, which adds BOS for llama) and the anchor on its own, and feed the anchor after the
 * demonstration's KV cache, so no token is merged across the boundary and there is no separator.
 */
export async function prepareCandidate(example: NuggetsExample, tokenize: Tokenize): Promise<number[]> {
  return [...(await tokenize(renderExample(example).full))];
}
