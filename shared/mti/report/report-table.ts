/**
 * The sweep's results as rows (one per engine, mode and group: all tasks, each subset, each task), the common source
 * of the CSV and Markdown reports.
 */
import type { MtiAccuracy, MtiMode, MtiModeReport } from "../../../schemas/mti-sweeps.js";

export interface MtiReportRow {
  readonly engine: string;
  readonly mode: MtiMode;
  /** `all`, `subset` or `task`. */
  readonly scope: "all" | "subset" | "task";
  /** The subset's or task's name; `all` for the whole mode. */
  readonly group: string;
  readonly accuracy: MtiAccuracy;
  /** Only on `all` rows. */
  readonly secondsPerInstance: number | null;
}

/** Rows in report order: per (engine, mode), all tasks, then subsets, then tasks. */
export function reportRows(reports: readonly MtiModeReport[]): MtiReportRow[] {
  return reports.flatMap((r) => [
    { engine: r.engine, mode: r.mode, scope: "all" as const, group: "all", accuracy: r.overall, secondsPerInstance: r.latency.secondsPerInstance },
    ...Object.entries(r.subsets).map(([group, accuracy]) => ({ engine: r.engine, mode: r.mode, scope: "subset" as const, group, accuracy, secondsPerInstance: null })),
    ...Object.entries(r.tasks).map(([group, accuracy]) => ({ engine: r.engine, mode: r.mode, scope: "task" as const, group, accuracy, secondsPerInstance: null })),
  ]);
}

/** The most steps any row has (columns step1…stepN). */
export const maxSteps = (rows: readonly MtiReportRow[]) => Math.max(0, ...rows.map((r) => r.accuracy.stepAccuracy.length));
