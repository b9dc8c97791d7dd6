/**
 * The README runs as written: every shell block marked `<!-- walkthrough: NAME -->` is run, line for line, in bash
 * against the local stack, from the repository folder, as a newcomer would paste it. The one line a person edits — the
 * `export ASSAY_API_URL=… ASSAY_API_KEY=…` that `npm start` prints filled in — is left out and its two variables are
 * set instead. Runs in `npm run test:readme` (a job on the test model takes about 30 s), which CI runs after `npm test`.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../shared/config/shared-files.js";
import { startLocalStack, type LocalStack } from "../../shared/dev/stack.js";

/** The files the walkthroughs write into the repository folder. */
const OUTPUTS = ["pool.jsonl", "anchors.jsonl", "subset.jsonl", "histogram.svg", "mti-gate.json", "mti-report.json", "mti-junit.xml", "mti-summary.md", "memory.html"];

/** `<!-- walkthrough: NAME -->` followed by a ```sh block, by name. */
export function walkthroughs(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of markdown.matchAll(/<!-- walkthrough: ([\w-]+) -->\s*```sh\n([\s\S]*?)```/g)) out.set(m[1]!, m[2]!);
  return out;
}

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", `set -euo pipefail\n${script}`], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const blocks = walkthroughs(readFileSync(join(repoRoot, "README.md"), "utf8"));
let stack: LocalStack;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const clobbered = OUTPUTS.filter((f) => existsSync(join(repoRoot, f)));
  if (clobbered.length > 0) throw new Error(`the walkthrough writes ${clobbered.join(", ")} in the repository folder; move yours away first`);
  stack = await startLocalStack({ port: 0, workers: 1 });
  env = { ...process.env, ASSAY_API_URL: stack.apiUrl, ASSAY_API_KEY: stack.apiKey };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  for (const f of OUTPUTS) rmSync(join(repoRoot, f), { force: true });
});

describe("README.md, run as written", () => {
  it("should mark the walkthroughs it promises", () => {
    expect([...blocks.keys()]).toEqual(["cli", "http", "mti", "sirllm"]);
  });

  it("should take a newcomer from uploads to a fine-tuning subset with the CLI (Your first job)", async () => {
    const script = blocks.get("cli")!.split("\n").filter((l) => !l.startsWith("export ASSAY_API_URL=")).join("\n");
    const run = await bash(script, env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/nj_[0-9a-f]+ completed: \d+\/320 pairs/);
    const subset = readFileSync(join(repoRoot, "subset.jsonl"), "utf8").trim().split("\n").filter(Boolean);
    expect(subset.length).toBeGreaterThan(0);
    for (const line of subset) expect(Object.keys(JSON.parse(line))).toEqual(["instruction", "input", "output"]);
    expect(readFileSync(join(repoRoot, "histogram.svg"), "utf8")).toMatch(/^<svg/);
  }, 180_000);

  it("should run the same job over HTTP with curl (Jobs over HTTP)", async () => {
    const run = await bash(blocks.get("http")!, env);
    expect(run.code, run.stderr).toBe(0);
    // The dry run's plan, the final status, the summary: three JSON documents on stdout, in order.
    expect(run.stdout).toMatch(/"dryRun":true,"kind":"nuggets"/);
    expect(run.stdout).toMatch(/"status":"completed"/);
    expect(run.stdout).toMatch(/"histogram":\{"bins":20/);
    const subset = readFileSync(join(repoRoot, "subset.jsonl"), "utf8").trim().split("\n").filter(Boolean);
    for (const line of subset) expect(Object.keys(JSON.parse(line))).toEqual(["instruction", "input", "output"]);
  }, 180_000);
});

describe("README.md's SirLLM walkthrough, run as written", () => {
  it("should create a session, answer a turn and a streamed turn, and show memory as JSON and a page", async () => {
    const run = await bash(blocks.get("sirllm")!, env);
    expect(run.code, run.stderr).toBe(0);
    const [turn, deltas, memory] = run.stdout.trim().split("\n");
    expect(JSON.parse(turn!)).toMatchObject({ turn: 0, replayed: false, memoryLevel: "kv", entropy: "paper", policy: "sirllm" });
    expect(Number(deltas)).toBeGreaterThan(0);
    expect(JSON.parse(memory!).memory.tokens).toBeGreaterThan(0);
    expect(readFileSync(join(repoRoot, "memory.html"), "utf8")).toMatch(/^<!DOCTYPE html>/i);
  }, 120_000);
});

describe("README.md's MTI-Bench walkthrough, run as written (a stack started with --context-size 8192)", () => {
  let mtiStack: LocalStack;

  beforeAll(async () => {
    mtiStack = await startLocalStack({ port: 0, workers: 1, contextSize: 8192 });
  }, 60_000);

  afterAll(async () => {
    await mtiStack?.stop();
  });

  it("should gate a sweep of two tasks in all three modes with assay mti run (Gates, and a CI example)", async () => {
    const script = blocks.get("mti")!.split("\n").filter((l) => !l.startsWith("export ASSAY_API_URL=")).join("\n");
    const run = await bash(script, { ...process.env, ASSAY_API_URL: mtiStack.apiUrl, ASSAY_API_KEY: mtiStack.apiKey, GITHUB_STEP_SUMMARY: "" });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^exit 0: see mti-summary.md and mti-junit.xml/m);
    expect(run.stderr).toMatch(/ms_[0-9a-z]+ completed: 10\/10 units/);
    const report = JSON.parse(readFileSync(join(repoRoot, "mti-report.json"), "utf8")) as { gate: { verdict: string }; modes: string[] };
    expect(report.gate.verdict).toBe("pass");
    expect(report.modes).toEqual(["multi", "single", "batch"]);
    expect(readFileSync(join(repoRoot, "mti-summary.md"), "utf8")).toMatch(/\*\*Gate: PASS\*\*/);
    expect(readFileSync(join(repoRoot, "mti-junit.xml"), "utf8")).toMatch(/^<\?xml/);
  }, 600_000);
});
