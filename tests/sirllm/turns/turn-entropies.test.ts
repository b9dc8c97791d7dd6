import { describe, expect, it } from "vitest";
import { turnEntropies } from "../../../shared/sirllm/turns/turn-entropies.js";
import type { FedToken } from "../../../shared/sirllm/turns/memory-driver.js";

const fed = (logprob: number | null, previousLogprob: number | null = null): FedToken => ({ token: 0, logprob, previousLogprob, argmax: null });

describe("turnEntropies", () => {
  it("should store −log p of each token under paper", () => {
    expect(turnEntropies("paper", [fed(-2), fed(-0.5), fed(-7.25)])).toEqual([2, 0.5, 7.25]);
  });

  it("should give a session's unpredicted first token its turn's maximum under paper", () => {
    expect(turnEntropies("paper", [fed(null), fed(-1), fed(-3)])).toEqual([3, 1, 3]);
    expect(turnEntropies("paper", [fed(null)])).toEqual([0]);
  });

  it("should store the previous token's id's surprisal, and the turn's maximum first, under reference", () => {
    // Token i >= 1 gets −log p(X_i = x_{i−1}); the first gets max of the others, whatever its own log-prob.
    expect(turnEntropies("reference", [fed(-9, -4), fed(-1, -2), fed(-1, -6)])).toEqual([6, 2, 6]);
  });

  it("should refuse reference where the engine cannot give an arbitrary token's probability", () => {
    expect(() => turnEntropies("reference", [fed(-1), fed(-1)])).toThrow(/arbitrary token id/);
  });

  it("should clamp a rounding-positive log-prob to 0 and store −∞ as the largest float32", () => {
    expect(turnEntropies("paper", [fed(1e-9), fed(-Infinity)])).toEqual([0, 3.4e38]);
  });

  it("should answer an empty turn with no entropies", () => {
    expect(turnEntropies("paper", [])).toEqual([]);
  });
});
