/**
 * The NUGGETS bench's record and table, and the check that every variant computed the same golden scores. Pure:
 * samples and scores in, a JSON-ready object and text out.
 */
import type { RunScores } from "./nuggets-engine-runs.js";
import type { OrchestrationRun } from "./nuggets-orchestration.js";
import type { PhaseTiming, PipelinePhases } from "./nuggets-pipeline.js";
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

/** Whether the variants agreed, over every round compared. */
export interface ScoreAgreement {
  readonly rounds: number;
  readonly pairsPerRound: number;
  /** Every candidate's wins equal in every variant, every round. */
  readonly winsEqual: boolean;
  /** The first few disagreements, if any. */
  readonly mismatches: { round: number; candidate: number; wins: Record<string, number> }[];
  /** Largest |difference| of a one-shot sum between any variant and the first, over all rounds (nats). */
  readonly maxAbsOneShotDiff: number;
  readonly maxAbsZeroShotDiff: number;
}

/**
 * Compares each round's scores across variants (all against the first variant named).
 *
 * @example
 * compareScores([{ direct: a, "shared-prefix": b, pipeline: c }]).winsEqual; // true when all wins match
 */
export function compareScores(rounds: readonly Readonly<Record<string, RunScores>>[]): ScoreAgreement {
  const mismatches: ScoreAgreement["mismatches"] = [];
  let maxOne = 0;
  let maxZero = 0;
  let winsEqual = true;
  let pairsPerRound = 0;
  rounds.forEach((byVariant, round) => {
    const [first, ...others] = Object.values(byVariant);
    if (!first) return;
    pairsPerRound = first.candidates.length * first.zeroShot.length;
    for (const other of others) {
      if (other.candidates.length !== first.candidates.length || other.zeroShot.length !== first.zeroShot.length) {
        winsEqual = false;
        continue;
      }
      other.zeroShot.forEach((z, j) => (maxZero = Math.max(maxZero, Math.abs(z - first.zeroShot[j]!))));
      other.candidates.forEach((c, i) => {
        const ref = first.candidates[i]!;
        c.oneShot.forEach((x, j) => (maxOne = Math.max(maxOne, Math.abs(x - (ref.oneShot[j] ?? NaN)) || 0)));
        if (c.wins !== ref.wins) {
          winsEqual = false;
          if (mismatches.length < 10 && !mismatches.some((m) => m.round === round && m.candidate === i)) {
            const wins = Object.fromEntries(Object.entries(byVariant).map(([id, r]) => [id, r.candidates[i]?.wins ?? -1]));
            mismatches.push({ round, candidate: i, wins });
          }
        }
      });
    }
  });
  return { rounds: rounds.length, pairsPerRound, winsEqual, mismatches, maxAbsOneShotDiff: maxOne, maxAbsZeroShotDiff: maxZero };
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
    `scores ${a.winsEqual ? "agree" : "DISAGREE"} (wins equal in every variant; max |Δ one-shot| ${a.maxAbsOneShotDiff.toExponential(1)})`;
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
