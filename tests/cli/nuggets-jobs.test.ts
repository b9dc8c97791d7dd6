import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeStatus, parseAnchorSpec } from "../../shared/cli/nuggets-jobs-commands.js";
import { repoRoot, sharedFile } from "../../shared/config/shared-files.js";
import { startLocalStack, type LocalStack } from "../../shared/dev/stack.js";

const run = promisify(execFile);

describe("parseAnchorSpec", () => {
  it("should read random:SIZE[:SEED], kmeans:K[:SEED] and treat anything else as a file or dataset id", () => {
    expect(parseAnchorSpec("random:1000:7")).toEqual({ method: "random", n: 1000, seed: 7 });
    expect(parseAnchorSpec("kmeans:100")).toEqual({ method: "kmeans", n: 100, seed: 0 });
    expect(parseAnchorSpec("anchors.jsonl")).toEqual({ method: "dataset", source: "anchors.jsonl" });
    expect(parseAnchorSpec("random:x")).toEqual({ method: "dataset", source: "random:x" });
  });

  it("should describe a status in one line with progress, failures and ETA", () => {
    const line = describeStatus({
      jobId: "nj_x",
      status: "running",
      progress: { candidates: 10, candidatesScored: 4, pairsScored: 20, pairsTotal: 50, shardsTotal: 2, shardsDone: 0, shardsFailed: 1, pairsPerSecond: 2.5, etaSeconds: 12.2 },
      failures: [],
    });
    expect(line).toBe("nj_x running: 20/50 pairs, shards 0/2, 1 shard(s) failed, 2.5 pairs/s, ETA 13 s");
  });
});

describe("assay nuggets submit | status | results against the local stack", () => {
  let stack: LocalStack;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const assay = (...args: string[]) => run(process.execPath, ["bin/assay.js", "nuggets", ...args], { cwd: repoRoot, env, timeout: 120_000 });

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    dir = mkdtempSync(join(tmpdir(), "assay-cli-jobs-"));
    const take = (file: string, n: number) => (JSON.parse(readFileSync(sharedFile(file), "utf8")) as unknown[]).slice(0, n);
    writeFileSync(join(dir, "pool.json"), JSON.stringify(take("data/alpaca/alpaca_5000.json", 6)));
    writeFileSync(join(dir, "anchors.jsonl"), take("data/nuggets/alpaca_gpt4_kmeans_100.json", 4).map((r) => JSON.stringify(r)).join("\n"));
    env = { ...process.env, ASSAY_API_URL: stack.apiUrl, ASSAY_API_KEY: stack.apiKey };
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("should upload files, run a job to completion with --wait, and download its scores and a subset", async () => {
    const submitted = await assay(
      "submit", "--dataset", join(dir, "pool.json"), "--anchors", join(dir, "anchors.jsonl"),
      "--engine", "local", "--max-anchor-tokens", "32", "--shard-size", "3", "--wait",
    );
    const job = JSON.parse(submitted.stdout);
    expect(job.jobId).toMatch(/^nj_/);
    expect(submitted.stderr).toMatch(/completed: 24\/24 pairs, shards 2\/2/);

    const scores = (await assay("results", job.jobId, "--scores", "-")).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(scores.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5]);
    const subset = (await assay("results", job.jobId, "--top-percent", "50")).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(subset).toHaveLength(3);
    expect(Object.keys(subset[0]).sort()).toEqual(["input", "instruction", "output"]);
    const summary = JSON.parse((await assay("results", job.jobId)).stdout);
    expect(summary.scored + summary.skipped).toBe(6);
  }, 120_000);

  it("should exit 2 with the API's message for an unknown engine", async () => {
    const failed = await assay("submit", "--dataset", join(dir, "pool.json"), "--anchors", "random:2", "--engine", "nope").then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('engine "nope" is not configured');
  });
});
