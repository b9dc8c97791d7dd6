/**
 * A sweep's aggregation: unit lines in, the summary (accuracy, latency, speed ratios, the gate's verdict) and the
 * report files (CSV, Markdown, JUnit XML, two SVG charts) out. Bounded: it keeps counts, never the lines.
 */
import { MTI_REPORT_FILES, MtiUnitErrorLineSchema, MtiUnitLineSchema, type CreateMtiSweep, type MtiSweepLayout, type MtiSweepSpec, type MtiSweepSummary } from "../../../schemas/mti-sweeps.js";
import type { Aggregator, PreparedJobView, ResultFile } from "../../jobs/job-kind.js";
import type { JobDeps } from "../../jobs/ports.js";
import { evaluateGate } from "../report/gate.js";
import { reportCharts } from "../report/report-charts.js";
import { reportCsv } from "../report/report-csv.js";
import { reportJunit } from "../report/report-junit.js";
import { reportMarkdown } from "../report/report-markdown.js";
import { SweepAccumulator } from "../report/sweep-accumulator.js";
import { speedRatiosOf, type MtiSweepReport } from "../report/sweep-report.js";
import { readBaselineSummary } from "./sweep-request.js";

/** The template's name as results record it. */
export const templateLabel = (t: CreateMtiSweep["template"]) => (typeof t === "string" ? t : "jinja");

export async function sweepAggregator(
  deps: JobDeps,
  job: PreparedJobView<CreateMtiSweep, MtiSweepSpec, MtiSweepLayout>,
  { partial }: { partial: boolean },
): Promise<Aggregator<MtiSweepSummary>> {
  const { request, spec } = job;
  const acc = new SweepAccumulator((task) => request.subsets?.[task], { engines: job.context.engines, modes: job.context.modes });
  const baseline = request.gate?.baseline ? await readBaselineSummary(deps.store, job.tenant, request.gate.baseline.sweepId) : null;
  let unitErrors = 0;
  return {
    add(line) {
      const value = JSON.parse(line) as Record<string, unknown>;
      if ("error" in value) {
        acc.addError(MtiUnitErrorLineSchema.parse(value));
        unitErrors++;
      } else acc.addLine(MtiUnitLineSchema.parse(value));
    },
    async finish(facts) {
      const reports = acc.report();
      let gate = request.gate ? evaluateGate(request.gate, reports, baseline?.reports) : null;
      if (gate && partial) {
        const check = { name: "the sweep ran every unit", kind: "complete" as const, engine: "*", actual: facts.unitsCovered, limit: facts.units, passed: false, reason: "the sweep stopped early; a partial sweep cannot pass a gate" };
        gate = { verdict: "fail", checks: [...gate.checks, check], failed: [...gate.failed, check] };
      }
      const report: MtiSweepReport = {
        sweepId: job.jobId,
        engines: spec.engines.map((e) => ({ name: e.name, model: e.model })),
        modes: job.context.modes,
        runs: job.context.runs,
        reports,
        speedRatios: speedRatiosOf(reports),
        gate,
      };
      const charts = await reportCharts(report);
      const files: ResultFile[] = [
        { name: MTI_REPORT_FILES.csv, contentType: "text/csv; charset=utf-8", body: reportCsv(report) },
        { name: MTI_REPORT_FILES.markdown, contentType: "text/markdown; charset=utf-8", body: reportMarkdown(report) },
        { name: MTI_REPORT_FILES.junit, contentType: "application/xml", body: reportJunit(report) },
        { name: MTI_REPORT_FILES.accuracyChart, contentType: "image/svg+xml", body: charts.accuracy },
        { name: MTI_REPORT_FILES.latencyChart, contentType: "image/svg+xml", body: charts.latency },
      ];
      const summary: MtiSweepSummary = {
        version: 1,
        sweepId: job.jobId,
        partial,
        units: facts.units,
        unitsCovered: facts.unitsCovered,
        unitErrors,
        engines: report.engines.map((e) => ({ ...e })),
        modes: [...job.context.modes],
        runs: job.context.runs,
        tasks: [...spec.tasks],
        scoring: spec.datasetKind === "mti-free-form" ? "rouge-l" : "exact-match",
        template: templateLabel(request.template),
        decoding: request.decoding,
        batchScoring: request.batchScoring,
        lenient: request.lenient,
        reports,
        speedRatios: [...report.speedRatios],
        gate,
        files: { lines: "units.jsonl", ...MTI_REPORT_FILES },
        preparedAt: facts.preparedAt,
        finishedAt: facts.finishedAt,
      };
      return { summary, files };
    },
  };
}
