import { describe, expect, it } from "vitest";
import { buildWorkload, fullPrompts, tokenizeExamples, type TokenizedExample } from "../../bench/workload.js";

/** An example whose query has `q` tokens and whose answer has `a` (ids encode which example they came from). */
const ex = (id: number, q: number, a: number): TokenizedExample => ({
  query: Array.from({ length: q }, () => id),
  full: Array.from({ length: q + a }, (_, i) => (i < q ? id : id + 1000)),
});

const size = {
  scorePrompts: 2,
  generatePrompts: 1,
  generateTokens: 8,
  prefixGroups: 2,
  suffixesPerGroup: 3,
  promptTokens: [20, 40] as const,
};

describe("bench workload", () => {
  it("should render with the NUGGETS template and tokenise query and full text", async () => {
    const seen: string[] = [];
    const [t] = await tokenizeExamples([{ instruction: " Add. ", input: "2 3", output: "5\n" }], async (s) => {
      seen.push(s);
      return [s.length];
    });
    expect(seen).toEqual(["Instruction:\nAdd.\nInput:\n2 3\nResponse:\n", "Instruction:\nAdd.\nInput:\n2 3\nResponse:\n5"]);
    expect(t).toEqual({ query: [39], full: [40] });
  });

  it("should build one-shot prompts in range, scored from the anchor's answer", () => {
    const examples = Array.from({ length: 40 }, (_, i) => ex(i, 8, 4 + (i % 5)));
    const w = buildWorkload(examples, [1], size);
    expect(w.score).toHaveLength(2);
    for (const r of w.score) {
      expect(r.tokens.length).toBeGreaterThanOrEqual(20);
      expect(r.tokens.length).toBeLessThanOrEqual(40);
      expect(r.tokens[0]).toBe(1);
      // The first scored token is the anchor's first answer token.
      expect(r.tokens[r.from]).toBeGreaterThanOrEqual(1000);
      expect(r.tokens[r.from - 1]).toBeLessThan(1000);
    }
  });

  it("should give every candidate the same anchors and use each example once", () => {
    const examples = Array.from({ length: 40 }, (_, i) => ex(i, 8, 6));
    const w = buildWorkload(examples, [1], size);
    expect(w.sharedPrefix).toHaveLength(2);
    expect(w.sharedPrefix[0]!.suffixes).toEqual(w.sharedPrefix[1]!.suffixes);
    expect(w.sharedPrefix[0]!.prefix).not.toEqual(w.sharedPrefix[1]!.prefix);
    const firstIds = [
      ...w.score.flatMap((r) => [r.tokens[1], r.tokens[r.from - 1]]),
      ...w.sharedPrefix.map((g) => g.prefix[1]),
      ...w.sharedPrefix[0]!.suffixes.map((s) => s.tokens[0]),
      ...w.generate.map((g) => g.prompt[1]),
    ];
    expect(new Set(firstIds).size).toBe(firstIds.length);
    expect(w.generate[0]!.params).toEqual({ maxTokens: 8, temperature: 0 });
  });

  it("should skip examples without an answer and fail when the data runs out", () => {
    const noAnswer = Array.from({ length: 40 }, (_, i) => ex(i, 12, 0));
    expect(() => buildWorkload(noAnswer, [1], size)).toThrow(RangeError);
  });

  it("should order full prompts candidate by candidate or anchor by anchor", () => {
    const groups = [
      { prefix: [1, 10], suffixes: [{ tokens: [20], from: 0 }, { tokens: [21], from: 0 }] },
      { prefix: [1, 11], suffixes: [{ tokens: [20], from: 0 }, { tokens: [21], from: 0 }] },
    ];
    expect(fullPrompts(groups, "grouped").map((r) => r.tokens)).toEqual([[1, 10, 20], [1, 10, 21], [1, 11, 20], [1, 11, 21]]);
    expect(fullPrompts(groups, "interleaved").map((r) => r.tokens)).toEqual([[1, 10, 20], [1, 11, 20], [1, 10, 21], [1, 11, 21]]);
    expect(fullPrompts(groups, "grouped")[0]!.from).toBe(2);
  });
});
