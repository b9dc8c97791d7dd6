import { describe, expect, it } from "vitest";
import { quantile, ratiosPerRound, summarize } from "../../bench/stats.js";

describe("bench stats", () => {
  it("should interpolate quantiles between order statistics regardless of input order", () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75);
    expect(quantile([7], 0.75)).toBe(7);
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it("should summarise median, quartiles, extremes and the IQR relative to the median", () => {
    const s = summarize([10, 30, 20, 40, 50]);
    expect(s).toEqual({ n: 5, median: 30, p25: 20, p75: 40, min: 10, max: 50, iqrPct: (20 / 30) * 100 });
  });

  it("should take ratios within each round, not of the medians", () => {
    // Round 2 is slow for both variants; per-round ratios stay 0.5 where a ratio of medians would not.
    const http = [50, 10, 52];
    const direct = [100, 20, 104];
    expect(ratiosPerRound(http, direct)).toEqual([0.5, 0.5, 0.5]);
    expect(() => ratiosPerRound([1], [1, 2])).toThrow(RangeError);
  });
});
