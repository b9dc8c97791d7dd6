/**
 * `select` scoring of one candidate: anchors in the candidate's seeded order, in chunks (one engine call each, the
 * candidate's tokens as the shared prefix), the stopping rule tested between chunks, until every requested threshold
 * is decided. Sums already known (the one-shot cache) are used where the procedure reaches them and not sent to the
 * engine, so the line written is the same whatever the cache held.
 */
import type { Engine } from "../../engines/engine.js";
import { ValidationError } from "../../errors.js";
import type { NuggetsDecidedScore, NuggetsPreset } from "../../../schemas/nuggets.js";
import { compareForGoldenScore } from "../../numerics/logprob-tolerance.js";
import type { PreparedAnchor } from "../anchor-tokens.js";
import { nearTieRange } from "../golden-score.js";
import { oneShotOverflow } from "../prompts.js";
import { enginePairsOf, oneShotSums, type CandidateScoring } from "../score-candidate.js";
import { decideThreshold, nextChunkSize, type SelectTally, type ThresholdVerdict } from "./stopping-rule.js";

/** The key a threshold has in `decisions`: the number as JSON prints it (`0.8` → `"0.8"`). */
export const thresholdKey = (t: number): string => JSON.stringify(t);

/** What {@link selectCandidate} needs beyond {@link scoreCandidate}'s input. */
export interface SelectCandidateInput {
  readonly index: number;
  readonly candidateTokens: readonly number[];
  readonly anchors: readonly PreparedAnchor[];
  readonly zeroShot: readonly number[];
  readonly engine: Pick<Engine, "scoreSuffixes" | "contextSize" | "bosToken">;
  readonly preset: NuggetsPreset;
  /** Thresholds to decide (GS > t), each in [0, 1]. */
  readonly thresholds: readonly number[];
  /** The anchor order, a permutation of the anchor indices (`anchorOrder(seed, candidateHash, m)`). */
  readonly order: readonly number[];
  /** Recorded on the line. */
  readonly seed: number;
  readonly known?: readonly (number | null)[] | null;
  /** Smallest chunk (anchors per engine call); default 1: every chunk is as large as the next decision needs. */
  readonly minChunk?: number;
}

/** A skipped candidate, as in exhaustive scoring. */
type Skipped = { version: 1; preset: NuggetsPreset["name"]; maxAnchorTokens: number | null; index: number; anchors: number; status: "skipped"; reason: string };

function tallyOf(zeroShot: readonly number[], oneShot: readonly (number | null)[]): SelectTally & { nearTieIndices: number[] } {
  let resolved = 0;
  let clearWins = 0;
  let strictWins = 0;
  const nearTieIndices: number[] = [];
  oneShot.forEach((o, j) => {
    if (o === null) return;
    resolved++;
    const z = zeroShot[j]!;
    if (o > z) strictWins++;
    const d = compareForGoldenScore(o, z);
    if (d === "above") clearWins++;
    else if (d === "near-tie") nearTieIndices.push(j);
  });
  return { anchors: oneShot.length, resolved, clearWins, nearTies: nearTieIndices.length, strictWins, nearTieIndices };
}

function checkInput(input: SelectCandidateInput): void {
  const { anchors, zeroShot, thresholds, order, known } = input;
  if (anchors.length === 0) throw new ValidationError("the anchor set is empty");
  if (zeroShot.length !== anchors.length) throw new ValidationError("zero-shot scores do not match the anchor set");
  if (known && known.length !== anchors.length) throw new ValidationError("known one-shot scores do not match the anchor set");
  if (thresholds.length === 0) throw new ValidationError("select needs at least one threshold");
  for (const t of thresholds) if (!(t >= 0 && t <= 1)) throw new ValidationError(`threshold ${t} is not in [0, 1]`);
  const seen = new Set(order);
  if (order.length !== anchors.length || seen.size !== anchors.length || order.some((j) => !(Number.isInteger(j) && j >= 0 && j < anchors.length))) {
    throw new ValidationError("the anchor order is not a permutation of the anchors");
  }
}

/**
 * Scores one candidate until every threshold in `thresholds` is decided.
 *
 * @example
 * const order = anchorOrder(seed, candidateHash(example), anchors.length);
 * const { record } = await selectCandidate({ index, candidateTokens, anchors, zeroShot, engine, preset, thresholds: [0.8], order, seed });
 * record.status === "decided" && record.decisions["0.8"]; // "above" | "below"
 */
export async function selectCandidate(input: SelectCandidateInput): Promise<CandidateScoring<NuggetsDecidedScore | Skipped>> {
  checkInput(input);
  const { index, candidateTokens, anchors, zeroShot, engine, preset, thresholds, order, seed, known } = input;
  const m = anchors.length;
  const common = { version: 1 as const, preset: preset.name, maxAnchorTokens: preset.maxAnchorTokens, index, anchors: m };
  const reason = oneShotOverflow(candidateTokens, anchors, preset, engine.bosToken, engine.contextSize);
  if (reason !== null) return { record: { ...common, status: "skipped", reason }, oneShot: anchors.map(() => null), enginePairs: 0, reusedPairs: 0 };

  const oneShot: (number | null)[] = anchors.map(() => null);
  let next = 0; // position in `order`
  let enginePairs = 0;
  let reusedPairs = 0;
  for (;;) {
    const size = nextChunkSize(thresholds, tallyOf(zeroShot, oneShot), input.minChunk ?? 1);
    if (size === 0) break;
    const chunk = order.slice(next, next + size);
    next += size;
    const missing = enginePairsOf(anchors, chunk, known);
    const sums = missing.length > 0 ? await oneShotSums(candidateTokens, anchors, missing, engine, preset) : [];
    enginePairs += missing.length;
    for (const j of chunk) {
      const k = missing.indexOf(j);
      if (k >= 0) oneShot[j] = sums[k]!;
      else if ((known?.[j] ?? null) !== null) {
        oneShot[j] = known![j]!;
        reusedPairs++;
      } else oneShot[j] = 0; // an empty span: 0 = 0 in both conditions, a loss
    }
  }

  const tally = tallyOf(zeroShot, oneShot);
  const decisions: Record<string, ThresholdVerdict> = {};
  const uncertain: string[] = [];
  for (const t of thresholds) {
    const state = decideThreshold(t, tally);
    if (state.verdict === null) throw new Error(`threshold ${t} undecided after the stopping rule ended`); // unreachable
    decisions[thresholdKey(t)] = state.verdict;
    if (state.uncertain) uncertain.push(thresholdKey(t));
  }
  const remaining = m - tally.resolved;
  const complete = remaining === 0 ? completeScore(zeroShot, oneShot as number[], tally.strictWins) : {};
  const record: NuggetsDecidedScore = {
    ...common,
    status: "decided",
    decisions,
    uncertain,
    bounds: [tally.strictWins / m, (tally.strictWins + remaining) / m],
    anchorsScored: tally.resolved,
    wins: tally.strictWins,
    nearTies: tally.nearTieIndices,
    seed,
    ...complete,
    oneShot,
  };
  return { record, oneShot, enginePairs, reusedPairs };
}

function completeScore(zeroShot: readonly number[], oneShot: readonly number[], wins: number) {
  return { goldenScore: wins / oneShot.length, goldenScoreRange: nearTieRange(zeroShot, oneShot).goldenScoreRange };
}
