import { describe, expect, it } from "vitest";
import type { BenchVariant, Comparison } from "../../bench/cases.js";
import { maxAbsDiff } from "../../bench/checks.js";
import { renderTable, resultFileName, summarizeRun } from "../../bench/report.js";

const variant = (id: string): BenchVariant => ({ id, unit: "prompt tokens/s", description: id, run: async () => 0 });
const comparison: Comparison = { id: "x http/direct", numerator: "x/http", denominator: "x/direct", meaning: "ratio" };
const samples = new Map([
  ["x/direct", { seconds: [1, 2, 1], units: [100, 100, 100], rates: [100, 50, 100] }],
  ["x/http", { seconds: [2, 4, 1.25], units: [100, 100, 100], rates: [50, 25, 80] }],
]);

describe("bench report", () => {
  it("should summarise each variant and take each ratio per round", () => {
    const r = summarizeRun([variant("x/direct"), variant("x/http")], [comparison], samples);
    expect(r.variants["x/direct"]!.summary.median).toBe(100);
    expect(r.variants["x/http"]!.perRound).toEqual([50, 25, 80]);
    expect(r.comparisons["x http/direct"]!.perRound).toEqual([0.5, 0.5, 0.8]);
    expect(r.comparisons["x http/direct"]!.summary.median).toBe(0.5);
  });

  it("should refuse a comparison of a variant that was not run", () => {
    expect(() => summarizeRun([variant("x/direct")], [comparison], new Map([["x/direct", samples.get("x/direct")!]]))).toThrow(
      /x\/http/,
    );
  });

  it("should render one row per variant and per ratio", () => {
    const r = summarizeRun([variant("x/direct"), variant("x/http")], [comparison], samples);
    const table = renderTable({
      ...r,
      engine: { model: "m", modelPath: "/m.gguf", threads: 1, contextSize: 512, bosToken: 1 },
      machine: {
        cpus: 2,
        cpuModel: "cpu",
        totalMemoryGiB: 4,
        platform: "linux",
        arch: "x64",
        node: "v22",
        serverNode: "v22",
        nodeLlamaCpp: "3",
      },
    });
    const lines = table.split("\n");
    expect(lines[0]).toContain("threads 1, context 512");
    expect(lines.find((l) => l.startsWith("x/http"))).toMatch(/prompt tokens\/s\s+50\.0\s/);
    expect(lines.find((l) => l.startsWith("x http/direct"))).toMatch(/0\.500\s+0\.500–0\.650\s+0\.500–0\.800$/);
  });

  it("should name result files by a filesystem-safe timestamp", () => {
    expect(resultFileName(new Date("2025-01-31T12:00:00.123Z"))).toBe("engine-2025-01-31T12-00-00-123Z.json");
  });

  it("should measure the largest log-prob difference and flag length mismatches", () => {
    expect(maxAbsDiff([-1, -2], [-1.5, -2])).toBe(0.5);
    expect(maxAbsDiff([-1], [-1, -2])).toBe(Infinity);
  });
});
