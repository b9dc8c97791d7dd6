/**
 * A release gate's verdict over a sweep's reports (pure). Every check is listed with its measured value and bound; a
 * value the sweep did not measure fails its check with the reason, so a gate can never pass by omission.
 */
import type { GateCheck, GateResult, MtiGate, MtiModeReport } from "../../../schemas/mti-sweeps.js";
import { latencyRatio } from "./sweep-accumulator.js";

const fmt = (x: number) => String(Math.round(x * 10_000) / 10_000);

/** The engines a check applies to: the one it names, or every engine of the sweep. */
function enginesOf(reports: readonly MtiModeReport[], named: string | undefined): string[] {
  return named !== undefined ? [named] : [...new Set(reports.map((r) => r.engine))];
}

/**
 * Evaluates `gate` on this sweep's reports; `baseline` holds the baseline sweep's reports when the gate names one.
 *
 * @example
 * evaluateGate({ minFinalAccuracy: [{ mode: "multi", min: 0.3 }], maxLatencyRatio: [] }, reports).verdict; // "pass" | "fail"
 */
export function evaluateGate(gate: MtiGate, reports: readonly MtiModeReport[], baseline?: readonly MtiModeReport[]): GateResult {
  const checks: GateCheck[] = [];
  const find = (engine: string, mode: string) => reports.find((r) => r.engine === engine && r.mode === mode);

  for (const c of gate.minFinalAccuracy) {
    for (const engine of enginesOf(reports, c.engine)) {
      const report = find(engine, c.mode);
      const scope = c.task !== undefined ? `task ${c.task}` : c.subset !== undefined ? `subset ${c.subset}` : "all tasks";
      const group = report === undefined ? undefined : c.task !== undefined ? report.tasks[c.task] : c.subset !== undefined ? report.subsets[c.subset] : report.overall;
      const actual = group?.finalAccuracy.mean ?? null;
      const name = `final accuracy of ${c.mode} on ${scope} (${engine}) ≥ ${fmt(c.min)}`;
      checks.push({
        name,
        kind: "minFinalAccuracy",
        engine,
        actual,
        limit: c.min,
        passed: actual !== null && actual >= c.min,
        ...(actual === null ? { reason: report === undefined ? `the sweep did not run ${c.mode} on ${engine}` : `the sweep scored no instance of ${scope}` } : {}),
      });
    }
  }

  for (const c of gate.maxLatencyRatio) {
    for (const engine of enginesOf(reports, c.engine)) {
      const actual = latencyRatio(reports, engine, c.mode, c.relativeTo);
      checks.push({
        name: `seconds per instance of ${c.mode} / ${c.relativeTo} (${engine}) ≤ ${fmt(c.max)}`,
        kind: "maxLatencyRatio",
        engine,
        actual,
        limit: c.max,
        passed: actual !== null && actual <= c.max,
        ...(actual === null ? { reason: `the sweep did not time both ${c.mode} and ${c.relativeTo} on ${engine}` } : {}),
      });
    }
  }

  if (gate.baseline !== undefined) {
    const { sweepId, maxRegression } = gate.baseline;
    const base = baseline ?? [];
    const baseEngines = [...new Set(base.map((r) => r.engine))];
    for (const report of reports) {
      const engine = baseEngines.includes(report.engine) ? report.engine : baseEngines.length === 1 ? baseEngines[0] : undefined;
      const ref = base.find((r) => r.engine === engine && r.mode === report.mode);
      const groups: [string, number | null, number | null][] = [
        ["all tasks", report.overall.finalAccuracy.mean, ref?.overall.finalAccuracy.mean ?? null],
        ...Object.entries(report.subsets).map(([s, acc]): [string, number | null, number | null] => [`subset ${s}`, acc.finalAccuracy.mean, ref?.subsets[s]?.finalAccuracy.mean ?? null]),
      ];
      for (const [scope, actual, was] of groups) {
        const limit = was === null ? 0 : Math.max(0, was - maxRegression);
        checks.push({
          name: `final accuracy of ${report.mode} on ${scope} (${report.engine}) ≥ baseline ${sweepId}'s ${was === null ? "(none)" : fmt(was)} − ${fmt(maxRegression)}`,
          kind: "baselineRegression",
          engine: report.engine,
          actual,
          limit,
          passed: actual !== null && was !== null && actual >= limit - 1e-12,
          ...(was === null
            ? { reason: `baseline ${sweepId} has no ${report.mode} result on ${scope} for ${engine ?? report.engine}` }
            : actual === null
              ? { reason: `the sweep scored no instance of ${scope}` }
              : {}),
        });
      }
    }
  }

  const failed = checks.filter((c) => !c.passed);
  return { verdict: failed.length === 0 ? "pass" : "fail", checks, failed };
}
