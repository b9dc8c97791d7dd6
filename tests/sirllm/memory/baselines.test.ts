/**
 * The baselines under SirLLM's budget (REFERENCE.md §2): streaming (the authors' code), random and interval (the
 * paper's text, assay's definitions in random-selection.ts and interval-selection.ts), and full (no eviction).
 */
import { describe, expect, it } from "vitest";
import type { MemoryPolicyName, MemoryPolicySettings } from "../../../schemas/sirllm-memory.js";
import { appendTurn } from "../../../shared/sirllm/memory/append-turn.js";
import { MemoryTurnRefusedError } from "../../../shared/sirllm/memory/memory-errors.js";
import { emptyMemoryState } from "../../../shared/sirllm/memory/memory-state.js";
import { intervalStride } from "../../../shared/sirllm/memory/interval-selection.js";
import { randomTurnSeed } from "../../../shared/sirllm/memory/random-selection.js";
import { simulateMemory } from "../../../shared/sirllm/memory/simulate.js";

const settings = (policy: MemoryPolicyName, cacheSize: number, sinks: number, seed = 0): MemoryPolicySettings => ({
  policy,
  cacheSize,
  sinks,
  decay: 1,
  seed,
});
const flat = (turns: number, length: number): number[][] => Array.from({ length: turns }, () => Array<number>(length).fill(1));

describe("streaming policy", () => {
  it("should keep the sinks and the most recent tokens, whatever the entropies", () => {
    const memory = simulateMemory(settings("streaming", 6, 2), [[9, 9, 9, 0, 0], [0, 0]]);
    expect(memory).toEqual([[0, 1, 2, 3, 4], [0, 1, 3, 4, 5, 6]]);
  });

  it("should evict at the same moment as sirllm: not at an exact fit", () => {
    expect(simulateMemory(settings("streaming", 8, 2), [[1, 1, 1, 1, 1], [1, 1, 1]])[1]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe("random policy", () => {
  const turns = flat(12, 10);
  const run = (seed: number) => simulateMemory(settings("random", 32, 4, seed), turns);

  it("should keep the sinks and exactly the room, in original order", () => {
    for (const memory of run(7).slice(4)) {
      expect(memory).toHaveLength(32);
      expect(memory.slice(0, 4)).toEqual([0, 1, 2, 3]);
      expect(memory).toEqual([...memory].sort((a, b) => a - b));
      expect(new Set(memory).size).toBe(32);
    }
  });

  it("should be reproducible for a seed and differ for another seed", () => {
    expect(run(7)).toEqual(run(7));
    expect(run(8)).not.toEqual(run(7));
    expect(run(0)).not.toEqual(run(7));
  });

  it("should not simply keep the most recent tokens", () => {
    expect(run(7).at(-1)).not.toEqual(simulateMemory(settings("streaming", 32, 4), turns).at(-1));
  });

  it("should draw each turn's sample from (seed, turn number, state) alone", () => {
    let state = emptyMemoryState();
    const s = settings("random", 32, 4, 3);
    for (const entropies of turns.slice(0, 6)) state = appendTurn(s, state, { tokens: entropies.map(() => 0), entropies }).state;
    const turn = { tokens: Array<number>(10).fill(0), entropies: Array<number>(10).fill(1) };
    const a = appendTurn(s, state, turn);
    expect(appendTurn(s, structuredClone(state), turn)).toEqual(a);
    // The same memory one turn number later draws another sample.
    expect(appendTurn(s, { ...state, turnCount: state.turnCount + 1 }, turn).state.indices).not.toEqual(a.state.indices);
    // Entropies play no part.
    expect(appendTurn(s, { ...state, entropies: state.entropies.map((_, i) => i) }, turn).state.indices).toEqual(a.state.indices);
  });

  it("should give different turns and seeds different streams", () => {
    const seeds = new Set<number>();
    for (let seed = 0; seed < 4; seed++) for (let turn = 0; turn < 50; turn++) seeds.add(randomTurnSeed(seed, turn));
    expect(seeds.size).toBe(200);
    expect(randomTurnSeed(0, 2 ** 32)).not.toBe(randomTurnSeed(0, 0));
  });
});

describe("interval policy", () => {
  it("should use stride ⌊(tokens so far + turn) / cacheSize⌋, at least 1", () => {
    expect(intervalStride(8, 4, 8)).toBe(1);
    expect(intervalStride(12, 4, 8)).toBe(2);
    expect(intervalStride(28, 4, 8)).toBe(4);
    expect(intervalStride(0, 3, 8)).toBe(1);
  });

  it("should keep the sinks and every stride-th token, the most recent qualifying ones, refilled to the room", () => {
    // cacheSize 8, sinks 1, turns of 4. A token with stream index i qualifies when (i − 1) mod stride = 0.
    const memory = simulateMemory(settings("interval", 8, 1), flat(8, 4));
    expect(memory).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2, 3, 4, 5, 6, 7], // exact fit
      [0, 5, 6, 7, 8, 9, 10, 11], // stride ⌊12/8⌋ = 1: all qualify, the 3 most recent stay
      [0, 7, 9, 11, 12, 13, 14, 15], // stride 2: 5, 7, 9, 11 qualify; too many, the 3 most recent
      [0, 11, 13, 15, 16, 17, 18, 19], // stride 2: 7, 9, 11, 13, 15 qualify
      [0, 13, 16, 19, 20, 21, 22, 23], // stride 3: 13, 16, 19 qualify, exactly the room
      [0, 16, 19, 22, 24, 25, 26, 27], // stride 3: 13, 16, 19, 22 qualify
      [0, 25, 26, 27, 28, 29, 30, 31], // stride 4: only 25 qualifies; 27 and 26 refill
    ]);
  });
});

describe("full policy", () => {
  it("should never evict and accept a turn that fills the context exactly", () => {
    expect(simulateMemory(settings("full", 8, 2), [[1, 1, 1], [1, 1, 1, 1, 1]])).toEqual([[0, 1, 2], [0, 1, 2, 3, 4, 5, 6, 7]]);
  });

  it("should refuse a turn that would overflow the context, naming the sizes", () => {
    const run = () => simulateMemory(settings("full", 8, 2), [[1, 1, 1], [1, 1, 1, 1, 1], [1]]);
    expect(run).toThrow(MemoryTurnRefusedError);
    expect(run).toThrow("turn 2 (1 tokens) would overflow the context: 8 tokens in memory + 1 > cache size 8");
  });
});
