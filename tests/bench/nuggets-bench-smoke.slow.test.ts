import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NuggetsComparison, NuggetsVariantResult, OrchestrationResult, ScoreAgreement } from "../../bench/nuggets-report.js";
import type { SelectBenchResult } from "../../bench/nuggets-select.js";
import { runBenchQuick } from "./run-bench.js";
import { LOGPROB_SUM_TOLERANCE } from "../../shared/numerics/logprob-tolerance.js";

// Runs `npm run bench:nuggets -- --quick` end to end (local stack, embedded engine on the test model, instant fake
// engine). Checks the record's shape and that (a), (b) and (c) computed the same golden scores; timings are never
// asserted.
let outDir: string;
let stdout = "";

interface Record {
  version: number;
  bench: string;
  mode: string;
  engine: { model: string; threads: number; contextSize: number };
  machine: { cpus: number };
  workload: { candidates: number; anchors: number; pairs: number; rounds: number; shards: number; anchorTokens: number[]; candidateTokens: number[] };
  checks: { agreement: ScoreAgreement; warmupAgreement: ScoreAgreement };
  variants: Record_<NuggetsVariantResult>;
  comparisons: Record_<NuggetsComparison>;
  pipelinePhases: { perRound: { total: { ms: number; engineBusyMs: number } }[] };
  orchestration: { inProcess: OrchestrationResult; localStack: OrchestrationResult };
  select: SelectBenchResult;
  targets: {
    pipelineOverEngine: { target: number; held: boolean };
    orchestrationPairsPerSecond: { target: number; held: boolean };
    selectPairRatio: SelectBenchResult["target"];
  };
}
type Record_<T> = { [id: string]: T };

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "assay-nuggets-bench-"));
  ({ stdout } = await runBenchQuick("nuggets.bench.ts", outDir));
}, 180_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe("nuggets bench --quick", () => {
  it("should write a timestamped record and nuggets-latest.json with the same content, and print its path and table", async () => {
    const files = (await readdir(outDir)).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^nuggets-\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
    expect(files[1]).toBe("nuggets-latest.json");
    const [stamped, latest] = await Promise.all(files.map((f) => readFile(join(outDir, f), "utf8")));
    expect(stamped).toBe(latest);
    expect(stdout).toContain(`results: ${join(outDir, files[0]!)}`);
    expect(stdout).toMatch(/^pipeline\/shared-prefix\s/m);
  });

  // The variants split prompts into batches differently, and llama.cpp's sums depend on that and on the CPU's kernels
  // (shared/numerics/logprob-tolerance.ts has the figures): sums must agree within LOGPROB_SUM_TOLERANCE and wins
  // may differ only by near ties, which the record counts.
  it("should find that direct, shared-prefix and pipeline scoring gave the same sums and wins, up to near ties", async () => {
    const r = JSON.parse(await readFile(join(outDir, "nuggets-latest.json"), "utf8")) as Record;
    const { agreement, warmupAgreement } = r.checks;
    expect(agreement.tolerance).toEqual(LOGPROB_SUM_TOLERANCE);
    expect(agreement.mismatches).toEqual([]);
    expect(agreement.sumsOutsideTolerance).toBe(0);
    expect(agreement.maxSumDiffOverTolerance).toBeLessThanOrEqual(1);
    expect(agreement.agree).toBe(true);
    expect(agreement.rounds).toBe(r.workload.rounds);
    expect(agreement.pairsPerRound).toBe(r.workload.pairs);
    expect(agreement.nearTies).toBeLessThanOrEqual(agreement.rounds * agreement.pairsPerRound);
    expect(warmupAgreement).toMatchObject({ agree: true, mismatches: [], sumsOutsideTolerance: 0 });
    console.log(
      `agreement: max |Δ one-shot| ${agreement.maxAbsOneShotDiff.toExponential(1)} nats ` +
        `(${agreement.maxSumDiffOverTolerance.toFixed(3)} of the tolerance); ${agreement.nearTies} near ties in ` +
        `${agreement.rounds * agreement.pairsPerRound} pairs; ${agreement.winsDifferingByNearTies} wins differing by near ties`,
    );
  });

  it("should record workload, per-variant figures, per-round ratios, phases, orchestration and targets", async () => {
    const r = JSON.parse(await readFile(join(outDir, "nuggets-latest.json"), "utf8")) as Record;
    expect(r).toMatchObject({ version: 1, bench: "nuggets", mode: "quick" });
    expect(r.engine).toMatchObject({ model: "stories260K", threads: 1, contextSize: 512 });
    expect(r.machine.cpus).toBeGreaterThan(0);
    const { candidates, anchors, pairs, rounds } = r.workload;
    expect(pairs).toBe(candidates * anchors);
    expect(r.workload.anchorTokens).toHaveLength(anchors);
    for (const [i, c] of r.workload.candidateTokens.entries()) {
      expect(1 + c + Math.max(...r.workload.anchorTokens), `candidate ${i} fits`).toBeLessThanOrEqual(r.engine.contextSize);
    }
    expect(Object.keys(r.variants).sort()).toEqual(["direct", "pipeline", "shared-prefix"]);
    for (const v of Object.values(r.variants)) {
      expect(v.pairs).toEqual(Array(rounds).fill(pairs));
      expect(v.pairsPerSecond).toHaveLength(rounds);
      for (const x of [...v.pairsPerSecond, ...v.tokensPerSecond]) expect(Number.isFinite(x) && x > 0).toBe(true);
    }
    const ratio = r.comparisons["pipeline/shared-prefix"]!;
    expect(ratio.perRound).toEqual(r.variants.pipeline!.pairsPerSecond.map((c, i) => c / r.variants["shared-prefix"]!.pairsPerSecond[i]!));
    expect(ratio.target).toBe(0.9);
    expect(ratio.held).toBe(ratio.summary.median >= 0.9);
    expect(r.comparisons["shared-prefix/direct"]!.perRound).toHaveLength(rounds);
    expect(r.targets.pipelineOverEngine.held).toBe(ratio.held);

    expect(r.pipelinePhases.perRound).toHaveLength(rounds);
    for (const p of r.pipelinePhases.perRound) expect(p.total.engineBusyMs).toBeLessThanOrEqual(p.total.ms + 1);
    const { inProcess, localStack } = r.orchestration;
    expect(inProcess.target).toBe(20_000);
    expect(inProcess.held).toBe(inProcess.pairsPerSecond.median >= 20_000);
    expect(localStack.runs[0]!.pairs).toBe(localStack.candidates * localStack.anchors);
    expect(r.targets.orchestrationPairsPerSecond.held).toBe(inProcess.held);
  });

  it("should compare select with exhaustive scoring on the same pairs at 0.5, 0.8 and 0.85, with the same subsets", async () => {
    const r = JSON.parse(await readFile(join(outDir, "nuggets-latest.json"), "utf8")) as Record;
    const s = r.select;
    expect(s.thresholds.map((t) => t.threshold)).toEqual([0.5, 0.8, 0.85]);
    for (const t of s.thresholds) {
      expect(t.sameSubset, `t = ${t.threshold}`).toBe(true);
      expect(t.exhaustivePairs).toBe(s.candidates * s.anchors);
      expect(t.selectPairs).toBeLessThanOrEqual(t.exhaustivePairs);
      expect(t.pairRatio).toBeCloseTo(t.exhaustivePairs / t.selectPairs, 12);
      expect(t.exhaustiveSeconds).toHaveLength(s.rounds);
      expect(t.wallRatio.perRound).toHaveLength(s.rounds);
    }
    expect(r.targets.selectPairRatio).toEqual(s.target);
    expect(s.target.held).toBe(s.target.measured! >= 2);
    expect(stdout).toMatch(/^select vs exhaustive/m);
  });
});
