/**
 * `select` against exhaustive scoring on the same pairs, on the embedded engine (part of `npm run bench:nuggets`):
 * for each threshold, the (candidate, anchor) pairs sent to the engine and the wall-clock of scoring every candidate,
 * exhaustive and select interleaved round-robin, and whether the subsets agree (they must: GS > t from the exhaustive
 * golden scores against the select verdicts). Anchors are prepared and their zero-shot sums computed once, outside
 * the timing, the same for every variant.
 */
import type { Engine } from "../shared/engines/engine.js";
import { prepareAnchor, prepareCandidate } from "../shared/nuggets/anchor-tokens.js";
import { scoreCandidateCounted, zeroShotScores } from "../shared/nuggets/score-candidate.js";
import { anchorOrder, candidateHash } from "../shared/nuggets/select/anchor-order.js";
import { selectCandidate, thresholdKey } from "../shared/nuggets/select/select-candidate.js";
import type { NuggetsExample, NuggetsPreset } from "../schemas/nuggets.js";
import { runRoundRobin, type Variant } from "./round-robin.js";
import { summarize } from "./stats.js";

/** The target: at least 2× fewer pair scorings at t = 0.8. */
export const SELECT_TARGET = { threshold: 0.8, pairRatio: 2 } as const;

export interface SelectBenchInput {
  readonly engine: Pick<Engine, "tokenize" | "score" | "scoreSuffixes" | "contextSize" | "bosToken">;
  readonly candidates: readonly NuggetsExample[];
  readonly anchors: readonly NuggetsExample[];
  readonly preset: NuggetsPreset;
  readonly thresholds: readonly number[];
  readonly rounds: number;
  readonly seed: number;
  readonly onRound?: (round: number, rounds: number) => void;
}

/** One threshold's comparison. */
export interface SelectThresholdResult {
  readonly threshold: number;
  /** Pairs the engine scored per round (the same every round: the procedure is deterministic given the sums). */
  readonly exhaustivePairs: number;
  readonly selectPairs: number;
  /** exhaustive / select pairs. */
  readonly pairRatio: number;
  readonly exhaustiveSeconds: number[];
  readonly selectSeconds: number[];
  /** exhaustive / select wall-clock, per round, and its median. */
  readonly wallRatio: { perRound: number[]; median: number };
  readonly above: number;
  /** Candidates whose verdict only the strict count could give (near ties straddled t on every anchor). */
  readonly uncertain: number;
  /** The select verdicts equal GS > t from the exhaustive golden scores, for every candidate, every round. */
  readonly sameSubset: boolean;
}

export interface SelectBenchResult {
  readonly candidates: number;
  readonly anchors: number;
  readonly rounds: number;
  readonly seed: number;
  readonly thresholds: SelectThresholdResult[];
  readonly target: { threshold: number; pairRatio: number; measured: number | null; held: boolean | null };
}

