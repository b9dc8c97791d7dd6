import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../shared/config/shared-files.js";

// Runs `npm run bench:jobs -- --quick` at small sizes: the record's shape, and the kernel's linear cost — requests per
// shard (a count, not a timing) must not grow with the number of shards. Timings are never asserted.
let outDir: string;
let stdout = "";

interface Run {
  shards: number;
  units: number;
  requests: number;
  requestsPerShard: number;
  byOperation: Record<string, number>;
  wallMsPerShard: number;
  statusRequests: number;
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "assay-jobs-bench-"));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "bench/jobs.bench.ts", "--quick", "--sizes", "10,200", "--aggregation-candidates", "3000", "--out", outDir],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`bench exited ${code}:\n${stderr}`);
}, 180_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe("jobs bench --quick", () => {
  it("should write a timestamped record and jobs-latest.json, and print the record as JSON", async () => {
    const files = (await readdir(outDir)).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^jobs-\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
    expect(files[1]).toBe("jobs-latest.json");
    const latest = await readFile(join(outDir, "jobs-latest.json"), "utf8");
    expect(stdout).toContain(latest);
  });

  it("should report requests per shard that do not grow with the number of shards, on both stores", async () => {
    const r = JSON.parse(await readFile(join(outDir, "jobs-latest.json"), "utf8"));
    for (const store of ["memory", "emulator"] as const) {
      const runs = r.shardScaling[store] as Run[];
      expect(runs.map((x) => x.shards)).toEqual([10, 200]);
      for (const run of runs) {
        expect(run.units).toBe(run.shards * 4);
        expect(run.requestsPerShard).toBeCloseTo(run.requests / run.shards, 9);
        expect(Object.values(run.byOperation).reduce((a, b) => a + b, 0)).toBe(run.requests);
        expect(run.statusRequests).toBeGreaterThan(0);
      }
      expect(runs[1]!.requestsPerShard).toBeLessThanOrEqual(1.5 * runs[0]!.requestsPerShard);
    }
    expect(r.shardScaling.requestsPerShardGrowth.target).toBe(1.5);
  });

  it("should aggregate the NUGGETS job in another process and report its memory growth", async () => {
    const r = JSON.parse(await readFile(join(outDir, "jobs-latest.json"), "utf8"));
    const a = r.aggregation;
    expect(a).toMatchObject({ candidates: 3000, anchors: 100, shards: 3, target: { rssGrowthMB: 300 } });
    expect(a.scoresBytes).toBeGreaterThan(3000 * 100 * 10);
    expect(a.pieceBytes).toBeGreaterThan(a.scoresBytes);
    expect(a.target.held).toBe(a.rssGrowthMB < 300);
  });
});
