import { describe, expect, it } from "vitest";
import { kmeansAnchors, randomAnchors } from "../../shared/nuggets/anchors.js";
import { renderExample } from "../../shared/nuggets/template.js";
import type { NuggetsExample } from "../../schemas/nuggets.js";

const pool: NuggetsExample[] = Array.from({ length: 50 }, (_, i) => ({ instruction: `task ${i}`, output: `${i}` }));

describe("randomAnchors", () => {
  it("should draw the same distinct indices for the same seed", () => {
    const a = randomAnchors(pool, 10, 42);
    expect(randomAnchors(pool, 10, 42)).toEqual(a);
    expect(new Set(a.indices).size).toBe(10);
    expect(a.indices).toEqual([...a.indices].sort((x, y) => x - y));
    expect(a.examples).toEqual(a.indices.map((i) => pool[i]));
  });

  it("should draw a different set for a different seed and the whole pool when asked", () => {
    expect(randomAnchors(pool, 10, 43).indices).not.toEqual(randomAnchors(pool, 10, 42).indices);
    expect(randomAnchors(pool, 50, 1).indices).toEqual(pool.map((_, i) => i));
  });

  it("should refuse a size outside 1..pool and a non-integer seed", () => {
    expect(() => randomAnchors(pool, 51, 0)).toThrow(/between 1 and/);
    expect(() => randomAnchors(pool, 0, 0)).toThrow(/between 1 and/);
    expect(() => randomAnchors(pool, 3, 1.5)).toThrow(/seed/);
  });
});

describe("kmeansAnchors", () => {
  // Three tight 2-D clusters; in each, one point sits exactly at the cluster's mean.
  const points: [number, number][] = [
    [0, 0], [1, 0], [-1, 0], [0, 1], [0, -1],
    [10, 10], [11, 10], [9, 10], [10, 11], [10, 9],
    [-10, 10], [-9, 10], [-11, 10], [-10, 11], [-10, 9],
  ];
  const examples: NuggetsExample[] = points.map((_, i) => ({ instruction: `p${i}`, output: "o" }));
  const byText = new Map(examples.map((e, i) => [renderExample(e).full, points[i]!]));
  const embed = async (texts: string[]) => texts.map((t) => [...byText.get(t)!]);

  it("should embed the full templated text and pick the example nearest each centre", async () => {
    const seen: string[][] = [];
    const result = await kmeansAnchors(examples, async (t) => (seen.push(t), embed(t)), 3, 0);
    expect(seen[0]).toEqual(examples.map((e) => renderExample(e).full));
    expect(result.indices).toEqual([0, 5, 10]);
    expect(result.examples).toEqual([examples[0], examples[5], examples[10]]);
  });

  it("should be deterministic per seed and return k distinct examples even when k equals the pool", async () => {
    const a = await kmeansAnchors(examples, embed, 5, 7);
    expect(await kmeansAnchors(examples, embed, 5, 7)).toEqual(a);
    expect(new Set(a.indices).size).toBe(5);
    const all = await kmeansAnchors(examples, embed, 15, 1);
    expect(all.indices).toEqual(examples.map((_, i) => i));
  });

  it("should refuse a bad k or embeddings that do not match the examples", async () => {
    await expect(kmeansAnchors(examples, embed, 16, 0)).rejects.toThrow(/k must be/);
    await expect(kmeansAnchors(examples, async () => [[1, 2]], 2, 0)).rejects.toThrow(/vectors/);
    await expect(
      kmeansAnchors(examples, async (t) => t.map((_, i) => (i === 3 ? [1] : [1, 2])), 2, 0),
    ).rejects.toThrow(/embedding 3/);
  });
});