export async function benchSelect(input: SelectBenchInput): Promise<SelectBenchResult> {
  const { engine, preset, thresholds, seed } = input;
  const tokenize = (t: string) => engine.tokenize(t);
  const anchors = await Promise.all(input.anchors.map((e) => prepareAnchor(e, tokenize, preset, engine.contextSize)));
  const zeroShot = await zeroShotScores(anchors, engine, preset);
  const candidates = await Promise.all(
    input.candidates.map(async (example, index) => ({
      index,
      tokens: await prepareCandidate(example, tokenize),
      order: anchorOrder(seed, candidateHash(example), anchors.length),
    })),
  );

  const exhaustiveRuns: { pairs: number; goldenScores: Map<number, number> }[] = [];
  const selectRuns = new Map<number, { pairs: number; verdicts: Map<number, string>; uncertain: number }[]>(thresholds.map((t) => [t, []]));
  const exhaustive: Variant = {
    id: "exhaustive",
    async run() {
      let pairs = 0;
      const goldenScores = new Map<number, number>();
      for (const c of candidates) {
        const r = await scoreCandidateCounted({ index: c.index, candidateTokens: c.tokens, anchors, zeroShot, engine, preset });
        pairs += r.enginePairs;
        if (r.record.status === "scored") goldenScores.set(c.index, r.record.goldenScore);
      }
      exhaustiveRuns.push({ pairs, goldenScores });
      return pairs;
    },
  };
  const selects: Variant[] = thresholds.map((t) => ({
    id: `select-${t}`,
    async run() {
      let pairs = 0;
      let uncertain = 0;
      const verdicts = new Map<number, string>();
      for (const c of candidates) {
        const r = await selectCandidate({
          index: c.index, candidateTokens: c.tokens, anchors, zeroShot, engine, preset, thresholds: [t], order: c.order, seed,
        });
        pairs += r.enginePairs;
        if (r.record.status === "decided") {
          verdicts.set(c.index, r.record.decisions[thresholdKey(t)]!);
          if (r.record.uncertain.length > 0) uncertain++;
        }
      }
      selectRuns.get(t)!.push({ pairs, verdicts, uncertain });
      return pairs;
    },
  }));
  const samples = await runRoundRobin([exhaustive, ...selects], { rounds: input.rounds, warmupRounds: 0, onRound: input.onRound });

  const exSeconds = samples.get("exhaustive")!.seconds;
  const results = thresholds.map((t): SelectThresholdResult => {
    const runs = selectRuns.get(t)!;
    const seconds = samples.get(`select-${t}`)!.seconds;
    const sameSubset = runs.every((run, k) => {
      const gs = exhaustiveRuns[k]!.goldenScores;
      if (run.verdicts.size !== gs.size) return false;
      for (const [index, score] of gs) if (run.verdicts.get(index) !== (score > t ? "above" : "below")) return false;
      return true;
    });
    const exhaustivePairs = exhaustiveRuns[0]!.pairs;
    const selectPairs = runs[0]!.pairs;
    const perRound = exSeconds.map((s, k) => s / seconds[k]!);
    return {
      threshold: t,
      exhaustivePairs,
      selectPairs,
      pairRatio: exhaustivePairs / selectPairs,
      exhaustiveSeconds: exSeconds,
      selectSeconds: seconds,
      wallRatio: { perRound, median: summarize(perRound).median },
      above: [...runs[0]!.verdicts.values()].filter((v) => v === "above").length,
      uncertain: runs[0]!.uncertain,
      sameSubset,
    };
  });
  const atTarget = results.find((r) => r.threshold === SELECT_TARGET.threshold);
  return {
    candidates: candidates.length,
    anchors: anchors.length,
    rounds: input.rounds,
    seed,
    thresholds: results,
    target: {
      ...SELECT_TARGET,
      measured: atTarget?.pairRatio ?? null,
      held: atTarget ? atTarget.pairRatio >= SELECT_TARGET.pairRatio && atTarget.sameSubset : null,
    },
  };
}

/** The table rows the bench prints. */
export function renderSelectTable(r: SelectBenchResult): string {
  const rows = r.thresholds.map((t) =>
    [
      `t = ${t.threshold}`.padEnd(9),
      `${t.selectPairs}/${t.exhaustivePairs} pairs`.padEnd(16),
      `${t.pairRatio.toFixed(2)}× fewer`.padEnd(13),
      `wall ${t.wallRatio.median.toFixed(2)}× faster`.padEnd(20),
      `${t.above} above, ${t.uncertain} uncertain`.padEnd(24),
      t.sameSubset ? "same subset" : "SUBSET DIFFERS",
    ].join(" "),
  );
  const target = r.target.measured === null ? "" : `\ntarget at t = ${r.target.threshold}: ≥ ${r.target.pairRatio}× fewer pairs with the same subset: ${r.target.held ? "held" : "NOT held"} (${r.target.measured.toFixed(2)}×)`;
  return [`select vs exhaustive (${r.candidates} candidates × ${r.anchors} anchors, ${r.rounds} round(s), seed ${r.seed}):`, ...rows].join("\n") + target;
}
