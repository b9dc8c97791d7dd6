/**
 * The sweep as JUnit XML (built with junit-report-builder), for CI systems that show test results: one test case per
 * gate check (a failed check is a failure carrying its measured value and bound), and one per (engine, mode, task)
 * carrying its accuracy, which is an error only when every one of its units failed.
 */
import junitModule, { type Builder } from "junit-report-builder";
import type { MtiSweepReport } from "./sweep-report.js";

// The package's types declare an ES default export, but its CommonJS build sets `module.exports` to the builder itself,
// which is what Node's ESM loader hands back as the default import.
const junit = junitModule as unknown as Builder;

const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);

/**
 * @example
 * writeFileSync("mti-junit.xml", reportJunit(report));
 */
export function reportJunit(report: MtiSweepReport): string {
  const builder = junit.newBuilder();
  builder.name(`MTI-Bench sweep ${report.sweepId}`);
  if (report.gate !== null) {
    const suite = builder.testSuite().name("gate");
    for (const check of report.gate.checks) {
      const tc = suite.testCase().className(`mti.gate.${check.kind}`).name(check.name);
      tc.standardOutput(`measured ${check.actual ?? "nothing"}, bound ${check.limit}`);
      if (!check.passed) tc.failure(`${check.name}: measured ${check.actual ?? "nothing"}${check.reason ? ` (${check.reason})` : ""}`, check.kind);
    }
  }
  for (const r of report.reports) {
    const suite = builder.testSuite().name(`${r.engine} · ${r.mode}`);
    for (const [task, acc] of Object.entries(r.tasks)) {
      const tc = suite.testCase().className(`mti.${r.mode}`).name(`task ${task} (${r.engine})`);
      const steps = acc.stepAccuracy.map((s) => pct(s.mean)).join(" / ");
      tc.standardOutput(`final accuracy ${pct(acc.finalAccuracy.mean)} over ${acc.instances} instance(s); steps ${steps}; ${acc.errors} error(s)`);
      if (acc.instances === 0 && acc.errors > 0) tc.error(`every unit of task ${task} failed (${acc.errors} error line(s))`, "unit-errors");
    }
  }
  return builder.build();
}
