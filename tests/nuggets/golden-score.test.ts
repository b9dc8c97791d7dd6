import { describe, expect, it } from "vitest";
import { ValidationError } from "../../shared/errors.js";
import { goldenScore } from "../../shared/nuggets/golden-score.js";

describe("goldenScore", () => {
  it("should count only strict wins: a tie loses", () => {
    expect(goldenScore([-5, -3, -2, 0], [-4, -3, -9, 0])).toEqual({ goldenScore: 0.25, wins: 1, anchors: 4 });
  });

  it("should give 1 when every anchor improves and 0 when none does", () => {
    expect(goldenScore([-2, -2], [-1, -1.5]).goldenScore).toBe(1);
    expect(goldenScore([-2, -2], [-2, -2.5]).goldenScore).toBe(0);
  });

  it("should refuse score lists of different lengths or no anchors", () => {
    expect(() => goldenScore([-1, -2], [-1])).toThrow(ValidationError);
    expect(() => goldenScore([], [])).toThrow(/empty/);
  });
});

describe("near ties", () => {
  it("should list the anchors decided inside the tolerance and give the golden score's range", async () => {
    const { nearTieRange } = await import("../../shared/nuggets/golden-score.js");
    // Tolerance 0.2 + 1.5e-3 × |sum|: 0.35 nats at -100, 0.275 at -50.
    const zeroShot = [-100, -100, -50, -50, -100];
    const oneShot = [-99.9, -99, -50.1, -60, -100];
    const r = nearTieRange(zeroShot, oneShot);
    expect(r.nearTies).toEqual([0, 2, 4]); // +0.1, -0.1 and an exact tie are all inside the tolerance
    expect(r.goldenScoreRange).toEqual([1 / 5, 4 / 5]); // one clear win (-99 vs -100); three could go either way
  });

  it("should give a point range when nothing is close", async () => {
    const { nearTieRange } = await import("../../shared/nuggets/golden-score.js");
    expect(nearTieRange([-10, -10], [-5, -20])).toEqual({ nearTies: [], goldenScoreRange: [0.5, 0.5] });
  });
});
