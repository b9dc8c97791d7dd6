import { describe, expect, it } from "vitest";
import { BusyMeter, busyWithin } from "../../bench/nuggets-engine-meter.js";
import type { RunScores } from "../../bench/nuggets-engine-runs.js";
import { pipelinePhases } from "../../bench/nuggets-pipeline.js";
import { compareScores, renderNuggetsTable, summarizeNuggetsRun, summarizeOrchestration, summarizePhases } from "../../bench/nuggets-report.js";
import { chooseWorkload } from "../../bench/nuggets-workload.js";

const run = (wins: number[], shift = 0, second = -7): RunScores => ({
  zeroShot: [-5, -6],
  candidates: wins.map((w) => ({ wins: w, oneShot: [-4 + shift, second] })),
});

describe("compareScores", () => {
  it("should agree when every variant has the same wins and sums within the tolerance, reporting the largest difference", () => {
    const a = compareScores([{ direct: run([1, 1]), "shared-prefix": run([1, 1], 1e-6), pipeline: run([1, 1]) }]);
    expect(a).toMatchObject({ agree: true, winsEqual: true, pairsPerRound: 4, sumsOutsideTolerance: 0, nearTies: 0 });
    expect(a.tolerance).toEqual({ absolute: 0.2, relative: 1.5e-3 });
    expect(a.maxAbsOneShotDiff).toBeCloseTo(1e-6, 9);
    expect(a.maxSumDiffOverTolerance).toBeCloseTo(1e-6 / (0.2 + 1.5e-3 * 4), 9);
  });

  it("should name the round, candidate and each variant's wins where they differ by more than the near ties", () => {
    const a = compareScores([
      { direct: run([1, 1]), pipeline: run([1, 1]) },
      { direct: run([1, 1]), pipeline: run([1, 2]) },
    ]);
    expect(a.agree).toBe(false);
    expect(a.winsEqual).toBe(false);
    expect(a.mismatches).toEqual([{ round: 1, candidate: 1, wins: { direct: 1, pipeline: 2 }, nearTies: 0 }]);
  });

  it("should accept wins that differ by a near tie, and count it", () => {
    // -6.1 against a zero-shot -6: a margin of 0.1 nats, inside 0.2 + 1.5e-3 · 6.1; the direct run counted it a loss.
    const a = compareScores([{ direct: run([1, 1], 0, -6.1), pipeline: run([1, 2], 0, -6.1) }]);
    expect(a).toMatchObject({ agree: true, winsEqual: false, mismatches: [], nearTies: 2, winsDifferingByNearTies: 1 });
  });

  it("should disagree when a sum moves by more than the tolerance, even with equal wins", () => {
    const a = compareScores([{ direct: run([1, 1]), pipeline: run([1, 1], 0.5) }]);
    expect(a).toMatchObject({ agree: false, winsEqual: true, sumsOutsideTolerance: 2 });
    expect(a.maxSumDiffOverTolerance).toBeGreaterThan(1);
  });
});

describe("busyWithin / BusyMeter", () => {
  it("should count only the part of each interval inside the window", () => {
    expect(busyWithin([[0, 10], [20, 30]], 5, 25)).toBe(10);
  });

  it("should merge overlapping calls into one busy interval", () => {
    let t = 0;
    const m = new BusyMeter(() => t);
    m.enter(); // t=0
    t = 5;
    m.enter();
    t = 8;
    m.leave();
    t = 12;
    m.leave();
    expect(m.intervals).toEqual([[0, 12]]);
  });
});

