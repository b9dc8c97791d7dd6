/**
 * Folds a sweep's unit lines into accuracy and latency per (engine, mode) — overall, per task and per subset — with a
 * mean and spread over runs. Pure and bounded: it keeps counts per (engine, mode, run, task), never the lines.
 *
 * Definitions (REFERENCE.md §3): a step's accuracy is the fraction of instances whose step is right; its conditional
 * accuracy the fraction whose steps 1..s are all right; an instance's final verdict is "every scored step right".
 * Steps a line marks `scored: false` (Batch Prompting on steps ≥ 2 under the authors' scoring) count nowhere.
 * Accuracy is computed per run over the instances of the group, then averaged over runs.
 */
import type { MtiAccuracy, MtiLatency, MtiMode, MtiModeReport, MtiUnitErrorLine, MtiUnitLine, RunStat } from "../../../schemas/mti-sweeps.js";

interface Counts {
  instances: number;
  errors: number;
  stepRight: number[];
  stepSeen: number[];
  condRight: number[];
  finalRight: number;
  lenient: number;
  /** Free-form steps: Σ ROUGE-L and how many, per step. */
  rougeSum: number[];
  rougeSeen: number[];
  seconds: number;
  promptTokens: number;
  outputTokens: number;
  calls: number;
}

const emptyCounts = (): Counts => ({
  instances: 0,
  errors: 0,
  stepRight: [],
  stepSeen: [],
  condRight: [],
  finalRight: 0,
  lenient: 0,
  rougeSum: [],
  rougeSeen: [],
  seconds: 0,
  promptTokens: 0,
  outputTokens: 0,
  calls: 0,
});

const bump = (a: number[], i: number, by = 1) => {
  while (a.length <= i) a.push(0);
  a[i] = (a[i] ?? 0) + by;
};

function mergeInto(target: Counts, c: Counts): void {
  target.instances += c.instances;
  target.errors += c.errors;
  target.finalRight += c.finalRight;
  target.lenient += c.lenient;
  target.seconds += c.seconds;
  target.promptTokens += c.promptTokens;
  target.outputTokens += c.outputTokens;
  target.calls += c.calls;
  c.stepRight.forEach((v, i) => bump(target.stepRight, i, v));
  c.stepSeen.forEach((v, i) => bump(target.stepSeen, i, v));
  c.condRight.forEach((v, i) => bump(target.condRight, i, v));
  c.rougeSum.forEach((v, i) => bump(target.rougeSum, i, v));
  c.rougeSeen.forEach((v, i) => bump(target.rougeSeen, i, v));
}

/**
 * Mean, min, max and sample standard deviation of per-run values (null where a run had no instances).
 *
 * @example
 * runStat([0.5, 0.7, null]); // { mean: 0.6, min: 0.5, max: 0.7, sd: 0.1414…, runs: 2 }
 */
export function runStat(values: readonly (number | null)[]): RunStat {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return { mean: null, min: null, max: null, sd: null, runs: 0 };
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = xs.length < 2 ? null : Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean, min: Math.min(...xs), max: Math.max(...xs), sd, runs: xs.length };
}

const key = (...parts: (string | number)[]) => JSON.stringify(parts);

/** Accumulates unit lines; `report()` may be called at any point. */
export class SweepAccumulator {
  /** (engine, mode) → run → task → counts. */
  private readonly cells = new Map<string, { engine: string; mode: MtiMode; runs: Map<number, Map<string, Counts>> }>();

  /**
   * @param subsetOf The subset a task belongs to (MULTI-STEP / MULTI-PART, or any grouping), or undefined.
   * @param order Engines and modes in the order the report lists them (those not given come after, in order seen).
   */
  constructor(
    private readonly subsetOf: (task: string) => string | undefined = () => undefined,
    private readonly order: { engines?: readonly string[]; modes?: readonly MtiMode[] } = {},
  ) {}

  private counts(engine: string, mode: MtiMode, run: number, task: string): Counts {
    const k = key(engine, mode);
    let cell = this.cells.get(k);
    if (cell === undefined) this.cells.set(k, (cell = { engine, mode, runs: new Map() }));
    let tasks = cell.runs.get(run);
    if (tasks === undefined) cell.runs.set(run, (tasks = new Map()));
    let c = tasks.get(task);
    if (c === undefined) tasks.set(task, (c = emptyCounts()));
    return c;
  }

  /** Adds one unit's line. */
  addLine(line: MtiUnitLine): void {
    for (const inst of line.instances) {
      const c = this.counts(line.engine, line.mode, line.run, inst.task);
      c.instances += 1;
      c.seconds += inst.seconds;
      c.promptTokens += inst.promptTokens;
      c.outputTokens += inst.outputTokens;
      c.calls += inst.calls;
      let allRight = true;
      let scoredIndex = 0;
      for (const step of inst.steps) {
        if (!step.scored) continue;
        if (step.lenient && step.parsed !== null) c.lenient += 1;
        if (step.rougeL !== undefined) {
          bump(c.rougeSum, scoredIndex, step.rougeL);
          bump(c.rougeSeen, scoredIndex);
        }
        bump(c.stepSeen, scoredIndex);
        if (step.match) bump(c.stepRight, scoredIndex);
        allRight &&= step.match;
        if (allRight) bump(c.condRight, scoredIndex);
        scoredIndex += 1;
      }
      if (allRight && scoredIndex > 0) c.finalRight += 1;
    }
  }

