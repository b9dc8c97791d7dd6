/** The sweep's results as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when they need it). */
import type { MtiSweepReport } from "./sweep-report.js";
import { maxSteps, reportRows } from "./report-table.js";

const field = (v: string | number | null): string => {
  if (v === null) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * One row per (engine, mode, group); accuracies are means over runs, with the final accuracy's spread.
 *
 * @example
 * reportCsv(report).split("\r\n")[0]; // "engine,mode,scope,group,instances,errors,final_mean,…"
 */
export function reportCsv(report: MtiSweepReport): string {
  const rows = reportRows(report.reports);
  const steps = maxSteps(rows);
  const stepCols = Array.from({ length: steps }, (_, i) => [`step${i + 1}_accuracy`, `step${i + 1}_conditional`]).flat();
  const header = ["engine", "mode", "scope", "group", "instances", "errors", "final_mean", "final_sd", "final_min", "final_max", "runs", ...stepCols, "seconds_per_instance", "rougeL_mean"];
  const lines = rows.map((r) => {
    const a = r.accuracy;
    const stepValues = Array.from({ length: steps }, (_, i) => [a.stepAccuracy[i]?.mean ?? null, a.conditionalAccuracy[i]?.mean ?? null]).flat();
    return [r.engine, r.mode, r.scope, r.group, a.instances, a.errors, a.finalAccuracy.mean, a.finalAccuracy.sd, a.finalAccuracy.min, a.finalAccuracy.max, a.finalAccuracy.runs, ...stepValues, r.secondsPerInstance, a.rougeL?.mean ?? null]
      .map(field)
      .join(",");
  });
  return `${[header.join(","), ...lines].join("\r\n")}\r\n`;
}
