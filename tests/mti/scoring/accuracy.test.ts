import { describe, expect, it } from "vitest";
import { aggregateAccuracy, authorsStepScope, scoreInstance, type StepVerdict } from "../../../shared/mti/scoring/accuracy.js";

const v = (...matches: boolean[]): StepVerdict[] => matches.map((match) => ({ match }));

describe("scoreInstance", () => {
  it("should count a step conditionally only when every earlier step is right", () => {
    expect(scoreInstance(v(true, false, true), "all-steps")).toEqual({
      scope: "all-steps",
      steps: [true, false, true],
      conditional: [true, false, false],
      final: false,
    });
    expect(scoreInstance(v(false, true), "all-steps").conditional).toEqual([false, false]);
    expect(scoreInstance(v(true, true, true), "all-steps").final).toBe(true);
  });

  it("should score only step 1 when the scope says so", () => {
    expect(scoreInstance(v(true, false), "first-step")).toEqual({ scope: "first-step", steps: [true], conditional: [true], final: true });
  });

  it("should refuse an instance without steps", () => {
    expect(() => scoreInstance([], "all-steps")).toThrow(RangeError);
  });
});

describe("authorsStepScope", () => {
  it("should score Batch Prompting on step 1 only and the others on every step", () => {
    expect(authorsStepScope("batch")).toBe("first-step");
    expect(authorsStepScope("multi-task")).toBe("all-steps");
    expect(authorsStepScope("single-task")).toBe("all-steps");
  });
});

describe("aggregateAccuracy", () => {
  const instances = [v(true, true), v(true, false), v(false, true), v(true, true)];

  it("should give per-step, conditional and final accuracy", () => {
    const report = aggregateAccuracy(instances, "all-steps");
    expect(report).toEqual({
      version: 1,
      scope: "all-steps",
      instances: 4,
      steps: [
        { step: 1, scored: 4, correct: 3, accuracy: 0.75, conditionalCorrect: 3, conditionalAccuracy: 0.75, correctViaLenientClose: 0 },
        { step: 2, scored: 4, correct: 3, accuracy: 0.75, conditionalCorrect: 2, conditionalAccuracy: 0.5, correctViaLenientClose: 0 },
      ],
      finalCorrect: 2,
      finalAccuracy: 0.5,
    });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("should score Batch Prompting on step 1 only when asked the authors' way, and on every step as an option", () => {
    const firstOnly = aggregateAccuracy(instances, authorsStepScope("batch"));
    expect(firstOnly.steps).toHaveLength(1);
    expect(firstOnly.finalAccuracy).toBe(0.75);
    expect(aggregateAccuracy(instances, "all-steps").finalAccuracy).toBe(0.5);
  });

  it("should average each step over the instances that have it", () => {
    const report = aggregateAccuracy([v(true, true, false), v(true, false)], "all-steps");
    expect(report.steps.map((s) => [s.scored, s.correct, s.conditionalCorrect])).toEqual([
      [2, 2, 2],
      [2, 1, 1],
      [1, 0, 0],
    ]);
    expect(report.finalCorrect).toBe(0);
  });

  it("should count right answers read through the lenient closing tag apart", () => {
    const report = aggregateAccuracy(
      [
        [{ match: true, lenientClose: true }, { match: false, lenientClose: true }],
        [{ match: true }, { match: true, lenientClose: false }],
      ],
      "all-steps",
    );
    expect(report.steps.map((s) => s.correctViaLenientClose)).toEqual([1, 0]);
  });

  it("should give null accuracies, not NaN, for no instances", () => {
    expect(aggregateAccuracy([], "all-steps")).toEqual({ version: 1, scope: "all-steps", instances: 0, steps: [], finalCorrect: 0, finalAccuracy: null });
  });
});
