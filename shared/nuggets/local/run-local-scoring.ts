/**
 * Scoring a dataset in-process, without the queue: the path behind `assay nuggets score`. It runs the same core the
 * queue workers run (`prepareAnchor`, `zeroShotScores`, `prepareCandidate`, `scoreCandidate`), so a record here is the
 * record a worker would write for the same candidate, engine and preset.
 */
import type { Engine } from "../../engines/engine.js";
import { CapabilityError, ValidationError } from "../../errors.js";
import type { NuggetsCandidateScore, NuggetsDecidedScore, NuggetsExample, NuggetsPreset } from "../../../schemas/nuggets.js";
import { prepareAnchor, prepareCandidate } from "../anchor-tokens.js";
import { scoreCandidateCounted, zeroShotScores } from "../score-candidate.js";
import { anchorOrder, candidateHash } from "../select/anchor-order.js";
import { selectCandidate } from "../select/select-candidate.js";
import { progressSnapshot, type ScoringProgress } from "./progress.js";

/** The engine methods an in-process run uses. */
export type LocalScoringEngine = Pick<
  Engine,
  "name" | "capabilities" | "contextSize" | "bosToken" | "tokenize" | "score" | "scoreSuffixes"
>;

/** What {@link scoreDatasetInProcess} scores. */
export interface LocalScoringOptions {
  /** The pool being ranked; `record.index` is the position in this array. */
  readonly candidates: readonly NuggetsExample[];
  readonly anchors: readonly NuggetsExample[];
  readonly engine: LocalScoringEngine;
  /** A resolved preset (`resolvePreset`), override of `maxAnchorTokens` included. */
  readonly preset: NuggetsPreset;
  /** Called once after the zero-shot pass (done 0) and after every candidate. */
  readonly onProgress?: (progress: ScoringProgress) => void;
  /** Stops between candidates: the iteration throws the signal's reason. */
  readonly signal?: AbortSignal;
  /** Milliseconds clock; injected in tests. */
  readonly now?: () => number;
  /**
   * Score each candidate only until GS > t is decided for every threshold (`select` mode), anchors in the order drawn
   * from `seed` and the candidate's content. Absent: exhaustive scoring.
   */
  readonly select?: { readonly thresholds: readonly number[]; readonly seed: number };
}

/**
 * Golden scores for every candidate, in candidate order. Anchors are tokenised and their zero-shot sums computed
 * once; then each candidate costs one `scoreSuffixes` call covering every anchor (or none, when it is skipped for
 * not fitting the engine's context).
 *
 * @example
 * for await (const record of scoreDatasetInProcess({ candidates, anchors, engine, preset: resolvePreset("paper") })) {
 *   console.log(record.index, record.status === "scored" ? record.goldenScore : record.reason);
 * }
 */
export function scoreDatasetInProcess(options: LocalScoringOptions & { readonly select?: undefined }): AsyncGenerator<NuggetsCandidateScore>;
export function scoreDatasetInProcess(options: LocalScoringOptions): AsyncGenerator<NuggetsCandidateScore | NuggetsDecidedScore>;
export async function* scoreDatasetInProcess(options: LocalScoringOptions): AsyncGenerator<NuggetsCandidateScore | NuggetsDecidedScore> {
  const { candidates, engine, preset, onProgress, signal } = options;
  const now = options.now ?? (() => performance.now());
  if (!engine.capabilities.promptLogprobs) throw new CapabilityError(engine.name, "prompt log-probs (scoring)");
  if (options.anchors.length === 0) throw new ValidationError("the anchor set is empty");
  signal?.throwIfAborted();

  const started = now();
  const tokenize = (text: string) => engine.tokenize(text);
  const anchors = await Promise.all(
    options.anchors.map((example) => prepareAnchor(example, tokenize, preset, engine.contextSize)),
  );
  const zeroShot = await zeroShotScores(anchors, engine, preset);

  const counts = { done: 0, total: candidates.length, scored: 0, skipped: 0, pairs: 0 };
  const report = () => onProgress?.(progressSnapshot({ ...counts, elapsedMs: now() - started }));
  report();
  for (const [index, example] of candidates.entries()) {
    signal?.throwIfAborted();
    const candidateTokens = await prepareCandidate(example, tokenize);
    const base = { index, candidateTokens, anchors, zeroShot, engine, preset };
    const { select } = options;
    const { record } = select
      ? await selectCandidate({ ...base, ...select, order: anchorOrder(select.seed, candidateHash(example), anchors.length) })
      : await scoreCandidateCounted(base);
    counts.done++;
    if (record.status === "skipped") counts.skipped++;
    else counts.scored++;
    // Pairs compared (an empty-span anchor is compared without a call, as 0 = 0).
    counts.pairs += record.status === "skipped" ? 0 : record.status === "decided" ? record.anchorsScored : anchors.length;
    report();
    yield record;
  }
}
