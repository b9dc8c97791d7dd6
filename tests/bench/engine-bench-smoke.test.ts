import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineBenchResult } from "../../bench/report.js";
import { repoRoot } from "../../shared/config/shared-files.js";

// Runs `npm run bench -- --quick` end to end (model, spawned server, vLLM adapter). Checks the record's shape and
// that both sides did the same work; timings are never asserted.
let outDir: string;
let stdout = "";
let exitCode: number | null = null;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "assay-bench-"));
  const child = spawn(process.execPath, ["--import", "tsx", "bench/engine.bench.ts", "--quick", "--out", outDir], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  exitCode = await new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  if (exitCode !== 0) throw new Error(`bench exited ${exitCode}:\n${stderr}`);
}, 120_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe("engine bench --quick", () => {
  it("should write a timestamped record and engine-latest.json with the same content, and print its path", async () => {
    const files = (await readdir(outDir)).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^engine-\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
    expect(files[1]).toBe("engine-latest.json");
    const [stamped, latest] = await Promise.all(files.map((f) => readFile(join(outDir, f), "utf8")));
    expect(stamped).toBe(latest);
    expect(stdout).toContain(`results: ${join(outDir, files[0]!)}`);
    expect(stdout).toMatch(/^score http\/direct\s/m);
  });

  it("should record machine, engine, workload, per-variant figures and per-round ratios", async () => {
    const r = JSON.parse(await readFile(join(outDir, "engine-latest.json"), "utf8")) as EngineBenchResult;
    expect(r).toMatchObject({ version: 1, bench: "engine", mode: "quick" });
    expect(r.engine).toMatchObject({ model: "stories260K", threads: 1, contextSize: 512, bosToken: 1 });
    expect(r.machine.cpus).toBeGreaterThan(0);
    expect(r.machine.serverNode).toMatch(/^v22\./);
    expect(r.checks.sameWork).toBe(true);

    const score = r.workload.score as { promptTokens: number[] };
    for (const n of score.promptTokens) expect(n).toBeGreaterThanOrEqual(150);
    expect(Object.keys(r.variants)).toEqual(
      expect.arrayContaining(["score/direct", "score/http", "score-batch/http", "generate/direct", "generate/http", "shared-prefix/suffixes"]),
    );
    const rounds = (r.workload as { rounds: number }).rounds;
    for (const v of Object.values(r.variants)) {
      expect(v.perRound).toHaveLength(rounds);
      for (const x of v.perRound) expect(Number.isFinite(x) && x > 0).toBe(true);
    }
    // Greedy decoding is deterministic: both sides generate exactly the same tokens each round.
    expect(r.variants["generate/http"]!.units).toEqual(r.variants["generate/direct"]!.units);
    const ratio = r.comparisons["score http/direct"]!;
    expect(ratio.perRound).toEqual(r.variants["score/http"]!.perRound.map((h, i) => h / r.variants["score/direct"]!.perRound[i]!));
  });
});
