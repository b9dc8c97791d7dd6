/**
 * SirLLM's eviction rules (REFERENCE.md §2) pinned on hand-built memories: top-k, ties, sinks, refill, order, decay,
 * and the exact-fit boundary.
 */
import { describe, expect, it } from "vitest";
import type { MemoryPolicySettings } from "../../../schemas/sirllm-memory.js";
import { appendTurn } from "../../../shared/sirllm/memory/append-turn.js";
import { emptyMemoryState, type MemoryState } from "../../../shared/sirllm/memory/memory-state.js";
import { evictedRanges } from "../../../shared/sirllm/memory/position-ranges.js";
import { rankByEntropy } from "../../../shared/sirllm/memory/sirllm-selection.js";
import { simulateMemory } from "../../../shared/sirllm/memory/simulate.js";

const sirllm = (cacheSize: number, sinks: number, decay = 1): MemoryPolicySettings => ({ policy: "sirllm", cacheSize, sinks, decay, seed: 0 });

/** Memory after the given turns (token ids are the stream indices, so a test can see which tokens stayed). */
function run(settings: MemoryPolicySettings, turns: number[][]): MemoryState {
  let state = emptyMemoryState();
  for (const entropies of turns) {
    state = appendTurn(settings, state, { tokens: entropies.map((_, i) => state.tokenCount + i), entropies }).state;
  }
  return state;
}

