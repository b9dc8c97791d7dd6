/**
 * MTI-Bench sweeps over HTTP on the local stack (API → SQS emulator → worker → S3 emulator), driven by `assay mti run`
 * as a CI pipeline would: exit 0 when the gate passes, 1 when it fails, 2 when nothing decides. The engine is the
 * instant fake (registered beside `local`, so the workers run on the main thread), which keeps this in seconds: it
 * answers junk, so every accuracy is 0 and the gates are set on that. The same run on the embedded engine (stories260K)
 * over every task of the slice is `mti-slice.slow.test.ts` (`npm run test:slow`), and a short one is the README's
 * walkthrough (`npm run test:readme`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MtiSweepSummary } from "../../schemas/mti-sweeps.js";
import { startLocalStack, type LocalStack } from "../../shared/dev/stack.js";
import { createInstantFakeEngine } from "../../shared/engines/fake/instant-fake-engine.js";
import { mtiRun, redeliverSweep, snapshot } from "./mti-helpers.js";

let stack: LocalStack;
let dir: string;

const gateFile = (name: string, gate: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(gate));
  return file;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "assay-mti-e2e-"));
  stack = await startLocalStack({ port: 0, workers: 0, extraEngines: [createInstantFakeEngine({ name: "fake", contextSize: 16_384 })] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("MTI-Bench sweeps on the local stack (assay mti run)", () => {
  let sweepId: string;

  it("should sweep a 2-step and a 3-step task in all three modes, pass its gate and exit 0, with valid report files", async () => {
    const gate = gateFile("pass.json", { minFinalAccuracy: [{ mode: "multi", min: 0 }], maxLatencyRatio: [{ mode: "multi", relativeTo: "single", max: 1000 }] });
    const res = await mtiRun(stack, dir, ["--engine", "fake", "--tasks", "013,012", "--instances", "2", "--max-tokens", "8", "--gate", gate, "--wait", "--poll-ms", "250", "--markdown", "summary.md"]);
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout) as MtiSweepSummary;
    sweepId = summary.sweepId;
    expect(summary.tasks).toEqual(["012", "013"]);
    expect(summary.units).toBe(4 + 4 + 2);
    expect(summary.unitErrors).toBe(0);
    expect(summary.reports.map((r) => [r.mode, r.overall.instances, r.latency.calls])).toEqual([
      ["multi", 4, 4],
      ["single", 4, 10], // 2 × 3 steps + 2 × 2 steps
      ["batch", 4, 10], // each instance takes part in its pair's 3 (or 2) calls
    ]);
    expect(summary.speedRatios[0]!.singleOverMulti).toBeGreaterThan(0);
    expect(summary.gate?.verdict).toBe("pass");
    expect(res.stderr).toMatch(/gate PASS: 2 of 2 checks passed/);
    expect(XMLValidator.validate(readFileSync(join(dir, "mti-junit.xml"), "utf8"))).toBe(true);
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toMatch(/\*\*Gate: PASS\*\*/);
    for (const svg of ["accuracy.svg", "latency.svg"]) {
      const body = await (await fetch(`${stack.apiUrl}/v1/jobs/${sweepId}/results/${svg}`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).text();
      expect(XMLValidator.validate(body), svg).toBe(true);
    }
  }, 600_000);

  it("should leave every stored object byte-identical when every message is delivered once more", async () => {
    const prefix = `t/local/jobs/${sweepId}/`;
    const before = await snapshot(stack, prefix);
    await redeliverSweep(stack, sweepId, JSON.parse(before.get(`${prefix}prepared.json`)!));
    const after = await snapshot(stack, prefix);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, body] of before) expect(after.get(key), key).toBe(body);
  }, 300_000);

  it("should exit 1 and name the failed check when the gate fails, appending the summary to $GITHUB_STEP_SUMMARY", async () => {
    const gate = gateFile("fail.json", { minFinalAccuracy: [{ mode: "multi", min: 0.5 }] });
    const stepSummary = join(dir, "step-summary.md");
    writeFileSync(stepSummary, "earlier step\n");
    const res = await mtiRun(stack, dir, ["--engine", "fake", "--tasks", "001", "--instances", "2", "--modes", "multi", "--max-tokens", "8", "--gate", gate, "--wait", "--poll-ms", "250"], {
      GITHUB_STEP_SUMMARY: stepSummary,
    });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/gate FAIL: 0 of 1 checks passed/);
    expect(res.stderr).toMatch(/failed: final accuracy of multi on all tasks \(fake\) ≥ 0\.5: measured 0/);
    expect(readFileSync(stepSummary, "utf8")).toMatch(/^earlier step\n## MTI-Bench sweep `ms_[0-9a-z]+`\n\n\*\*Gate: FAIL\*\*/);
  }, 300_000);

  it("should exit 2 when no verdict can be reached: an unknown engine, a bad gate file, an API that is not there", async () => {
    const unknown = await mtiRun(stack, dir, ["--engine", "nope", "--wait"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/engine "nope" is not configured/);
    const bad = await mtiRun(stack, dir, ["--engine", "fake", "--gate", gateFile("bad.json", { minFinalAccuracy: [{ mode: "multi", min: 2 }] }), "--wait"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the gate file .* is invalid/);
    const away = await mtiRun(stack, dir, ["--engine", "fake", "--wait"], { ASSAY_API_URL: "http://127.0.0.1:9" });
    expect(away.code).toBe(2);
    expect(away.stderr).toMatch(/cannot reach the API/);
  }, 120_000);
});
