/**
 * The two engine-only ways to score a NUGGETS workload, each doing everything a job does except orchestration:
 * tokenise the anchors and candidates, compute the zero-shot sums, score every pair, count wins.
 * - direct: one full one-shot prompt per pair through `engine.score` (`scorePairDirect`), as an endpoint without a
 *   usable prefix cache would be driven (vLLM skips its prefix cache when prompt log-probs are asked for);
 * - shared prefix: one `engine.scoreSuffixes` call per candidate with every anchor (`scoreCandidate`), as workers do.
 */
import type { Engine } from "../shared/engines/engine.js";
import type { NuggetsPreset } from "../schemas/nuggets.js";
import { prepareAnchor, prepareCandidate, type PreparedAnchor } from "../shared/nuggets/anchor-tokens.js";
import { goldenScore } from "../shared/nuggets/golden-score.js";
import { scoreCandidate, scorePairDirect, zeroShotScores } from "../shared/nuggets/score-candidate.js";
import type { NuggetsWorkload } from "./nuggets-workload.js";

/** One candidate's outcome: wins over the anchors and the raw one-shot sums, in anchor order. */
export interface CandidateOutcome {
  readonly wins: number;
  readonly oneShot: readonly number[];
}

/** What one run scored: zero-shot sums (anchor order) and each candidate's outcome (workload order). */
export interface RunScores {
  readonly zeroShot: readonly number[];
  readonly candidates: readonly CandidateOutcome[];
}

type ScoringEngine = Pick<Engine, "tokenize" | "score" | "scoreSuffixes" | "bosToken" | "contextSize">;

async function prepare(engine: ScoringEngine, workload: NuggetsWorkload, preset: NuggetsPreset) {
  const tokenize = (t: string) => engine.tokenize(t);
  const anchors: PreparedAnchor[] = [];
  for (const a of workload.anchors) anchors.push(await prepareAnchor(a.example, tokenize, preset, engine.contextSize));
  const candidates: number[][] = [];
  for (const c of workload.candidates) candidates.push(await prepareCandidate(c.example, tokenize));
  return { anchors, candidates };
}

/**
 * Every pair as its own full prompt, anchor by anchor: consecutive prompts never share a candidate, so an engine
 * that keeps its KV cache between calls (the embedded one does) cannot reuse a candidate's prefix — the cost of a
 * server that recomputes every prompt. Zero-shot: one prompt per anchor.
 */
export async function scoreDirect(engine: ScoringEngine, workload: NuggetsWorkload, preset: NuggetsPreset): Promise<RunScores> {
  const { anchors, candidates } = await prepare(engine, workload, preset);
  const zeroShot: number[] = [];
  for (const anchor of anchors) zeroShot.push(await scorePairDirect(null, anchor, engine, preset));
  const oneShot = candidates.map(() => new Array<number>(anchors.length).fill(0));
  for (const [j, anchor] of anchors.entries()) {
    for (const [i, tokens] of candidates.entries()) oneShot[i]![j] = await scorePairDirect(tokens, anchor, engine, preset);
  }
  return { zeroShot, candidates: oneShot.map((sums) => ({ wins: goldenScore(zeroShot, sums).wins, oneShot: sums })) };
}

/** Zero-shot in one call, then one shared-prefix call per candidate, in order (a worker's shard, one lane). */
export async function scoreSharedPrefix(
  engine: ScoringEngine,
  workload: NuggetsWorkload,
  preset: NuggetsPreset,
): Promise<RunScores> {
  const { anchors, candidates } = await prepare(engine, workload, preset);
  const zeroShot = await zeroShotScores(anchors, engine, preset);
  const outcomes: CandidateOutcome[] = [];
  for (const [index, candidateTokens] of candidates.entries()) {
    const record = await scoreCandidate({ index, candidateTokens, anchors, zeroShot, engine, preset });
    if (record.status !== "scored") throw new RangeError(`candidate ${index} was skipped: ${record.reason}`);
    outcomes.push({ wins: record.wins, oneShot: record.oneShot });
  }
  return { zeroShot, candidates: outcomes };
}