describe("sirllm policy", () => {
  it("should keep the top k = cacheSize − sinks − len(turn) by entropy, plus the sinks, in original order", () => {
    // Memory [1, 1, 5, 2, 0.5, 3, 3, 3] (8 = cacheSize), turn of 2: k = 8 − 2 − 2 = 4 → {2, 5, 6, 7}, sinks {0, 1}.
    const before = run(sirllm(8, 2), [[1, 1, 5, 2, 0.5], [3, 3, 3]]);
    const r = appendTurn(sirllm(8, 2), before, { tokens: [8, 9], entropies: [1, 1] });
    expect(r.state.indices).toEqual([0, 1, 2, 5, 6, 7, 8, 9]);
    expect(r.state.tokens).toEqual([0, 1, 2, 5, 6, 7, 8, 9]);
    expect(r.state.entropies).toEqual([1, 1, 5, 3, 3, 3, 1, 1]);
    expect(r.state.turns).toEqual([0, 0, 0, 1, 1, 1, 2, 2]);
    expect(r.evicted).toEqual([{ start: 3, end: 5 }]);
    expect(r.state.evictions).toBe(1);
  });

  it("should take exactly k from the ranking: one fewer room, one fewer high-entropy token", () => {
    // Same memory, turn of 3: k = 3 → {2, 5, 6}; room 5 = 2 sinks + 3, so position 7 (entropy 3) goes.
    const before = run(sirllm(8, 2), [[1, 1, 5, 2, 0.5], [3, 3, 3]]);
    expect(appendTurn(sirllm(8, 2), before, { tokens: [8, 9, 10], entropies: [0, 0, 0] }).state.indices).toEqual([0, 1, 2, 5, 6, 8, 9, 10]);
  });

  it("should break ties on equal entropies in favour of the older token", () => {
    expect(rankByEntropy([1, 2, 2, 0, 2])).toEqual([1, 2, 4, 0, 3]);
    // cacheSize 5, sinks 1, memory [0, 2, 2, 2, 1], turn of 2: k = 2 of the three 2s → the two older ones.
    const memory = simulateMemory(sirllm(5, 1), [[0, 2, 2, 2, 1], [0, 0]]);
    expect(memory[1]).toEqual([0, 1, 2, 5, 6]);
  });

  it("should decide ties on the stored float32 values", () => {
    // 1.0000000001 is 1 in float32: a tie with the older 1, which wins (in float64 the newer one would).
    const before = run(sirllm(4, 1), [[0, 1, 1.0000000001, 0]]);
    expect(before.entropies[1]).toBe(before.entropies[2]);
    expect(appendTurn(sirllm(4, 1), before, { tokens: [4, 5], entropies: [0, 0] }).state.indices).toEqual([0, 1, 4, 5]);
  });

  it("should count a sink in the top k once and refill the place it leaves with the most recent token", () => {
    // cacheSize 6, sinks 2, memory [9, 0, 1, 2, 3], turn of 2: k = 2 → {0 (a sink), 4}; ∪ sinks = {0, 1, 4};
    // room 4, so the most recent token not kept (position 3) fills it.
    const r = appendTurn(sirllm(6, 2), run(sirllm(6, 2), [[9, 0, 1, 2, 3]]), { tokens: [5, 6], entropies: [0, 0] });
    expect(r.state.indices).toEqual([0, 1, 3, 4, 5, 6]);
    expect(r.evicted).toEqual([{ start: 2, end: 3 }]);
  });

  it("should refill with the most recent tokens when k is zero", () => {
    // cacheSize 6, sinks 2, turn of 4: k = 0, room 2 = the sinks only.
    expect(simulateMemory(sirllm(6, 2), [[9, 9, 9, 9, 9], [0, 0, 0, 0]])[1]).toEqual([0, 1, 5, 6, 7, 8]);
    // cacheSize 7, sinks 2, turn of 4: k = 1 → position 2 (entropy 9); room 3 = sinks + it.
    expect(simulateMemory(sirllm(7, 2), [[0, 0, 9, 1, 1, 1], [0, 0, 0, 0]])[1]).toEqual([0, 1, 2, 6, 7, 8, 9]);
  });

  it("should keep the kept tokens in their original order, not in ranking order", () => {
    const r = appendTurn(sirllm(6, 1), run(sirllm(6, 1), [[0, 1, 5, 2, 4, 3]]), { tokens: [6, 7], entropies: [0, 0] });
    // k = 3 → ranking 2 (5), 4 (4), 5 (3); kept in stream order.
    expect(r.state.indices).toEqual([0, 2, 4, 5, 6, 7]);
    expect(r.state.entropies).toEqual([0, 5, 4, 3, 0, 0]);
  });

  it("should not evict when memory + turn equals cacheSize exactly, and evict at one more", () => {
    const exact = appendTurn(sirllm(8, 2), run(sirllm(8, 2), [[1, 1, 1, 1, 1]]), { tokens: [5, 6, 7], entropies: [1, 1, 1] });
    expect(exact.evicted).toEqual([]);
    expect(exact.state.indices).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(exact.state.evictions).toBe(0);
    const over = appendTurn(sirllm(8, 2), exact.state, { tokens: [8], entropies: [1] });
    expect(over.state.indices).toHaveLength(8);
    expect(over.state.evictions).toBe(1);
  });

  it("should decay every stored entropy, sinks too, every turn even without eviction, and append the turn undecayed", () => {
    const settings = sirllm(100, 1, 0.5);
    const one = run(settings, [[2, 4]]);
    expect(one.entropies).toEqual([2, 4]);
    const two = run(settings, [[2, 4], [8]]);
    expect(two.entropies).toEqual([1, 2, 8]);
    expect(run(settings, [[2, 4], [8], [1]]).entropies).toEqual([0.5, 1, 4, 1]);
    expect(run(settings, [[2, 4], [8], [1], []]).entropies).toEqual([0.25, 0.5, 2, 0.5]); // an empty turn decays too
  });

  it("should decay in float32: each turn's product rounded to float32, as a stored session would hold it", () => {
    const state = run(sirllm(100, 1, 0.7), [[1], [], []]);
    expect(state.entropies[0]).toBe(Math.fround(Math.fround(1 * 0.7) * 0.7));
    expect(state.entropies[0]).not.toBe(0.7 * 0.7);
  });

  it("should decay after the eviction step, so this turn's ranking sees last turn's values", () => {
    // decay 0.5, cacheSize 4, sinks 1. Turn 0 [0, 3, 0]; turn 1 [2]: memory [0, 1.5, 0, 2] (no eviction).
    // Turn 2 of 1: k = 2 → positions 3 (2) and 1 (1.5); then decay and append.
    const settings = sirllm(4, 1, 0.5);
    const r = appendTurn(settings, run(settings, [[0, 3, 0], [2]]), { tokens: [4], entropies: [6] });
    expect(r.state.indices).toEqual([0, 1, 3, 4]);
    expect(r.state.entropies).toEqual([0, 0.75, 1, 6]);
  });

  it("should let decay make an old high-entropy token lose to a newer, lower one", () => {
    // Token 1 enters with 4 and halves at turns 1, 2 and 3; token 4 enters at turn 3 with 1.5, not decayed yet when
    // turn 4's eviction (k = 5 − 1 − 3 = 1) ranks 0.5 against 1.5.
    const turns = [[0, 4], [0], [0], [1.5], [0, 0, 0]];
    expect(simulateMemory(sirllm(5, 1, 0.5), turns).at(-1)).toEqual([0, 4, 5, 6, 7]);
    expect(simulateMemory(sirllm(5, 1, 1), turns).at(-1)).toEqual([0, 1, 5, 6, 7]);
  });

  it("should report every removed stretch of memory positions as one half-open range", () => {
    expect(evictedRanges(8, [0, 3, 7])).toEqual([{ start: 1, end: 3 }, { start: 4, end: 7 }]);
    expect(evictedRanges(5, [1, 2])).toEqual([{ start: 0, end: 1 }, { start: 3, end: 5 }]);
    expect(evictedRanges(3, [0, 1, 2])).toEqual([]);
    // cacheSize 6, sinks 1, memory [0, 5, 0, 0, 4, 0], turn of 3: k = 2 keeps positions 1 and 4.
    const r = appendTurn(sirllm(6, 1), run(sirllm(6, 1), [[0, 5, 0, 0, 4, 0]]), { tokens: [6, 7, 8], entropies: [0, 0, 0] });
    expect(r.evicted).toEqual([{ start: 2, end: 4 }, { start: 5, end: 6 }]);
    expect(r.state.indices).toEqual([0, 1, 4, 6, 7, 8]);
  });

  it("should leave the state it was given unchanged", () => {
    const before = run(sirllm(8, 2, 0.9), [[1, 1, 5, 2, 0.5], [3, 3, 3]]);
    const copy = structuredClone(before);
    Object.freeze(before.entropies);
    appendTurn(sirllm(8, 2, 0.9), before, { tokens: [8, 9], entropies: [1, 1] });
    expect(before).toEqual(copy);
  });
});
