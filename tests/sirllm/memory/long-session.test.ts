/**
 * The point of SirLLM (REFERENCE.md §2): a key fact said once (a high-entropy token) outlives a long stretch of
 * low-entropy chat, where StreamingLLM forgets it. Pure, on hand-built entropies.
 */
import { describe, expect, it } from "vitest";
import type { MemoryPolicyName } from "../../../schemas/sirllm-memory.js";
import { simulateMemory } from "../../../shared/sirllm/memory/simulate.js";

// Turn 1: 10 tokens, the key at stream index 6. Then 30 filler turns of 8 tokens: 250 tokens through a 64-token cache.
const KEY = 6;
const turns = [[0.1, 0.1, 0.1, 0.1, 0.2, 0.3, 9.0, 0.2, 0.1, 0.1], ...Array.from({ length: 30 }, () => Array<number>(8).fill(0.2))];
const run = (policy: MemoryPolicyName, decay = 1) => simulateMemory({ policy, cacheSize: 64, sinks: 4, decay, seed: 0 }, turns);

describe("a high-entropy token in a long session", () => {
  it("should survive 30 low-entropy filler turns under sirllm", () => {
    const memory = run("sirllm");
    expect(memory.at(-1)).toHaveLength(64);
    for (const after of memory) expect(after).toContain(KEY);
  });

  it("should survive them under sirllm with decay 0.9 too (9 · 0.9^30 ≈ 0.38 still beats the fillers' 0.2)", () => {
    expect(run("sirllm", 0.9).at(-1)).toContain(KEY);
  });

  it("should be gone under streaming", () => {
    const memory = run("streaming");
    expect(memory.at(-1)).not.toContain(KEY);
    expect(memory.at(-1)).toEqual([0, 1, 2, 3, ...Array.from({ length: 60 }, (_, i) => 190 + i)]);
  });
});
