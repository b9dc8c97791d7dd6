/**
 * The NUGGETS bench's record and table, and the check that every variant computed the same golden scores. Pure:
 * samples and scores in, a JSON-ready object and text out.
 */
import type { RunScores } from "./nuggets-engine-runs.js";
import type { OrchestrationRun } from "./nuggets-orchestration.js";
import type { PhaseTiming, PipelinePhases } from "./nuggets-pipeline.js";
import {
  LOGPROB_SUM_TOLERANCE,
  sumTolerance,
  winsRange,
  withinTolerance,
  type LogprobSumTolerance,
} from "../shared/numerics/logprob-tolerance.js";
import { align, fmt } from "./report.js";
import type { VariantSamples } from "./round-robin.js";
import { ratiosPerRound, summarize, type Summary } from "./stats.js";

/** The targets. */
export const NUGGETS_TARGETS = {
  /** (c)/(b): the pipeline adds under 10% over the engine. */
  pipelineOverEngine: 0.9,
  /** (d): pair scorings per second per worker process with an instant engine. */
  orchestrationPairsPerSecond: 20_000,
} as const;

/**
 * Whether the variants agreed, over every round compared. llama.cpp's sums depend on the batch split (and the CPU),
 * so sums are compared within {@link LOGPROB_SUM_TOLERANCE} and a candidate's wins may differ from the first
 * variant's only by that variant's near ties (`shared/numerics/logprob-tolerance.ts`).
 */
export interface ScoreAgreement {
  readonly rounds: number;
  readonly pairsPerRound: number;
  /** What sums were compared with: `absolute + relative · max(|a|, |b|)` nats. */
  readonly tolerance: LogprobSumTolerance;
  /**
   * The variants computed the same scores: every sum within the tolerance of the first variant's, and every
   * candidate's wins within the first variant's wins range (its clear wins, up to clear wins + near ties).
   */
  readonly agree: boolean;
  /** Every candidate's wins exactly equal in every variant, every round (informative: a near tie may go either way). */
  readonly winsEqual: boolean;
  /** The first few candidates whose wins differ by more than the near ties, if any. */
  readonly mismatches: { round: number; candidate: number; wins: Record<string, number>; nearTies: number }[];
  /** Pairs whose margin (one-shot − zero-shot) was inside the tolerance in the first variant, over all rounds. */
  readonly nearTies: number;
  /** (round, candidate, variant) triples whose wins differ from the first variant's by near ties only. */
  readonly winsDifferingByNearTies: number;
  /** Sums (one-shot and zero-shot, every variant against the first) outside the tolerance. */
  readonly sumsOutsideTolerance: number;
  /** Largest |Δ sum| / tolerance over every sum compared: at most 1 when the sums agree. */
  readonly maxSumDiffOverTolerance: number;
  /** Largest |difference| of a one-shot sum between any variant and the first, over all rounds (nats). */
  readonly maxAbsOneShotDiff: number;
  readonly maxAbsZeroShotDiff: number;
}

/**
 * Compares each round's scores across variants (all against the first variant named).
 *
 * @example
 * compareScores([{ direct: a, "shared-prefix": b, pipeline: c }]).agree; // true when sums and wins agree
 */