describe("pipelinePhases", () => {
  it("should split the job's wall time at the records' timestamps, with the engine's busy time per phase", () => {
    const p = pipelinePhases(
      { postedAt: 1000, completedAt: 2000 },
      { createdAt: 1010, preparedAt: 1100, pieces: [{ shard: 0, start: 1150, end: 1800 }, { shard: 1, start: 1160, end: 1900 }] },
      [[1050, 1090], [1150, 1900]],
    );
    expect([p.accept.ms, p.prepare.ms, p.dispatch.ms, p.shards.ms, p.finish.ms]).toEqual([10, 90, 50, 750, 100]);
    expect(p.total).toEqual({ ms: 1000, engineBusyMs: 790 });
    expect(p.shards.engineBusyMs).toBe(750);
    expect(summarizePhases([p]).dispatch.engineIdleMs.median).toBe(50);
  });
});

describe("summarizeNuggetsRun", () => {
  const samples = new Map([
    ["direct", { seconds: [2, 4], units: [10, 10], rates: [5, 2.5] }],
    ["shared-prefix", { seconds: [1, 2], units: [10, 10], rates: [10, 5] }],
    ["pipeline", { seconds: [1.25, 2], units: [10, 10], rates: [9.5, 5] }],
  ]);
  const out = summarizeNuggetsRun({ direct: "a", "shared-prefix": "b", pipeline: "c" }, samples, 1000);

  it("should take (b)/(a) and (c)/(b) per round and judge the 0.9 target on the median", () => {
    expect(out.comparisons["shared-prefix/direct"]!.perRound).toEqual([2, 2]);
    const c = out.comparisons["pipeline/shared-prefix"]!;
    expect(c.perRound).toEqual([0.95, 1]);
    expect(c.summary.median).toBeCloseTo(0.975);
    expect(c.held).toBe(true);
    expect(out.variants.direct!.tokensPerSecond).toEqual([500, 250]);
  });

  it("should render a table that says whether each target held", () => {
    const table = renderNuggetsTable({
      workload: { candidates: 2, anchors: 5, pairs: 10, rounds: 2, shards: 1 },
      ...out,
      phases: {},
      orchestration: {
        inProcess: summarizeOrchestration("d", { candidates: 10, anchors: 2, shardSize: 5 }, [{ pairs: 20, seconds: 0.01, pairsPerSecond: 2000 }], 20_000),
      },
      checks: { agreement: compareScores([{ direct: run([1]), pipeline: run([1]) }]) },
    });
    expect(table).toMatch(/^pipeline\/shared-prefix\s+0\.975 .*≥ 0\.9 held$/m);
    expect(table).toMatch(/^inProcess \(10×2\)\s+2000\s+1\s+≥ 20000 MISSED$/m);
    expect(table).toContain("scores agree");
  });
});

describe("chooseWorkload", () => {
  const tokenize = async (t: string) => [...t].map((c) => c.charCodeAt(0));
  const ex = (instruction: string, output: string) => ({ instruction, output });

  it("should take anchors within the token bound and candidates that fit beside the longest anchor, in file order", async () => {
    // "Instruction:\n" + i + "\nResponse:\n" + o is 24 + |i| + |o| characters.
    const anchors = [ex("a".repeat(40), "x"), ex("b", "y"), ex("c", "zz")];
    const candidates = [ex("long".repeat(20), "o"), ex("d", "o"), ex("e", "o")];
    const w = await chooseWorkload(candidates, anchors, tokenize, { candidates: 2, anchors: 2, maxAnchorTokens: 30 }, 60, 1);
    expect(w.anchors.map((a) => a.sourceIndex)).toEqual([1, 2]);
    expect(w.candidates.map((c) => c.sourceIndex)).toEqual([1, 2]);
    expect(w.anchors.map((a) => a.fullTokens)).toEqual([26, 27]);
    expect(w.oneShotTokens).toBe(4 * 1 + 2 * (26 + 26) + 2 * (26 + 27));
    expect(w.zeroShotTokens).toBe(2 + 26 + 27);
  });

  it("should say what ran short when the pool cannot fill the workload", async () => {
    await expect(chooseWorkload([ex("d", "o")], [ex("b", "y")], tokenize, { candidates: 1, anchors: 2, maxAnchorTokens: 30 }, 60, 1)).rejects.toThrow(
      /only 1 anchors/,
    );
  });
});
