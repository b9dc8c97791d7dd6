/**
 * The sweep's results as GitHub-flavoured Markdown: the gate's verdict and failed checks first (what a CI reader needs),
 * then final accuracy by mode, speed ratios, and per-task accuracy. Cells are escaped so task names cannot break a table.
 */
import type { MtiSweepReport } from "./sweep-report.js";
import { reportRows } from "./report-table.js";

const cell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
const pct = (x: number | null | undefined) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(1)}%`);
const num = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? "–" : x.toFixed(digits));

/**
 * @example
 * process.env.GITHUB_STEP_SUMMARY && appendFileSync(process.env.GITHUB_STEP_SUMMARY, reportMarkdown(report));
 */
export function reportMarkdown(report: MtiSweepReport): string {
  const out: string[] = [`## MTI-Bench sweep \`${cell(report.sweepId)}\``, ""];
  if (report.gate !== null) {
    const { verdict, checks, failed } = report.gate;
    out.push(`**Gate: ${verdict === "pass" ? "PASS" : "FAIL"}** (${checks.length - failed.length} of ${checks.length} checks passed)`, "");
    if (failed.length > 0) {
      out.push("| failed check | measured | bound | why |", "|---|---|---|---|");
      for (const c of failed) out.push(`| ${cell(c.name)} | ${num(c.actual, 4)} | ${num(c.limit, 4)} | ${cell(c.reason ?? "")} |`);
      out.push("");
    }
  }
  const engines = report.engines.map((e) => `\`${cell(e.name)}\` (${cell(e.model)})`).join(", ");
  out.push(`Engines: ${engines}. Runs per cell: ${report.runs}. Accuracy is the mean over runs (± sample SD when runs > 1).`, "");
  const rouge = report.reports.some((r) => r.overall.rougeL !== null);
  out.push(
    `| engine | mode | instances | errors | final accuracy | ± | seconds / instance |${rouge ? " ROUGE-L |" : ""}`,
    `|---|---|---:|---:|---:|---:|---:|${rouge ? "---:|" : ""}`,
  );
  for (const r of report.reports) {
    const f = r.overall.finalAccuracy;
    const rl = rouge ? ` ${num(r.overall.rougeL?.mean, 3)} |` : "";
    out.push(`| ${cell(r.engine)} | ${r.mode} | ${r.overall.instances} | ${r.overall.errors} | ${pct(f.mean)} | ${f.sd === null ? "–" : pct(f.sd)} | ${num(r.latency.secondsPerInstance, 3)} |${rl}`);
  }
  out.push("");
  if (report.speedRatios.some((s) => s.singleOverMulti !== null || s.singleOverBatch !== null)) {
    out.push("| engine | single / multi | single / batch |", "|---|---:|---:|");
    for (const s of report.speedRatios) out.push(`| ${cell(s.engine)} | ${num(s.singleOverMulti)}× | ${num(s.singleOverBatch)}× |`);
    out.push("", "Seconds per instance of Single-Task Inference divided by those of the other mode (the paper: 1.46× and 2.1×).", "");
  }
  const rows = reportRows(report.reports).filter((r) => r.scope !== "all");
  if (rows.length > 0) {
    out.push("| engine | mode | group | final | step accuracy | conditional |", "|---|---|---|---:|---|---|");
    for (const r of rows) {
      const steps = r.accuracy.stepAccuracy.map((s) => pct(s.mean)).join(" / ");
      const cond = r.accuracy.conditionalAccuracy.map((s) => pct(s.mean)).join(" / ");
      out.push(`| ${cell(r.engine)} | ${r.mode} | ${r.scope === "subset" ? `**${cell(r.group)}**` : cell(r.group)} | ${pct(r.accuracy.finalAccuracy.mean)} | ${steps} | ${cond} |`);
    }
    out.push("");
  }
  return `${out.join("\n")}\n`;
}
