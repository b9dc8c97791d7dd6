/**
 * The NUGGETS bench's workload: N candidates × M anchors chosen, in file order, so that every pair fits the engine's
 * context — then no candidate is skipped and all three variants score exactly N·M pairs. Pure given a tokenizer.
 */
import type { NuggetsExample } from "../schemas/nuggets.js";
import { renderExample } from "../shared/nuggets/template.js";

/** How the workload is chosen. */
export interface NuggetsWorkloadSize {
  readonly candidates: number;
  readonly anchors: number;
  /**
   * Longest anchor (query + answer, tokens) accepted. Long K-Means anchors would leave no room for a candidate in a
   * 512-token context; bounding them keeps pairs realistic (≈ 150–500 tokens) and every candidate scorable.
   */
  readonly maxAnchorTokens: number;
}

/** One chosen example with its place in the source file and its token counts (no special tokens). */
export interface ChosenExample {
  readonly example: NuggetsExample;
  /** 0-based position in the source file. */
  readonly sourceIndex: number;
  readonly queryTokens: number;
  readonly fullTokens: number;
}

export interface NuggetsWorkload {
  readonly candidates: ChosenExample[];
  readonly anchors: ChosenExample[];
  /** Σ over pairs of the one-shot prompt's length (BOS + candidate + anchor). */
  readonly oneShotTokens: number;
  /** Σ over anchors of the zero-shot prompt's length (BOS + anchor). */
  readonly zeroShotTokens: number;
}

/** Text to token ids without special tokens. */
export type BenchTokenize = (text: string) => Promise<readonly number[]>;

/**
 * Anchors first: the first `size.anchors` examples with an answer to score and at most `size.maxAnchorTokens`
 * tokens. Then candidates: the first `size.candidates` whose one-shot prompt with the longest chosen anchor fits
 * `contextSize`. Throws a RangeError naming what ran short.
 *
 * @example
 * const w = await chooseWorkload(alpaca, kmeans100, (t) => engine.tokenize(t), { candidates: 40, anchors: 20, maxAnchorTokens: 240 }, 512, 1);
 * w.candidates.length * w.anchors.length; // 800 pairs, all scorable
 */
export async function chooseWorkload(
  candidatePool: readonly NuggetsExample[],
  anchorPool: readonly NuggetsExample[],
  tokenize: BenchTokenize,
  size: NuggetsWorkloadSize,
  contextSize: number,
  bosTokens: number,
): Promise<NuggetsWorkload> {
  const anchors: ChosenExample[] = [];
  for (let i = 0; i < anchorPool.length && anchors.length < size.anchors; i++) {
    const chosen = await measure(anchorPool[i]!, i, tokenize);
    if (chosen.fullTokens > chosen.queryTokens && chosen.fullTokens <= size.maxAnchorTokens) anchors.push(chosen);
  }
  if (anchors.length < size.anchors) {
    throw new RangeError(
      `only ${anchors.length} anchors of at most ${size.maxAnchorTokens} tokens in the pool; ${size.anchors} wanted`,
    );
  }
  const longestAnchor = Math.max(...anchors.map((a) => a.fullTokens));
  const room = contextSize - bosTokens - longestAnchor;
  const candidates: ChosenExample[] = [];
  for (let i = 0; i < candidatePool.length && candidates.length < size.candidates; i++) {
    const chosen = await measure(candidatePool[i]!, i, tokenize);
    if (chosen.fullTokens > 0 && chosen.fullTokens <= room) candidates.push(chosen);
  }
  if (candidates.length < size.candidates) {
    throw new RangeError(`only ${candidates.length} candidates fit beside ${longestAnchor}-token anchors; ${size.candidates} wanted`);
  }
  const anchorSum = anchors.reduce((n, a) => n + a.fullTokens, 0);
  const candidateSum = candidates.reduce((n, c) => n + c.fullTokens, 0);
  return {
    candidates,
    anchors,
    oneShotTokens: candidates.length * anchors.length * bosTokens + anchors.length * candidateSum + candidates.length * anchorSum,
    zeroShotTokens: anchors.length * bosTokens + anchorSum,
  };
}

async function measure(example: NuggetsExample, sourceIndex: number, tokenize: BenchTokenize): Promise<ChosenExample> {
  const { query, full } = renderExample(example);
  const [q, f] = await Promise.all([tokenize(query), tokenize(full)]);
  return { example, sourceIndex, queryTokens: q.length, fullTokens: f.length };
}
