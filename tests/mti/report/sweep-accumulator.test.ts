import { describe, expect, it } from "vitest";
import { SweepAccumulator, latencyRatio, runStat } from "../../../shared/mti/report/sweep-accumulator.js";
import { instance, line } from "./fixtures.js";

describe("runStat", () => {
  it("should give the mean, range and sample SD over runs, ignoring runs without instances", () => {
    const s = runStat([0.5, 0.7, null]);
    expect(s.mean).toBeCloseTo(0.6, 12);
    expect(s.min).toBe(0.5);
    expect(s.max).toBe(0.7);
    expect(s.sd).toBeCloseTo(Math.SQRT2 / 10, 12);
    expect(s.runs).toBe(2);
  });

  it("should give no SD for a single run and nulls for none", () => {
    expect(runStat([0.25])).toEqual({ mean: 0.25, min: 0.25, max: 0.25, sd: null, runs: 1 });
    expect(runStat([])).toEqual({ mean: null, min: null, max: null, sd: null, runs: 0 });
  });
});

describe("SweepAccumulator", () => {
  it("should compute step, conditional and final accuracy per task and overall", () => {
    const acc = new SweepAccumulator();
    // task A (2 steps): RR, RW, WR, WW → step1 2/4, step2 2/4, cond2 1/4, final 1/4
    acc.addLine(line(0, "multi", 0, [instance("A_1", "A", [true, true])]));
    acc.addLine(line(1, "multi", 0, [instance("A_2", "A", [true, false])]));
    acc.addLine(line(2, "multi", 0, [instance("A_3", "A", [false, true])]));
    acc.addLine(line(3, "multi", 0, [instance("A_4", "A", [false, false])]));
    // task B (3 steps): RRR, RRW
    acc.addLine(line(4, "multi", 0, [instance("B_1", "B", [true, true, true])]));
    acc.addLine(line(5, "multi", 0, [instance("B_2", "B", [true, true, false])]));
    const [report] = acc.report();
    expect(report?.engine).toBe("local");
    const a = report!.tasks["A"]!;
    expect(a.instances).toBe(4);
    expect(a.stepAccuracy.map((s) => s.mean)).toEqual([0.5, 0.5]);
    expect(a.conditionalAccuracy.map((s) => s.mean)).toEqual([0.5, 0.25]);
    expect(a.finalAccuracy.mean).toBe(0.25);
    const b = report!.tasks["B"]!;
    expect(b.stepAccuracy.map((s) => s.mean)).toEqual([1, 1, 0.5]);
    expect(b.finalAccuracy.mean).toBe(0.5);
    // overall: 6 instances; final 2/6; step 3 only over B's 2 instances
    expect(report!.overall.instances).toBe(6);
    expect(report!.overall.finalAccuracy.mean).toBeCloseTo(2 / 6, 12);
    expect(report!.overall.stepAccuracy[2]!.mean).toBe(0.5);
    expect(report!.overall.conditionalAccuracy[1]!.mean).toBeCloseTo(3 / 6, 12);
  });

  it("should score only the steps a line marks as scored (Batch Prompting on step 1)", () => {
    const acc = new SweepAccumulator();
    acc.addLine(line(0, "batch", 0, [instance("A_1", "A", [true, false], 1, 1), instance("A_2", "A", [false, true], 1, 1)]));
    const r = acc.report()[0]!;
    expect(r.overall.stepAccuracy).toHaveLength(1);
    expect(r.overall.finalAccuracy.mean).toBe(0.5);
  });

  it("should average accuracy over runs and report the spread", () => {
    const acc = new SweepAccumulator();
    acc.addLine(line(0, "single", 0, [instance("A_1", "A", [true, true])]));
    acc.addLine(line(1, "single", 0, [instance("A_2", "A", [true, true])]));
    acc.addLine(line(2, "single", 1, [instance("A_1", "A", [true, true])]));
    acc.addLine(line(3, "single", 1, [instance("A_2", "A", [false, true])]));
    const f = acc.report()[0]!.overall.finalAccuracy;
    expect(f.mean).toBe(0.75);
    expect(f.min).toBe(0.5);
    expect(f.max).toBe(1);
    expect(f.runs).toBe(2);
    expect(f.sd).toBeCloseTo(Math.sqrt(0.125), 12);
  });

  it("should count error lines as errors, not as wrong answers", () => {
    const acc = new SweepAccumulator();
    acc.addLine(line(0, "multi", 0, [instance("A_1", "A", [true, true])]));
    acc.addError({ unit: 1, engine: "local", mode: "multi", run: 0, uids: ["A_2"], tasks: ["A"], error: { code: "engine", message: "refused" } });
    const a = acc.report()[0]!.tasks["A"]!;
    expect(a.instances).toBe(1);
    expect(a.errors).toBe(1);
    expect(a.finalAccuracy.mean).toBe(1);
  });

  it("should group tasks into subsets and list engines and modes in the requested order", () => {
    const acc = new SweepAccumulator((t) => (t === "A" ? "MULTI-STEP" : "MULTI-PART"), { engines: ["b", "a"], modes: ["single", "multi"] });
    acc.addLine(line(0, "multi", 0, [instance("A_1", "A", [true, true])], "a"));
    acc.addLine(line(1, "multi", 0, [instance("B_1", "B", [false, true])], "a"));
    acc.addLine(line(2, "single", 0, [instance("A_1", "A", [true, true])], "b"));
    acc.addLine(line(3, "multi", 0, [instance("A_1", "A", [true, false])], "b"));
    const reports = acc.report();
    expect(reports.map((r) => `${r.engine}/${r.mode}`)).toEqual(["b/single", "b/multi", "a/multi"]);
    const a = reports[2]!;
    expect(a.subsets["MULTI-STEP"]!.finalAccuracy.mean).toBe(1);
    expect(a.subsets["MULTI-PART"]!.finalAccuracy.mean).toBe(0);
  });

  it("should give seconds per instance and the ratio between modes", () => {
    const acc = new SweepAccumulator();
    acc.addLine(line(0, "single", 0, [instance("A_1", "A", [true, true], 3)]));
    acc.addLine(line(1, "multi", 0, [instance("A_1", "A", [true, true], 2)]));
    const reports = acc.report();
    expect(reports.find((r) => r.mode === "single")!.latency.secondsPerInstance).toBe(3);
    expect(latencyRatio(reports, "local", "single", "multi")).toBe(1.5);
    expect(latencyRatio(reports, "local", "single", "batch")).toBeNull();
  });
});
