/**
 * What is refused rather than truncated or guessed: turns that cannot fit, settings out of range, malformed turns.
 */
import { describe, expect, it } from "vitest";
import type { MemoryPolicyName, MemoryPolicySettings } from "../../../schemas/sirllm-memory.js";
import { ValidationError } from "../../../shared/errors.js";
import { appendTurn } from "../../../shared/sirllm/memory/append-turn.js";
import { MemoryTurnRefusedError } from "../../../shared/sirllm/memory/memory-errors.js";
import { emptyMemoryState, type MemoryState } from "../../../shared/sirllm/memory/memory-state.js";
import { parseMemoryPolicySettings } from "../../../shared/sirllm/memory/policy-settings.js";
import { simulateMemory } from "../../../shared/sirllm/memory/simulate.js";

const settings = (policy: MemoryPolicyName, cacheSize = 8, sinks = 2): MemoryPolicySettings => ({ policy, cacheSize, sinks, decay: 1, seed: 0 });
const turnOf = (n: number) => ({ tokens: Array<number>(n).fill(0), entropies: Array<number>(n).fill(1) });

function after(s: MemoryPolicySettings, lengths: number[]): MemoryState {
  return lengths.reduce((state, n) => appendTurn(s, state, turnOf(n)).state, emptyMemoryState());
}

describe("turns that cannot fit", () => {
  for (const policy of ["sirllm", "streaming", "random", "interval"] as const) {
    it(`should refuse under ${policy} a turn longer than cacheSize − the sinks that must stay, and accept one that fits`, () => {
      const memory = after(settings(policy), [5]); // 5 tokens, 2 of them sinks
      const refuse = () => appendTurn(settings(policy), memory, turnOf(7));
      expect(refuse).toThrow(MemoryTurnRefusedError);
      expect(refuse).toThrow(`turn 1 (7 tokens) cannot fit even after eviction: cache size 8 − 2 sinks that must stay leaves room for 6`);
      const fits = appendTurn(settings(policy), memory, turnOf(6));
      expect(fits.state.indices).toEqual([0, 1, 5, 6, 7, 8, 9, 10]);
    });
  }

  it("should count only the sinks in memory: min(sinks, len(memory))", () => {
    const s = settings("sirllm", 8, 4);
    const memory = after(s, [1]); // one token, one sink
    expect(() => appendTurn(s, memory, turnOf(8))).toThrow("cache size 8 − 1 sink that must stay leaves room for 7");
    expect(appendTurn(s, memory, turnOf(7)).state.indices).toEqual([0, 1, 2, 3, 4, 5, 6, 7]); // exact fit
  });

  it("should refuse a first turn longer than the cache", () => {
    expect(() => simulateMemory(settings("sirllm"), [Array<number>(9).fill(1)])).toThrow("turn 0 (9 tokens) cannot fit");
  });

  it("should carry the sizes as details and be a ValidationError", () => {
    try {
      appendTurn(settings("streaming"), after(settings("streaming"), [5]), turnOf(7));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details).toEqual({
        policy: "streaming",
        turn: 1,
        turnLength: 7,
        memoryLength: 5,
        cacheSize: 8,
        sinksKept: 2,
      });
    }
  });
});

describe("settings", () => {
  it("should accept sensible settings", () => {
    expect(parseMemoryPolicySettings({ policy: "sirllm", cacheSize: 1024, sinks: 4, decay: 0.7, seed: 2 ** 32 - 1 })).toEqual({
      policy: "sirllm",
      cacheSize: 1024,
      sinks: 4,
      decay: 0.7,
      seed: 2 ** 32 - 1,
    });
    expect(parseMemoryPolicySettings({ policy: "full", cacheSize: 1, sinks: 0, decay: 1, seed: 0 }).sinks).toBe(0);
  });

  it.each([
    [{ sinks: 8 }, "sinks must be smaller than cacheSize"],
    [{ sinks: 9 }, "sinks must be smaller than cacheSize"],
    [{ cacheSize: 0, sinks: 0 }, "cacheSize must be at least 1"],
    [{ cacheSize: 8.5 }, "cacheSize must be an integer"],
    [{ sinks: -1 }, "sinks must be ≥ 0"],
    [{ decay: 0 }, "decay must be > 0"],
    [{ decay: 1.01 }, "decay must be ≤ 1"],
    [{ seed: -1 }, "seed must be ≥ 0"],
    [{ seed: 2 ** 32 }, "seed must be < 2^32"],
    [{ policy: "lru" }, "expected one of: sirllm, streaming, random, interval, full"],
  ])("should reject %o", (change, message) => {
    expect(() => parseMemoryPolicySettings({ ...settings("sirllm"), ...change })).toThrow(message);
    expect(() => appendTurn({ ...settings("sirllm"), ...change } as MemoryPolicySettings, emptyMemoryState(), turnOf(1))).toThrow(ValidationError);
  });
});

describe("malformed turns", () => {
  it.each([
    [{ tokens: [1, 2], entropies: [1] }, "2 token ids but 1 entropies"],
    [{ tokens: [1], entropies: [-0.5] }, "token 0: entropy -0.5 is negative"],
    [{ tokens: [1], entropies: [Number.NaN] }, "token 0: entropy NaN is not a number"],
    [{ tokens: [1], entropies: [Infinity] }, "not finite in float32"],
    [{ tokens: [1], entropies: [1e39] }, "not finite in float32"],
    [{ tokens: [1.5], entropies: [1] }, "id 1.5 is not an unsigned 32-bit integer"],
    [{ tokens: [-1], entropies: [1] }, "id -1 is not an unsigned 32-bit integer"],
  ])("should reject %o", (turn, message) => {
    expect(() => appendTurn(settings("sirllm"), emptyMemoryState(), turn)).toThrow(ValidationError);
    expect(() => appendTurn(settings("sirllm"), emptyMemoryState(), turn)).toThrow(message);
  });

  it("should accept an entropy of 0 and store −0 as 0", () => {
    expect(Object.is(appendTurn(settings("sirllm"), emptyMemoryState(), { tokens: [1], entropies: [-0] }).state.entropies[0], 0)).toBe(true);
  });
});
