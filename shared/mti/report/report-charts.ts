/**
 * The sweep's charts as SVG: final accuracy per task by mode, and seconds per instance by mode. The specs are
 * vega-lite; vega renders them to SVG on the server (headless, no canvas: text widths are estimated).
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import type { MtiSweepReport } from "./sweep-report.js";

async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Final accuracy (mean over runs) of every task, bars grouped by task and coloured by mode, one row per engine. */
export function accuracyChartSpec(report: MtiSweepReport): TopLevelSpec {
  const values = report.reports.flatMap((r) =>
    Object.entries(r.tasks).map(([task, acc]) => ({ engine: r.engine, mode: r.mode, task, accuracy: acc.finalAccuracy.mean ?? 0 })),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `Final accuracy per task by mode — ${report.sweepId}`,
    data: { values },
    mark: "bar",
    encoding: {
      x: { field: "task", type: "nominal", title: "task" },
      xOffset: { field: "mode", type: "nominal" },
      y: { field: "accuracy", type: "quantitative", title: "final accuracy", scale: { domain: [0, 1] }, axis: { format: "%" } },
      color: { field: "mode", type: "nominal" },
      row: { field: "engine", type: "nominal" },
      tooltip: [{ field: "engine" }, { field: "mode" }, { field: "task" }, { field: "accuracy", format: ".1%" }],
    },
  };
}

/** Seconds per instance of each mode, one bar per (engine, mode). */
export function latencyChartSpec(report: MtiSweepReport): TopLevelSpec {
  const values = report.reports.map((r) => ({ engine: r.engine, mode: r.mode, seconds: r.latency.secondsPerInstance ?? 0 }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `Seconds per instance by mode — ${report.sweepId}`,
    data: { values },
    mark: "bar",
    encoding: {
      x: { field: "mode", type: "nominal", title: "mode" },
      y: { field: "seconds", type: "quantitative", title: "seconds per instance" },
      color: { field: "mode", type: "nominal" },
      column: { field: "engine", type: "nominal" },
      tooltip: [{ field: "engine" }, { field: "mode" }, { field: "seconds", format: ".3f" }],
    },
  };
}

/**
 * @example
 * const { accuracy, latency } = await reportCharts(report); // two SVG documents
 */
export async function reportCharts(report: MtiSweepReport): Promise<{ accuracy: string; latency: string }> {
  return { accuracy: await toSvg(accuracyChartSpec(report)), latency: await toSvg(latencyChartSpec(report)) };
}
