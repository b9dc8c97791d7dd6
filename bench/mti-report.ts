/**
 * The MTI bench's figures and table. Pure: the run's unit lines and call records in, a JSON-ready object and text
 * out. Latency and accuracy per mode come from the sweep's own `SweepAccumulator` and `speedRatiosOf`, so the bench
 * reports what a sweep on the same engine would; the per-task ratios and the token accounting are added here.
 */
import type { MtiMode, MtiModeReport, MtiUnitErrorLine, MtiUnitLine } from "../schemas/mti-sweeps.js";
import { SweepAccumulator } from "../shared/mti/report/sweep-accumulator.js";
import { speedRatiosOf } from "../shared/mti/report/sweep-report.js";
import type { MtiCallRecord } from "./mti-calls.js";
import { align } from "./report.js";
import { summarize, type Summary } from "./stats.js";

export const MTI_MODES = ["multi", "single", "batch"] as const satisfies readonly MtiMode[];

/** The paper's speed-ups (Son et al., ACL 2024): seconds per instance of Single-Task over the other mode. */
export const PAPER_SPEEDUPS = { singleOverMulti: 1.46, singleOverBatch: 2.1 } as const;

/** What one mode cost and scored, per instance. */
export interface MtiModeFigures {
  readonly instances: number;
  readonly units: number;
  readonly calls: number;
  readonly callsPerInstance: number | null;
  /** Generation-request wall-clock per instance (a Batch Prompting call's time is split between its two instances). */
  readonly secondsPerInstance: number | null;
  /** The same, around whole units: adds tokenisation and, when cold, emptying the KV cache. */
  readonly unitWallSecondsPerInstance: number | null;
  readonly secondsPerCall: number | null;
  readonly promptTokensPerInstance: number | null;
  /** Prompt tokens the engine evaluated (prompt tokens less those reused from its KV cache), per instance. */
  readonly evaluatedPromptTokensPerInstance: number | null;
  readonly outputTokensPerInstance: number | null;
  readonly promptTokensPerCall: number | null;
  readonly outputTokensPerCall: number | null;
  readonly longestPromptTokens: number;
  /** Calls whose prompt left less room than maxTokens (generated with the room there was). */
  readonly cappedCalls: number;
  readonly errors: number;
  readonly accuracy: {
    /** Every scored step right (mean over the one run). */
    readonly final: number | null;
    /** Per scored step: fraction right. */
    readonly perStep: readonly (number | null)[];
    /** Batch Prompting is scored on step 1 only, as the authors do (`batchScoring: "step1"`). */
    readonly scoredSteps: "all" | "step 1";
  };
}

/** A speed ratio overall (seconds per instance over every instance) and task by task. */
export interface MtiRatio {
  readonly meaning: string;
  readonly overall: number | null;
  readonly perTask: Record<string, number>;
  /** Median, quartiles and extremes of the per-task ratios; null when no task ran both modes. */
  readonly perTaskSummary: Summary | null;
  readonly paper: number;
}

export interface MtiRunFigures {
  readonly modes: Record<MtiMode, MtiModeFigures>;
  readonly ratios: { readonly singleOverMulti: MtiRatio; readonly singleOverBatch: MtiRatio };
  /** Per task and mode: seconds per instance. */
  readonly perTaskSecondsPerInstance: Record<string, Partial<Record<MtiMode, number>>>;
  /** The sweep accumulator's report per mode (accuracy per task and step, latency), as a sweep's summary holds it. */
  readonly reports: MtiModeReport[];
}

export interface MtiRunInput {
  readonly engine: string;
  readonly lines: readonly MtiUnitLine[];
  readonly errors: readonly MtiUnitErrorLine[];
  readonly calls: readonly MtiCallRecord[];
  /** Wall-clock seconds of every unit, by mode (the unit's whole `runMtiUnit`). */
  readonly unitWallSeconds: Readonly<Record<MtiMode, number>>;
}

/**
 * Folds a run into per-mode figures and the paper's two ratios.
 *
 * @example
 * summarizeMtiRun({ engine: "local", lines, errors: [], calls, unitWallSeconds }).ratios.singleOverMulti.overall;
 */