export function compareScores(rounds: readonly Readonly<Record<string, RunScores>>[]): ScoreAgreement {
  const mismatches: ScoreAgreement["mismatches"] = [];
  let maxOne = 0;
  let maxZero = 0;
  let maxRatio = 0;
  let outside = 0;
  let winsEqual = true;
  let winsAgree = true;
  let nearTies = 0;
  let byNearTies = 0;
  let pairsPerRound = 0;
  const compareSum = (a: number, b: number) => {
    const ratio = Math.abs(a - b) / sumTolerance(a, b);
    maxRatio = Math.max(maxRatio, Number.isNaN(ratio) ? Infinity : ratio);
    if (!withinTolerance(a, b)) outside++;
    return Math.abs(a - b);
  };
  rounds.forEach((byVariant, round) => {
    const [first, ...others] = Object.values(byVariant);
    if (!first) return;
    pairsPerRound = first.candidates.length * first.zeroShot.length;
    const ranges = first.candidates.map((c) => winsRange(first.zeroShot, c.oneShot));
    for (const r of ranges) nearTies += r.nearTies;
    for (const other of others) {
      if (other.candidates.length !== first.candidates.length || other.zeroShot.length !== first.zeroShot.length) {
        winsEqual = false;
        winsAgree = false;
        continue;
      }
      other.zeroShot.forEach((z, j) => (maxZero = Math.max(maxZero, compareSum(z, first.zeroShot[j]!))));
      other.candidates.forEach((c, i) => {
        const ref = first.candidates[i]!;
        if (c.oneShot.length !== ref.oneShot.length) outside++;
        c.oneShot.forEach((x, j) => (maxOne = Math.max(maxOne, compareSum(x, ref.oneShot[j] ?? NaN) || 0)));
        if (c.wins === ref.wins) return;
        winsEqual = false;
        const range = ranges[i]!;
        if (c.wins >= range.min && c.wins <= range.max) {
          byNearTies++;
          return;
        }
        winsAgree = false;
        if (mismatches.length < 10 && !mismatches.some((m) => m.round === round && m.candidate === i)) {
          const wins = Object.fromEntries(Object.entries(byVariant).map(([id, r]) => [id, r.candidates[i]?.wins ?? -1]));
          mismatches.push({ round, candidate: i, wins, nearTies: range.nearTies });
        }
      });
    }
  });
  return {
    rounds: rounds.length,
    pairsPerRound,
    tolerance: LOGPROB_SUM_TOLERANCE,
    agree: winsAgree && outside === 0,
    winsEqual,
    mismatches,
    nearTies,
    winsDifferingByNearTies: byNearTies,
    sumsOutsideTolerance: outside,
    maxSumDiffOverTolerance: maxRatio,
    maxAbsOneShotDiff: maxOne,
    maxAbsZeroShotDiff: maxZero,
  };
}

/** One variant's per-round figures. */
export interface NuggetsVariantResult {
  readonly description: string;
  readonly pairs: number[];
  readonly seconds: number[];
  /** Pair scorings per second, one per round. */
  readonly pairsPerSecond: number[];
  /** Prompt tokens per second (one-shot + zero-shot prompt tokens, counted alike for every variant). */
  readonly tokensPerSecond: number[];
  readonly summary: Summary;
  readonly tokensSummary: Summary;
}

export interface NuggetsComparison {
  readonly numerator: string;
  readonly denominator: string;
  readonly meaning: string;
  readonly perRound: number[];
  readonly summary: Summary;
  /** The median must reach this, where there is a target. */
  readonly target: number | null;
  readonly held: boolean | null;
}

/** Per-variant figures and the two per-round ratios, (b)/(a) and (c)/(b). */
export function summarizeNuggetsRun(
  descriptions: Readonly<Record<string, string>>,
  samples: ReadonlyMap<string, VariantSamples>,
  tokensPerRound: number,
): { variants: Record<string, NuggetsVariantResult>; comparisons: Record<string, NuggetsComparison> } {
  const get = (id: string) => {
    const s = samples.get(id);
    if (!s) throw new RangeError(`no samples for variant ${id}`);
    return s;
  };
  const variants: Record<string, NuggetsVariantResult> = {};
  for (const [id, description] of Object.entries(descriptions)) {
    const s = get(id);
    const tokensPerSecond = s.seconds.map((sec) => tokensPerRound / sec);
    variants[id] = {
      description,
      pairs: s.units,
      seconds: s.seconds,
      pairsPerSecond: s.rates,
      tokensPerSecond,
      summary: summarize(s.rates),
      tokensSummary: summarize(tokensPerSecond),
    };
  }
  const compare = (numerator: string, denominator: string, meaning: string, target: number | null): NuggetsComparison => {
    const perRound = ratiosPerRound(get(numerator).rates, get(denominator).rates);
    const summary = summarize(perRound);
    return { numerator, denominator, meaning, perRound, summary, target, held: target === null ? null : summary.median >= target };
  };
  return {
    variants,
    comparisons: {
      "shared-prefix/direct": compare("shared-prefix", "direct", "(b)/(a): speed-up from scoring each candidate's anchors on one prefix", null),
      "pipeline/shared-prefix": compare(
        "pipeline",
        "shared-prefix",
        "(c)/(b): the whole local pipeline's speed relative to the engine alone",
        NUGGETS_TARGETS.pipelineOverEngine,
      ),
    },
  };
}

