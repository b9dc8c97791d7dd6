/**
 * A SirLLM evaluation over HTTP on the local stack (API → SQS emulator → a worker thread with its own embedded engine
 * → S3 emulator → aggregation): all three tasks, a few units each, `sirllm` and `streaming` side by side, a cache small
 * enough that every task evicts. Its tables must equal those of `assay sirllm eval --json` run in its own process on
 * the same inputs (the two run at once, one core each).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SirllmEvalSummarySchema, SirllmEvalUnitLineSchema, type SirllmEvalReport, type SirllmEvalSummary } from "../../schemas/sirllm-eval-jobs.js";
import { repoRoot } from "../../shared/config/shared-files.js";
import { startLocalStack, type LocalStack } from "../../shared/dev/stack.js";

const exec = promisify(execFile);

let stack: LocalStack;

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json", ...(init.headers ?? {}) } });

/** The same inputs, as a request and as flags. */
const request = {
  engine: "local",
  tasks: ["dailydialog", "grocery", "rps"],
  policies: ["sirllm", "streaming"],
  limit: 2,
  cacheSize: 500,
  sinks: 4,
  rps: { players: { generate: { count: 2, seed: 11, rounds: 10 } } },
  // One shard per task (4 units: 2 units × 2 policies), so the kernel's per-message overhead stays small.
  shardSize: 4,
};
const flags = ["--task", "dailydialog,grocery,rps", "--policy", "sirllm,streaming", "--engine", "local", "--limit", "2", "--cache-size", "500", "--sinks", "4", "--rps-generate", "2:11:10"];

/** `assay sirllm eval … --json` in its own process. */
async function cliReport(): Promise<SirllmEvalReport> {
  const { stdout } = await exec(process.execPath, [join(repoRoot, "bin", "assay.js"), "sirllm", "eval", ...flags, "--json", "--quiet"], {
    cwd: repoRoot,
    timeout: 300_000,
    maxBuffer: 32 * 1024 * 1024,
  });
  return JSON.parse(stdout) as SirllmEvalReport;
}

function reportOf(s: SirllmEvalSummary): SirllmEvalReport {
  const { version, engine, policies, entropy, memoryLevel, seed, evaluations, work } = s;
  return { version, engine, policies, entropy, memoryLevel, seed, evaluations, work };
}

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, workers: 1 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe("a SirLLM evaluation on the local stack", () => {
  it("should plan a dry run without starting anything", async () => {
    const res = await api("/v1/sirllm/evaluations", { method: "POST", body: JSON.stringify({ ...request, dryRun: true }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ dryRun: true, kind: "sirllm-eval", units: 12, memoryLevel: "kv", unitsByTask: { dailydialog: 4, grocery: 4, rps: 4 } });
  });

  it("should refuse a cache the engine's context cannot hold", async () => {
    const res = await api("/v1/sirllm/evaluations", { method: "POST", body: JSON.stringify({ ...request, cacheSize: 1024 }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/cacheSize 1024 is larger than the 511 tokens a session can hold/);
  });

  it("should complete all three tasks, and its tables equal the in-process `assay sirllm eval` on the same inputs", async () => {
    const cli = cliReport(); // runs meanwhile, in its own process
    const created = await api("/v1/sirllm/evaluations", { method: "POST", body: JSON.stringify(request) });
    expect(created.status).toBe(202);
    const { jobId } = (await created.json()) as { jobId: string };
    expect(jobId).toMatch(/^se_[0-9a-f]{26}$/);
    expect(created.headers.get("location")).toBe(`/v1/sirllm/evaluations/${jobId}`);

    let status: { status: string; progress: { unitsDone: number; outcomes: Record<string, number> } } | undefined;
    for (let i = 0; i < 300; i++) {
      status = (await (await api(`/v1/sirllm/evaluations/${jobId}`)).json()) as typeof status;
      if (["completed", "failed", "cancelled"].includes(status!.status)) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(status!.status).toBe("completed");
    expect(status!.progress.unitsDone).toBe(12);
    expect(status!.progress.outcomes).toEqual({ scored: 12 });

    const summary = SirllmEvalSummarySchema.parse(await (await api(`/v1/sirllm/evaluations/${jobId}/report`)).json());
    expect(summary).toMatchObject({ jobId, partial: false, units: 12, unitsCovered: 12, failedUnits: 0, entropy: "paper", memoryLevel: "kv" });
    expect(summary.evaluations.map((e) => [e.task, e.units, e.cacheSize, e.decay])).toEqual([
      ["dailydialog", 2, 500, 0.7],
      ["grocery", 2, 500, 1],
      ["rps", 2, 500, 0.9],
    ]);
    const lines = (await (await api(`/v1/jobs/${jobId}/results/outcomes.jsonl`)).text()).trim().split("\n").map((l) => SirllmEvalUnitLineSchema.parse(JSON.parse(l)));
    expect(lines).toHaveLength(12);
    for (const l of lines) expect([l.engine, l.entropy, l.memoryLevel, l.result.status]).toEqual(["local", "paper", "kv", "ok"]);
    // Every task outgrows the cache: DailyDialog's long turns, Grocery's 22, RPS's 10 rounds of ~120 tokens.
    for (const task of ["dailydialog", "grocery", "rps"]) expect(lines.filter((l) => l.task === task).some((l) => l.work.evictions > 0), task).toBe(true);

    expect(reportOf(summary)).toEqual(await cli);

    const markdown = await (await api(`/v1/sirllm/evaluations/${jobId}/report`, { headers: { accept: "text/markdown" } })).text();
    expect(markdown).toBe(await (await api(`/v1/jobs/${jobId}/results/report.md`)).text());
    expect(await (await api(`/v1/sirllm/evaluations/${jobId}/report?format=md`)).text()).toBe(markdown);
    for (const header of ["| DailyDialog | sirllm | streaming |", "| Grocery Shopping | sirllm | streaming |", "| Rock-Paper-Scissors | sirllm | streaming |"]) {
      expect(markdown).toContain(header);
    }
  }, 300_000);
});