export function summarizeMtiRun(input: MtiRunInput): MtiRunFigures {
  const acc = new SweepAccumulator(() => undefined, { engines: [input.engine], modes: MTI_MODES });
  for (const line of input.lines) acc.addLine(line);
  for (const line of input.errors) acc.addError(line);
  const reports = acc.report();
  const [speed] = speedRatiosOf(reports);

  const perTask: Record<string, Partial<Record<MtiMode, { seconds: number; instances: number }>>> = {};
  for (const line of input.lines) {
    for (const inst of line.instances) {
      const cell = ((perTask[inst.task] ??= {})[line.mode] ??= { seconds: 0, instances: 0 });
      cell.seconds += inst.seconds;
      cell.instances += 1;
    }
  }
  const perTaskSecondsPerInstance: Record<string, Partial<Record<MtiMode, number>>> = {};
  for (const [task, modes] of Object.entries(perTask)) {
    perTaskSecondsPerInstance[task] = Object.fromEntries(
      Object.entries(modes).map(([mode, c]) => [mode, c.seconds / c.instances]),
    );
  }

  const ratio = (of: MtiMode, over: MtiMode, overall: number | null, paper: number, meaning: string): MtiRatio => {
    const byTask: Record<string, number> = {};
    for (const [task, s] of Object.entries(perTaskSecondsPerInstance)) {
      const a = s[of];
      const b = s[over];
      if (a !== undefined && b !== undefined && b > 0) byTask[task] = a / b;
    }
    const values = Object.values(byTask);
    return { meaning, overall, perTask: byTask, perTaskSummary: values.length === 0 ? null : summarize(values), paper };
  };

  const modes = Object.fromEntries(
    MTI_MODES.map((mode) => [mode, modeFigures(mode, input, reports.find((r) => r.mode === mode))]),
  ) as Record<MtiMode, MtiModeFigures>;
  return {
    modes,
    ratios: {
      singleOverMulti: ratio(
        "single",
        "multi",
        speed?.singleOverMulti ?? null,
        PAPER_SPEEDUPS.singleOverMulti,
        "seconds per instance of Single-Task over Multi-Task Inference (how many times faster Multi-Task is)",
      ),
      singleOverBatch: ratio(
        "single",
        "batch",
        speed?.singleOverBatch ?? null,
        PAPER_SPEEDUPS.singleOverBatch,
        "seconds per instance of Single-Task Inference over Batch Prompting (how many times faster Batch is)",
      ),
    },
    perTaskSecondsPerInstance,
    reports,
  };
}

function modeFigures(mode: MtiMode, input: MtiRunInput, report: MtiModeReport | undefined): MtiModeFigures {
  const calls = input.calls.filter((c) => c.mode === mode);
  const lines = input.lines.filter((l) => l.mode === mode);
  const instances = lines.reduce((n, l) => n + l.instances.length, 0);
  const sum = (f: (c: MtiCallRecord) => number) => calls.reduce((s, c) => s + f(c), 0);
  const perInstance = (x: number) => (instances > 0 ? x / instances : null);
  const perCall = (x: number) => (calls.length > 0 ? x / calls.length : null);
  const latency = report?.latency;
  return {
    instances,
    units: lines.length,
    calls: calls.length,
    callsPerInstance: perInstance(calls.length),
    secondsPerInstance: latency?.secondsPerInstance ?? null,
    unitWallSecondsPerInstance: perInstance(input.unitWallSeconds[mode]),
    secondsPerCall: perCall(sum((c) => c.seconds)),
    promptTokensPerInstance: latency?.promptTokensPerInstance ?? null,
    evaluatedPromptTokensPerInstance: perInstance(sum((c) => c.promptTokens - c.reusedTokens)),
    outputTokensPerInstance: latency?.outputTokensPerInstance ?? null,
    promptTokensPerCall: perCall(sum((c) => c.promptTokens)),
    outputTokensPerCall: perCall(sum((c) => c.outputTokens)),
    longestPromptTokens: Math.max(0, ...calls.map((c) => c.promptTokens)),
    cappedCalls: calls.filter((c) => c.capped).length,
    errors: input.errors.filter((e) => e.mode === mode).reduce((n, e) => n + e.uids.length, 0),
    accuracy: {
      final: report?.overall.finalAccuracy.mean ?? null,
      perStep: report?.overall.stepAccuracy.map((s) => s.mean) ?? [],
      scoredSteps: mode === "batch" ? "step 1" : "all",
    },
  };
}

/** `mti-2025-01-31T12-00-00-000Z.json`: a file name from a timestamp, safe on every filesystem. */
export function mtiResultFileName(at: Date): string {
  return `mti-${at.toISOString().replace(/[:.]/g, "-")}.json`;
}

/** The table printed at the end of a run. */
export function renderMtiTable(head: string, figures: Pick<MtiRunFigures, "modes" | "ratios">): string {
  const n = (x: number | null, digits = 0) => (x === null ? "–" : x.toFixed(digits));
  const rows = [["mode", "instances", "calls/inst", "s/inst", "s/call", "prompt tok/inst", "evaluated/inst", "output tok/inst", "final acc", "errors"]];
  for (const mode of MTI_MODES) {
    const m = figures.modes[mode];
    rows.push([
      mode,
      String(m.instances),
      n(m.callsPerInstance, 2),
      n(m.secondsPerInstance, 2),
      n(m.secondsPerCall, 2),
      n(m.promptTokensPerInstance),
      n(m.evaluatedPromptTokensPerInstance),
      n(m.outputTokensPerInstance, 1),
      n(m.accuracy.final, 3),
      String(m.errors),
    ]);
  }
  const ratios = [["ratio", "overall", "per-task median", "p25–p75", "min–max", "tasks", "paper"]];
  for (const [id, r] of [["single/multi", figures.ratios.singleOverMulti], ["single/batch", figures.ratios.singleOverBatch]] as const) {
    const s = r.perTaskSummary;
    ratios.push([
      id,
      n(r.overall, 3),
      s ? s.median.toFixed(3) : "–",
      s ? `${s.p25.toFixed(3)}–${s.p75.toFixed(3)}` : "–",
      s ? `${s.min.toFixed(3)}–${s.max.toFixed(3)}` : "–",
      String(s?.n ?? 0),
      r.paper.toFixed(2),
    ]);
  }
  return [head, "", ...align(rows), "", ...align(ratios)].join("\n");
}
