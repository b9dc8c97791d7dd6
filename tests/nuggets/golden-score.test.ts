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