/** Phase medians over rounds (milliseconds) and the engine-idle time in each: where the pipeline's overhead is. */
export function summarizePhases(rounds: readonly PipelinePhases[]): Record<keyof PipelinePhases, { ms: Summary; engineIdleMs: Summary }> {
  const names = ["accept", "prepare", "dispatch", "shards", "finish", "total"] as const;
  const idle = (p: PhaseTiming) => Math.max(0, p.ms - p.engineBusyMs);
  return Object.fromEntries(
    names.map((n) => [n, { ms: summarize(rounds.map((r) => r[n].ms)), engineIdleMs: summarize(rounds.map((r) => idle(r[n]))) }]),
  ) as Record<keyof PipelinePhases, { ms: Summary; engineIdleMs: Summary }>;
}

/** An orchestration figure over its runs, against the target where there is one. */
export interface OrchestrationResult {
  readonly description: string;
  readonly candidates: number;
  readonly anchors: number;
  readonly shardSize: number;
  readonly runs: OrchestrationRun[];
  readonly pairsPerSecond: Summary;
  readonly target: number | null;
  readonly held: boolean | null;
}

export function summarizeOrchestration(
  description: string,
  size: { candidates: number; anchors: number; shardSize: number },
  runs: readonly OrchestrationRun[],
  target: number | null,
): OrchestrationResult {
  const pairsPerSecond = summarize(runs.map((r) => r.pairsPerSecond));
  return {
    description,
    ...size,
    runs: [...runs],
    pairsPerSecond,
    target,
    held: target === null ? null : pairsPerSecond.median >= target,
  };
}

/** What the table needs from the record. */
export interface NuggetsTableInput {
  readonly workload: { candidates: number; anchors: number; pairs: number; rounds: number; shards: number };
  readonly variants: Record<string, NuggetsVariantResult>;
  readonly comparisons: Record<string, NuggetsComparison>;
  readonly phases: Record<string, { ms: Summary; engineIdleMs: Summary }>;
  readonly orchestration: Record<string, OrchestrationResult>;
  readonly checks: { agreement: ScoreAgreement };
}

/** `nuggets-2025-01-31T12-00-00-000Z.json`. */
export function nuggetsResultFileName(at: Date): string {
  return `nuggets-${at.toISOString().replace(/[:.]/g, "-")}.json`;
}

/** The compact table printed at the end of a run. */
export function renderNuggetsTable(r: NuggetsTableInput): string {
  const w = r.workload;
  const a = r.checks.agreement;
  const head =
    `nuggets bench: ${w.candidates} candidates × ${w.anchors} anchors = ${w.pairs} pairs, ${w.rounds} rounds, pipeline in ${w.shards} shards; ` +
    `scores ${a.agree ? "agree" : "DISAGREE"} (sums within tolerance, wins up to ${a.nearTies} near ties; ` +
    `max |Δ one-shot| ${a.maxAbsOneShotDiff.toExponential(1)}, ${a.maxSumDiffOverTolerance.toFixed(2)} of the tolerance)`;
  const rows = [["variant", "pairs/s", "tokens/s", "IQR/median", "min–max pairs/s", "rounds"]];
  for (const [id, v] of Object.entries(r.variants)) {
    const s = v.summary;
    rows.push([id, fmt(s.median), fmt(v.tokensSummary.median), `${s.iqrPct.toFixed(1)}%`, `${fmt(s.min)}–${fmt(s.max)}`, String(s.n)]);
  }
  const ratios = [["ratio (per round)", "median", "p25–p75", "min–max", "target"]];
  for (const [id, c] of Object.entries(r.comparisons)) {
    const s = c.summary;
    const target = c.target === null ? "" : `≥ ${c.target} ${c.held ? "held" : "MISSED"}`;
    ratios.push([id, s.median.toFixed(3), `${s.p25.toFixed(3)}–${s.p75.toFixed(3)}`, `${s.min.toFixed(3)}–${s.max.toFixed(3)}`, target]);
  }
  const phases = [["pipeline phase (median)", "ms", "engine idle ms"]];
  for (const [id, p] of Object.entries(r.phases)) phases.push([id, p.ms.median.toFixed(0), p.engineIdleMs.median.toFixed(0)]);
  const orch = [["orchestration (instant engine)", "pairs/s", "runs", "target"]];
  for (const [id, o] of Object.entries(r.orchestration)) {
    const target = o.target === null ? "informative" : `≥ ${o.target} ${o.held ? "held" : "MISSED"}`;
    orch.push([`${id} (${o.candidates}×${o.anchors})`, fmt(o.pairsPerSecond.median), String(o.runs.length), target]);
  }
  return [head, "", ...align(rows), "", ...align(ratios), "", ...align(phases), "", ...align(orch)].join("\n");
}
