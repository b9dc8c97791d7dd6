import { describe, expect, it } from "vitest";
import { argmax, logNormalizer, rankOf, topTokens } from "../../shared/engines/embedded/logits-math.js";
import { chooseToken } from "../../shared/engines/embedded/sampling.js";
import { seededRandom } from "../../shared/engines/embedded/seeded-random.js";
import { findStop } from "../../shared/engines/embedded/stop-strings.js";
import { logSoftmaxAt } from "../../shared/engines/engine.js";

describe("logits math", () => {
  const row = [2, 5, -1, 5, 0.5];

  it("should normalise like a float64 log-softmax", () => {
    const z = logNormalizer(row);
    row.forEach((v, t) => expect(v - z).toBeCloseTo(logSoftmaxAt(row, t), 12));
    expect(row.reduce((s, v) => s + Math.exp(v - z), 0)).toBeCloseTo(1, 12);
  });

  it("should rank like vLLM, counting ties against the token", () => {
    expect(rankOf(row, 1)).toBe(2);
    expect(rankOf(row, 0)).toBe(3);
    expect(rankOf(row, 2)).toBe(5);
  });

  it("should break argmax ties by the lowest id", () => {
    expect(argmax(row)).toBe(1);
  });

  it("should return the top k most likely first, and the whole vocabulary for k = -1", () => {
    expect(topTokens(row, 3).map((t) => t.token)).toEqual([1, 3, 0]);
    expect(topTokens(row, 0)).toEqual([]);
    expect(topTokens(row, -1).map((t) => t.token)).toEqual([1, 3, 0, 4, 2]);
    expect(topTokens(row, 1)[0]!.logprob).toBeCloseTo(logSoftmaxAt(row, 1), 12);
  });
});

describe("sampling", () => {
  const row = Array.from({ length: 50 }, (_, i) => Math.sin(i) * 3);

  it("should pick the argmax at temperature 0", () => {
    expect(chooseToken(row, { temperature: 0 }, () => 0.99)).toBe(argmax(row));
  });

  it("should be reproducible from a seed and follow the distribution", () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 2000 }, () => chooseToken(row, { temperature: 1 }, random));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    const counts = new Map<number, number>();
    for (const t of draw(5)) counts.set(t, (counts.get(t) ?? 0) + 1);
    const best = argmax(row);
    expect((counts.get(best) ?? 0) / 2000).toBeCloseTo(Math.exp(logSoftmaxAt(row, best)), 1);
  });

  it("should only draw from the top-p nucleus", () => {
    const peaked = [10, 9.5, 0, 0, 0, 0];
    const random = seededRandom(1);
    const seen = new Set(Array.from({ length: 500 }, () => chooseToken(peaked, { temperature: 1, topP: 0.9 }, random)));
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it("should fold any integer seed, including negative and int64-sized ones", () => {
    expect(seededRandom(-1)()).toBe(seededRandom(2 ** 32 - 1)());
    expect(Number.isFinite(seededRandom(2 ** 53)())).toBe(true);
  });
});

describe("stop strings", () => {
  it("should find the earliest stop string", () => {
    expect(findStop("the cat sat. The end", [".", "cat"])).toEqual({ index: 4, stop: "cat" });
    expect(findStop("no stop here", ["!"])).toBeNull();
    expect(findStop("a.b.", ["."], 2)).toEqual({ index: 3, stop: "." });
    expect(findStop("abc", [""])).toBeNull();
  });
});
