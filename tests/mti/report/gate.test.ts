import { describe, expect, it } from "vitest";
import { MtiGateSchema, type MtiGateInput } from "../../../schemas/mti-sweeps.js";
import { evaluateGate } from "../../../shared/mti/report/gate.js";
import { SweepAccumulator } from "../../../shared/mti/report/sweep-accumulator.js";
import { instance, line } from "./fixtures.js";

function reports(multiRight: number, singleRight: number, engine = "local") {
  const acc = new SweepAccumulator((t) => (t === "A" ? "MULTI-STEP" : undefined));
  for (let i = 0; i < 4; i++) {
    acc.addLine(line(i, "multi", 0, [instance(`A_${i}`, "A", [i < multiRight, true], 1)], engine));
    acc.addLine(line(10 + i, "single", 0, [instance(`A_${i}`, "A", [i < singleRight, true], 2)], engine));
  }
  return acc.report();
}

const gate = (g: MtiGateInput) => MtiGateSchema.parse(g);

describe("evaluateGate", () => {
  it("should pass when every threshold holds and list every check", () => {
    const r = evaluateGate(gate({ minFinalAccuracy: [{ mode: "multi", min: 0.5 }], maxLatencyRatio: [{ mode: "multi", relativeTo: "single", max: 0.6 }] }), reports(2, 1));
    expect(r.verdict).toBe("pass");
    expect(r.checks).toHaveLength(2);
    expect(r.checks.map((c) => c.actual)).toEqual([0.5, 0.5]);
    expect(r.failed).toEqual([]);
  });

  it("should fail naming each failed check with its measured value and bound", () => {
    const r = evaluateGate(gate({ minFinalAccuracy: [{ mode: "multi", min: 0.75 }, { mode: "single", min: 0.25 }], maxLatencyRatio: [{ mode: "multi", relativeTo: "single", max: 0.4 }] }), reports(2, 1));
    expect(r.verdict).toBe("fail");
    expect(r.failed.map((c) => [c.kind, c.actual, c.limit])).toEqual([
      ["minFinalAccuracy", 0.5, 0.75],
      ["maxLatencyRatio", 0.5, 0.4],
    ]);
  });

  it("should fail a check on something the sweep did not measure instead of skipping it", () => {
    const r = evaluateGate(gate({ minFinalAccuracy: [{ mode: "batch", min: 0 }, { mode: "multi", task: "Z", min: 0 }] }), reports(2, 1));
    expect(r.verdict).toBe("fail");
    expect(r.failed).toHaveLength(2);
    expect(r.failed[0]!.reason).toMatch(/did not run batch/);
    expect(r.failed[1]!.reason).toMatch(/no instance of task Z/);
  });

  it("should check subsets and tasks", () => {
    const r = evaluateGate(gate({ minFinalAccuracy: [{ mode: "multi", subset: "MULTI-STEP", min: 0.5 }, { mode: "multi", task: "A", min: 0.6 }] }), reports(2, 1));
    expect(r.checks.map((c) => c.passed)).toEqual([true, false]);
  });

  it("should compare with a baseline sweep within the allowed regression", () => {
    const baseline = reports(3, 2, "old-model");
    const within = evaluateGate(gate({ baseline: { sweepId: "ms_old", maxRegression: 0.25 } }), reports(2, 1), baseline);
    expect(within.verdict).toBe("pass");
    const beyond = evaluateGate(gate({ baseline: { sweepId: "ms_old", maxRegression: 0.1 } }), reports(2, 1), baseline);
    expect(beyond.verdict).toBe("fail");
    expect(beyond.failed.map((c) => c.name)).toEqual([
      expect.stringMatching(/multi on all tasks/),
      expect.stringMatching(/multi on subset MULTI-STEP/),
      expect.stringMatching(/single on all tasks/),
      expect.stringMatching(/single on subset MULTI-STEP/),
    ]);
  });

  it("should fail a baseline check when the baseline lacks the mode", () => {
    const baseline = reports(3, 2).filter((r) => r.mode === "multi");
    const r = evaluateGate(gate({ baseline: { sweepId: "ms_old", maxRegression: 0.5 } }), reports(2, 1), baseline);
    expect(r.failed.every((c) => /single/.test(c.name))).toBe(true);
    expect(r.failed[0]!.reason).toMatch(/has no single result/);
  });

  it("should refuse an empty gate and a ratio of a mode to itself", () => {
    expect(MtiGateSchema.safeParse({}).success).toBe(false);
    expect(MtiGateSchema.safeParse({ maxLatencyRatio: [{ mode: "multi", relativeTo: "multi", max: 1 }] }).success).toBe(false);
  });
});
