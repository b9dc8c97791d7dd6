import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MtiCallRecord } from "../../bench/mti-calls.js";
import type { MtiModeFigures, MtiRatio } from "../../bench/mti-report.js";
import type { MtiDecoding, MtiModeReport } from "../../schemas/mti-sweeps.js";
import { runBenchQuick } from "./run-bench.js";

// Runs `npm run bench:mti -- --quick` end to end (embedded engine on the test model, the shared MTI-Bench slice) and
// checks the record's shape: every mode measured, the ratios defined, the settings recorded. Timings are never
// asserted — only that they are positive numbers. In `npm run test:slow` (~25 s of 2-6k-token prefills): npm test ran
// serially at 606 s on this 2-core machine with it, against its 10-minute budget.
const MODES = ["multi", "single", "batch"] as const;
let outDir: string;
let stdout = "";

interface Record {
  version: number;
  bench: string;
  mode: string;
  wallSeconds: number;
  machine: { cpus: number; loadAverage: { start: number[]; end: number[] } };
  engine: { model: string; threads: number; contextSize: number };
  settings: {
    tasks: string[];
    instancesPerTask: number;
    modes: string[];
    decoding: MtiDecoding;
    template: string;
    batchScoring: string;
    kvCache: string;
    modeOrders: string[][];
  };
  workload: { tasks: number; instances: number; calls: number; units: number };
  probe: { promptTokens: number; oneTokenSeconds: number; seconds: number };
  modes: { [mode: string]: MtiModeFigures };
  ratios: { singleOverMulti: MtiRatio; singleOverBatch: MtiRatio };
  perTaskSecondsPerInstance: { [task: string]: { [mode: string]: number } };
  reports: MtiModeReport[];
  calls: MtiCallRecord[];
  notes: string[];
}

const positive = (x: unknown) => typeof x === "number" && Number.isFinite(x) && x > 0;
const read = async () => JSON.parse(await readFile(join(outDir, "mti-latest.json"), "utf8")) as Record;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "assay-mti-bench-"));
  ({ stdout } = await runBenchQuick("mti.bench.ts", outDir));
}, 180_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe("mti bench --quick", () => {
  it("should write a timestamped record and mti-latest.json with the same content, and print its path and table", async () => {
    const files = (await readdir(outDir)).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^mti-\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
    expect(files[1]).toBe("mti-latest.json");
    const [stamped, latest] = await Promise.all(files.map((f) => readFile(join(outDir, f), "utf8")));
    expect(stamped).toBe(latest);
    expect(stdout).toContain(`results: ${join(outDir, files[0]!)}`);
    expect(stdout).toMatch(/^single\/multi\s/m);
    expect(stdout).toMatch(/^single\/batch\s/m);
  });

  it("should record the engine, the machine and the settings it ran with", async () => {
    const r = await read();
    expect(r).toMatchObject({ version: 1, bench: "mti", mode: "quick" });
    expect(r.engine).toMatchObject({ model: "stories260K", threads: 1, contextSize: 8192 });
    expect(r.machine.cpus).toBeGreaterThan(0);
    expect(r.machine.loadAverage.start).toHaveLength(3);
    expect(r.settings).toMatchObject({
      tasks: ["021", "022"],
      instancesPerTask: 2,
      modes: ["multi", "single", "batch"],
      decoding: { temperature: 0.7, topP: 1, maxTokens: 8, seed: 0 },
      template: "tulu",
      batchScoring: "step1",
      kvCache: "cold",
    });
    // Each task runs all three modes; the order rotates from task to task.
    expect(r.settings.modeOrders).toEqual([["multi", "single", "batch"], ["single", "batch", "multi"]]);
    expect(r.workload).toMatchObject({ tasks: 2, instances: 4 });
    expect(positive(r.wallSeconds)).toBe(true);
    expect(positive(r.probe.oneTokenSeconds) && positive(r.probe.seconds) && r.probe.promptTokens > 0).toBe(true);
    expect(r.notes.length).toBeGreaterThan(0);
  });

  it("should measure every mode on every instance, with calls and tokens that match the modes' shapes", async () => {
    const r = await read();
    expect(Object.keys(r.modes).sort()).toEqual([...MODES].sort());
    for (const mode of MODES) {
      const m = r.modes[mode]!;
      expect(m.instances, mode).toBe(r.workload.instances);
      expect(m.errors, mode).toBe(0);
      for (const x of [m.secondsPerInstance, m.secondsPerCall, m.promptTokensPerInstance, m.outputTokensPerInstance, m.evaluatedPromptTokensPerInstance]) {
        expect(positive(x), `${mode}: ${x}`).toBe(true);
      }
      // Cold cache: every call evaluates its whole prompt. (Per-instance prompt tokens are rounded halves under Batch
      // Prompting, hence the one-token slack.)
      expect(Math.abs(m.evaluatedPromptTokensPerInstance! - m.promptTokensPerInstance!)).toBeLessThanOrEqual(1);
      expect(m.outputTokensPerInstance!).toBeLessThanOrEqual(8 * m.callsPerInstance!);
      expect(m.accuracy.final === null || (m.accuracy.final >= 0 && m.accuracy.final <= 1)).toBe(true);
      expect(m.accuracy.scoredSteps).toBe(mode === "batch" ? "step 1" : "all");
    }
    // Both quick tasks have 2 steps: multi one call per instance, single one per step, batch one per step per pair.
    expect(r.modes.multi!.callsPerInstance).toBe(1);
    expect(r.modes.single!.callsPerInstance).toBe(2);
    expect(r.modes.batch!.callsPerInstance).toBe(1);
    expect(r.calls).toHaveLength(r.workload.calls);
    expect(r.calls.every((c) => c.reusedTokens === 0 && c.outputTokens <= 8 && positive(c.seconds))).toBe(true);
    expect(r.reports.map((x) => x.mode)).toEqual([...MODES]);
  });

  it("should report single/multi and single/batch overall and per task, beside the paper's figures", async () => {
    const r = await read();
    for (const [id, ratio, paper] of [["singleOverMulti", r.ratios.singleOverMulti, 1.46], ["singleOverBatch", r.ratios.singleOverBatch, 2.1]] as const) {
      expect(positive(ratio.overall), id).toBe(true);
      expect(ratio.paper).toBe(paper);
      expect(Object.keys(ratio.perTask).sort()).toEqual(["021", "022"]);
      for (const x of Object.values(ratio.perTask)) expect(positive(x), id).toBe(true);
      expect(ratio.perTaskSummary!.n).toBe(2);
      expect(ratio.perTaskSummary!.min).toBeLessThanOrEqual(ratio.perTaskSummary!.max);
    }
    // The overall ratio is the modes' seconds per instance divided (the sweep report's definition).
    expect(r.ratios.singleOverMulti.overall).toBeCloseTo(r.modes.single!.secondsPerInstance! / r.modes.multi!.secondsPerInstance!, 9);
    expect(r.ratios.singleOverBatch.overall).toBeCloseTo(r.modes.single!.secondsPerInstance! / r.modes.batch!.secondsPerInstance!, 9);
    for (const task of ["021", "022"]) {
      const s = r.perTaskSecondsPerInstance[task]!;
      expect(r.ratios.singleOverMulti.perTask[task]).toBeCloseTo(s.single! / s.multi!, 9);
    }
  });
});
