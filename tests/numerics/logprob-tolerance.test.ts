import { describe, expect, it } from "vitest";
import {
  compareForGoldenScore,
  LOGPROB_SUM_TOLERANCE,
  sumTolerance,
  winsRange,
  withinTolerance,
} from "../../shared/numerics/logprob-tolerance.js";

describe("sumTolerance", () => {
  it("should be the floor plus the relative part of the larger |sum|", () => {
    expect(LOGPROB_SUM_TOLERANCE).toEqual({ absolute: 0.2, relative: 1.5e-3 });
    expect(sumTolerance(-300, -300.4)).toBeCloseTo(0.2 + 1.5e-3 * 300.4, 12);
    expect(sumTolerance(-0.01, -0.02)).toBeCloseTo(0.2, 4);
    expect(sumTolerance(-10, -20, { absolute: 1, relative: 0.1 })).toBe(3);
  });

  it("should refuse a negative or non-finite tolerance", () => {
    expect(() => sumTolerance(-1, -1, { absolute: -0.1, relative: 0 })).toThrow(RangeError);
    expect(() => sumTolerance(-1, -1, { absolute: 0, relative: Number.NaN })).toThrow(RangeError);
  });
});

describe("withinTolerance", () => {
  it("should accept the largest differences measured between CPUs and batch splits", () => {
    // AVX2 vs AVX-512 kernels: 0.262 nats on a 538.8-nat sum, 0.032 on a 29.5-nat sum; one token: 0.1 nats.
    expect(withinTolerance(-538.8, -538.8 + 0.262)).toBe(true);
    expect(withinTolerance(-29.5, -29.5 - 0.032)).toBe(true);
    expect(withinTolerance(-8.47, -8.47 + 0.1)).toBe(true);
  });

  it("should refuse a difference of whole nats, as a wrong BOS, span or template makes", () => {
    expect(withinTolerance(-300, -301)).toBe(false);
    expect(withinTolerance(-700, -702)).toBe(false);
    expect(withinTolerance(-30, -30.5)).toBe(false);
  });

  it("should be symmetric, refuse NaN and accept equal infinities", () => {
    expect(withinTolerance(-300.6, -300)).toBe(withinTolerance(-300, -300.6));
    expect(withinTolerance(Number.NaN, Number.NaN)).toBe(false);
    expect(withinTolerance(-1, Number.NaN)).toBe(false);
    expect(withinTolerance(-Infinity, -Infinity)).toBe(true);
    expect(withinTolerance(-Infinity, -1)).toBe(false);
  });
});

describe("compareForGoldenScore", () => {
  it("should call a margin inside the tolerance a near tie, whichever way it leans", () => {
    expect(compareForGoldenScore(-299.8, -300)).toBe("near-tie");
    expect(compareForGoldenScore(-300.2, -300)).toBe("near-tie");
    expect(compareForGoldenScore(-300, -300)).toBe("near-tie");
  });

  it("should say above or below when the margin is clear", () => {
    expect(compareForGoldenScore(-295, -300)).toBe("above");
    expect(compareForGoldenScore(-305, -300)).toBe("below");
  });

  it("should call an empty span's 0 = 0 a loss, not a near tie: every computation gives exactly 0", () => {
    expect(compareForGoldenScore(0, 0)).toBe("below");
  });

  it("should refuse NaN rather than count it a loss", () => {
    expect(() => compareForGoldenScore(Number.NaN, -3)).toThrow(RangeError);
  });
});

describe("winsRange", () => {
  it("should give strict wins and the range near ties allow", () => {
    expect(winsRange([-300, -300, -300, 0], [-290, -299.9, -310, 0])).toEqual({
      wins: 2,
      nearTies: 1,
      min: 1,
      max: 2,
      anchors: 4,
    });
    // A near tie that leans to a loss can still become a win elsewhere.
    expect(winsRange([-300, -300], [-290, -300.1])).toMatchObject({ wins: 1, nearTies: 1, min: 1, max: 2 });
  });

  it("should use the tolerance it is given", () => {
    expect(winsRange([-300], [-299], { absolute: 0, relative: 0 })).toMatchObject({ wins: 1, nearTies: 0, min: 1, max: 1 });
    expect(winsRange([-300], [-299], { absolute: 2, relative: 0 })).toMatchObject({ wins: 1, nearTies: 1, min: 0, max: 1 });
  });

  it("should refuse sums over different anchor sets", () => {
    expect(() => winsRange([-1, -2], [-1])).toThrow(RangeError);
  });
});
