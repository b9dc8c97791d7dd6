/**
 * Every task of the shared MTI-Bench slice in all three modes, over HTTP on the local stack with the embedded engine
 * (stories260K, 8,192-token context), driven by `assay mti run`: the sweep completes with no error line, delivering
 * every message again changes no stored byte, and the report files are valid (the JUnit XML parses, each SVG parses
 * as XML). Two instances per task, so Batch Prompting has a pair in each; 8 new tokens per call. Part of
 * `npm run test:slow` (several minutes: ~215 calls on prompts of 2-6k tokens).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MtiSweepSummary } from "../../schemas/mti-sweeps.js";
import { startLocalStack, type LocalStack } from "../../shared/dev/stack.js";
import { mtiRun, redeliverSweep, snapshot } from "./mti-helpers.js";

let stack: LocalStack;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "assay-mti-slice-"));
  stack = await startLocalStack({ port: 0, contextSize: 8192 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("an MTI-Bench sweep over the whole shared slice (local stack, embedded stories260K)", () => {
  let summary: MtiSweepSummary;

  it("should complete every task in all three modes with no error line and valid report files", async () => {
    const res = await mtiRun(stack, dir, ["--engine", "local", "--instances", "2", "--max-tokens", "8", "--wait", "--poll-ms", "1000", "--markdown", "summary.md"]);
    expect(res.code, res.stderr).toBe(0);
    summary = JSON.parse(res.stdout) as MtiSweepSummary;
    expect(summary.tasks).toHaveLength(25);
    expect(summary.units).toBe(50 + 50 + 25);
    expect(summary.unitsCovered).toBe(summary.units);
    expect(summary.unitErrors).toBe(0);
    for (const r of summary.reports) expect(Object.keys(r.tasks)).toHaveLength(25);
    const junit = readFileSync(join(dir, "mti-junit.xml"), "utf8");
    expect(XMLValidator.validate(junit)).toBe(true);
    const suites = (new XMLParser({ ignoreAttributes: false }).parse(junit) as { testsuites: { testsuite: { testcase: unknown[] }[] } }).testsuites.testsuite;
    expect(suites.map((s) => s.testcase.length)).toEqual([25, 25, 25]);
    for (const svg of ["accuracy.svg", "latency.svg"]) {
      const body = await (await fetch(`${stack.apiUrl}/v1/jobs/${summary.sweepId}/results/${svg}`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).text();
      expect(XMLValidator.validate(body), svg).toBe(true);
    }
    process.stdout.write(`MTI slice sweep: seconds per instance ${summary.reports.map((r) => `${r.mode} ${r.latency.secondsPerInstance?.toFixed(2)}`).join(", ")}; single/multi ${summary.speedRatios[0]!.singleOverMulti?.toFixed(2)}, single/batch ${summary.speedRatios[0]!.singleOverBatch?.toFixed(2)}\n`);
  }, 1_800_000);

  it("should leave every stored object byte-identical when every message is delivered once more", async () => {
    const prefix = `t/local/jobs/${summary.sweepId}/`;
    const before = await snapshot(stack, prefix);
    await redeliverSweep(stack, summary.sweepId, JSON.parse(before.get(`${prefix}prepared.json`)!));
    const after = await snapshot(stack, prefix);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, body] of before) expect(after.get(key), key).toBe(body);
  }, 1_800_000);
});
