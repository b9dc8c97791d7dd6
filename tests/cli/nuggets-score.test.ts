/**
 * `assay nuggets score` as a user runs it: the real CLI in a child process on Node 22, the embedded engine on
 * stories260K, five Alpaca candidates against four K-Means anchors.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, sharedFile } from "../../shared/config/shared-files.js";
import { createEmbeddedEngine } from "../../shared/engines/embedded/index.js";
import { readDatasetFile } from "../../shared/cli/nuggets-score.js";
import { scoreLine } from "../../shared/nuggets/score-line.js";
import { scoreDatasetInProcess } from "../../shared/nuggets/local/run-local-scoring.js";
import { resolvePreset } from "../../shared/nuggets/presets.js";

const run = promisify(execFile);
const model = sharedFile("models/stories260K.gguf");
const candidatesFile = sharedFile("data/alpaca/alpaca_5000.json");
const anchorsFile = sharedFile("data/nuggets/alpaca_gpt4_kmeans_100.json");

/** Runs `assay …` on Node 22; resolves with the exit code instead of throwing on a non-zero one. */
async function assay(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, PATH: `${join(repoRoot, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}` };
  try {
    const { stdout, stderr } = await run("node", [join(repoRoot, "bin", "assay.js"), ...args], {
      cwd: repoRoot,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw error;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const baseArgs = ["nuggets", "score", "--candidates", candidatesFile, "--anchors", anchorsFile, "--limit", "5", "--anchor-limit", "4"];

describe("assay nuggets score", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "assay-cli-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("should write one line per candidate, equal to scoring in-process, and a summary on stderr", async () => {
    const out = join(dir, "scores.jsonl");
    const result = await assay([...baseArgs, "--engine", `local:${model}`, "--preset", "reference", "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/scored 5, skipped 0, mean GS \d\.\d{4}, [\d.]+ s, [\d.]+ pairs\/s/);
    expect(result.stderr).toMatch(/scored 5\/5 candidates/); // stderr is not a TTY: plain progress lines
    expect(await readdir(dir)).toEqual(["scores.jsonl"]); // no temporary file left behind

    const lines = (await readFile(out, "utf8")).trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3, 4]);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(["anchors", "goldenScore", "goldenScoreRange", "index", "maxAnchorTokens", "nearTies", "preset", "status", "version", "wins"]);
      expect(l).toMatchObject({ anchors: 4, status: "scored", preset: "reference", maxAnchorTokens: 200 });
      expect(l.goldenScore).toBe((l.wins as number) / 4);
    }

    const engine = await createEmbeddedEngine({ name: "local", modelPath: model, threads: 1 });
    try {
      const expected = [];
      const candidates = (await readDatasetFile(candidatesFile, "--candidates")).slice(0, 5);
      const anchors = (await readDatasetFile(anchorsFile, "--anchors")).slice(0, 4);
      for await (const r of scoreDatasetInProcess({ candidates, anchors, engine, preset: resolvePreset("reference") })) {
        expected.push(JSON.parse(scoreLine(r, { raw: false })));
      }
      expect(lines).toEqual(expected);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it("should print to stdout with --raw and honour --max-anchor-tokens", async () => {
    const result = await assay([...baseArgs, "--limit", "2", "--engine", `local:${model}`, "--max-anchor-tokens", "120", "--raw"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(l).toMatchObject({ preset: "paper", maxAnchorTokens: 120, status: "scored" });
      expect(l.oneShot).toHaveLength(4);
    }
  }, 120_000);

  it("should decide thresholds with --select, agreeing with the exhaustive golden scores", async () => {
    const common = [...baseArgs, "--limit", "8", "--anchor-limit", "10", "--engine", `local:${model}`, "--max-anchor-tokens", "120"];
    const full = await assay(common);
    expect(full.code, full.stderr).toBe(0);
    const sel = await assay([...common, "--select", "0.5,0.8", "--select-seed", "3"]);
    expect(sel.code, sel.stderr).toBe(0);
    const scored = full.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { status: string; goldenScore?: number });
    const decided = sel.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(decided).toHaveLength(8);
    decided.forEach((l, i) => {
      if (scored[i]!.status === "skipped") return expect(l.status).toBe("skipped");
      expect(l).toMatchObject({ status: "decided", seed: 3, anchors: 10 });
      expect(Object.keys(l.decisions as object)).toEqual(["0.5", "0.8"]);
      for (const t of [0.5, 0.8]) expect((l.decisions as Record<string, string>)[String(t)]).toBe(scored[i]!.goldenScore! > t ? "above" : "below");
      expect(l.anchorsScored).toBeLessThanOrEqual(10);
      expect(l).not.toHaveProperty("oneShot");
    });
    expect(sel.stderr).toMatch(/decided \d+, skipped \d+, GS > 0.5: \d+, GS > 0.8: \d+; \d+ of \d+ pairs compared/);
  }, 120_000);

  it("should exit non-zero for a --select threshold outside [0, 1]", async () => {
    const result = await assay([...baseArgs, "--select", "0.5,1.5"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/thresholds in \[0, 1\]/);
  }, 60_000);

  it("should exit 2 naming the bad line of a candidates file, and write no output file", async () => {
    const bad = join(dir, "bad.jsonl");
    await writeFile(bad, '{"instruction":"ok","output":"a"}\n{"instruction":"","output":"b"}\n{"output":"c"}\n');
    const out = join(dir, "never.jsonl");
    const result = await assay(["nuggets", "score", "--candidates", bad, "--anchors", anchorsFile, "--engine", `local:${model}`, "--out", out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(bad);
    expect(result.stderr).toMatch(/line 2: instruction/);
    expect(result.stderr).toMatch(/line 3: /);
    expect(await readdir(dir)).not.toContain("never.jsonl");
  }, 60_000);

  it("should exit non-zero for a preset that does not exist", async () => {
    const result = await assay([...baseArgs, "--preset", "fancy"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/paper, reference/);
  }, 60_000);

  it("should exit non-zero when every candidate was skipped, and still write the lines that say why", async () => {
    // The paper preset caps anchors only at the 512-token context: the K-Means anchors' 1,400-token answers leave no
    // room for any candidate beside them.
    const out = join(dir, "all-skipped.jsonl");
    const result = await assay([...baseArgs, "--engine", `local:${model}`, "--preset", "paper", "--out", out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nothing was scored: all 5 candidates were skipped/);
    const lines = (await readFile(out, "utf8")).trimEnd().split("\n").map((l) => JSON.parse(l) as { status: string });
    expect(lines.map((l) => l.status)).toEqual(Array(5).fill("skipped"));
  }, 60_000);
});