  /** Adds a unit that ended as an error line: its instances count as errors, not as wrong answers. */
  addError(line: MtiUnitErrorLine): void {
    line.tasks.forEach((task) => {
      this.counts(line.engine, line.mode, line.run, task).errors += 1;
    });
  }

  /** One report per (engine, mode), in the configured order. */
  report(): MtiModeReport[] {
    const engineRank = (e: string) => {
      const i = this.order.engines?.indexOf(e) ?? -1;
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    const modeRank = (m: MtiMode) => {
      const i = this.order.modes?.indexOf(m) ?? -1;
      return i < 0 ? ["multi", "single", "batch"].indexOf(m) + 1000 : i;
    };
    const cells = [...this.cells.values()].sort((a, b) => engineRank(a.engine) - engineRank(b.engine) || modeRank(a.mode) - modeRank(b.mode));
    return cells.map((cell) => {
      const runs = [...cell.runs.keys()].sort((a, b) => a - b);
      const taskNames = [...new Set([...cell.runs.values()].flatMap((t) => [...t.keys()]))].sort();
      const group = (include: (task: string) => boolean): MtiAccuracy =>
        accuracyOf(runs.map((r) => {
          const merged = emptyCounts();
          for (const [task, c] of cell.runs.get(r) ?? []) if (include(task)) mergeInto(merged, c);
          return merged;
        }));
      const tasks: Record<string, MtiAccuracy> = {};
      for (const t of taskNames) tasks[t] = group((task) => task === t);
      const subsets: Record<string, MtiAccuracy> = {};
      const subsetNames = [...new Set(taskNames.map((t) => this.subsetOf(t)).filter((s): s is string => s !== undefined))].sort();
      for (const s of subsetNames) subsets[s] = group((task) => this.subsetOf(task) === s);
      const all = emptyCounts();
      for (const tasksOfRun of cell.runs.values()) for (const c of tasksOfRun.values()) mergeInto(all, c);
      return { engine: cell.engine, mode: cell.mode, overall: group(() => true), tasks, subsets, latency: latencyOf(all) };
    });
  }
}

function accuracyOf(perRun: readonly Counts[]): MtiAccuracy {
  const steps = Math.max(0, ...perRun.map((c) => c.stepSeen.length));
  const frac = (num: number | undefined, den: number | undefined) => (den ? (num ?? 0) / den : null);
  const scoredRuns = perRun.filter((c) => c.instances > 0);
  return {
    instances: scoredRuns.length === 0 ? 0 : Math.max(...scoredRuns.map((c) => c.instances)),
    errors: perRun.reduce((s, c) => s + c.errors, 0),
    stepAccuracy: Array.from({ length: steps }, (_, i) => runStat(perRun.map((c) => frac(c.stepRight[i], c.stepSeen[i])))),
    conditionalAccuracy: Array.from({ length: steps }, (_, i) => runStat(perRun.map((c) => frac(c.condRight[i], c.stepSeen[i])))),
    finalAccuracy: runStat(perRun.map((c) => frac(c.finalRight, c.instances))),
    lenientAnswers: perRun.reduce((s, c) => s + c.lenient, 0),
    ...rougeOf(perRun),
  };
}

/** Free-form groups: mean ROUGE-L per step and over every scored step; empty and null when no step had one. */
function rougeOf(perRun: readonly Counts[]): Pick<MtiAccuracy, "stepRougeL" | "rougeL"> {
  const steps = Math.max(0, ...perRun.map((c) => c.rougeSeen.length));
  if (steps === 0) return { stepRougeL: [], rougeL: null };
  const mean = (sum: number, n: number) => (n > 0 ? sum / n : null);
  const total = (a: readonly number[]) => a.reduce((s, x) => s + x, 0);
  return {
    stepRougeL: Array.from({ length: steps }, (_, i) => runStat(perRun.map((c) => mean(c.rougeSum[i] ?? 0, c.rougeSeen[i] ?? 0)))),
    rougeL: runStat(perRun.map((c) => mean(total(c.rougeSum), total(c.rougeSeen)))),
  };
}

function latencyOf(c: Counts): MtiLatency {
  const per = (x: number) => (c.instances > 0 ? x / c.instances : null);
  return {
    instances: c.instances,
    calls: c.calls,
    secondsPerInstance: per(c.seconds),
    promptTokensPerInstance: per(c.promptTokens),
    outputTokensPerInstance: per(c.outputTokens),
  };
}

/**
 * Seconds per instance of `mode` over those of `relativeTo` for one engine (the paper's speed-up is the inverse:
 * single / multi = 1.46 means Multi-Task Inference is 1.46× faster). Null when either is missing.
 */
export function latencyRatio(reports: readonly MtiModeReport[], engine: string, mode: MtiMode, relativeTo: MtiMode): number | null {
  const of = (m: MtiMode) => reports.find((r) => r.engine === engine && r.mode === m)?.latency.secondsPerInstance ?? null;
  const a = of(mode);
  const b = of(relativeTo);
  return a === null || b === null || b === 0 ? null : a / b;
}
