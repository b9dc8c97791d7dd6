import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { MtiGateSchema } from "../../../schemas/mti-sweeps.js";
import { evaluateGate } from "../../../shared/mti/report/gate.js";
import { reportCharts } from "../../../shared/mti/report/report-charts.js";
import { reportCsv } from "../../../shared/mti/report/report-csv.js";
import { reportJunit } from "../../../shared/mti/report/report-junit.js";
import { reportMarkdown } from "../../../shared/mti/report/report-markdown.js";
import { SweepAccumulator } from "../../../shared/mti/report/sweep-accumulator.js";
import { speedRatiosOf, type MtiSweepReport } from "../../../shared/mti/report/sweep-report.js";
import { instance, line } from "./fixtures.js";

function sweep(withGate: boolean): MtiSweepReport {
  const acc = new SweepAccumulator();
  acc.addLine(line(0, "multi", 0, [instance("001_1", "001", [true, true], 1)]));
  acc.addLine(line(1, "multi", 0, [instance('002_1', 'a "quoted", | task', [false, true, true], 1)]));
  acc.addLine(line(2, "single", 0, [instance("001_1", "001", [true, false], 2)]));
  acc.addError({ unit: 3, engine: "local", mode: "single", run: 0, uids: ["002_1"], tasks: ["002"], error: { code: "engine", message: "x" } });
  const reports = acc.report();
  const gate = withGate ? evaluateGate(MtiGateSchema.parse({ minFinalAccuracy: [{ mode: "multi", min: 0.9 }, { mode: "single", min: 0 }] }), reports) : null;
  return { sweepId: "ms_test", engines: [{ name: "local", model: "stories260K" }], modes: ["multi", "single"], runs: 1, reports, speedRatios: speedRatiosOf(reports), gate };
}

describe("report files", () => {
  it("should write CSV with a header, one row per group and quoted fields where needed", () => {
    const csv = reportCsv(sweep(false));
    const rows = csv.trimEnd().split("\r\n");
    expect(rows[0]).toBe(
      "engine,mode,scope,group,instances,errors,final_mean,final_sd,final_min,final_max,runs,step1_accuracy,step1_conditional,step2_accuracy,step2_conditional,step3_accuracy,step3_conditional,seconds_per_instance,rougeL_mean",
    );
    expect(rows[1]).toBe("local,multi,all,all,2,0,0.5,,0.5,0.5,1,0.5,0.5,1,0.5,1,0,1,");
    expect(rows).toContain('local,multi,task,"a ""quoted"", | task",1,0,0,,0,0,1,0,0,1,0,1,0,,');
    expect(rows.length).toBe(1 + 3 + 3);
  });

  it("should put the gate's verdict and failed checks first in the Markdown, with table cells escaped", () => {
    const md = reportMarkdown(sweep(true));
    const lines = md.split("\n");
    expect(lines[2]).toBe("**Gate: FAIL** (1 of 2 checks passed)");
    expect(md).toContain("| final accuracy of multi on all tasks (local) ≥ 0.9 | 0.5000 | 0.9000 |  |");
    expect(md).toContain("a \"quoted\", \\| task");
    expect(md).toContain("| local | 2.00× | –× |");
  });

  it("should write JUnit XML that parses, with one failure per failed gate check and an error for an all-failed task", () => {
    const xml = reportJunit(sweep(true));
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml) as { testsuites: { testsuite: { "@_name": string; "@_failures": string; "@_errors": string }[] } };
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s) => s["@_name"])).toEqual(["gate", "local · multi", "local · single"]);
    expect(suites[0]!["@_failures"]).toBe("1");
    expect(suites[2]!["@_errors"]).toBe("1");
  });

  it("should render both charts as SVG documents that parse as XML", async () => {
    const { accuracy, latency } = await reportCharts(sweep(false));
    for (const svg of [accuracy, latency]) {
      expect(svg.startsWith("<svg")).toBe(true);
      expect(XMLValidator.validate(svg)).toBe(true);
    }
    expect(accuracy).toContain("Final accuracy per task by mode");
  });
});
