/**
 * SirLLM evaluations through the job kernel with a memory store and queue: on the instant fake engine (token level,
 * in milliseconds) for the kernel's side — layout, lines, tables, failures, retries, refusals, redelivery — and on the
 * embedded engine (stories260K, KV level) for equality with the in-process `assay sirllm eval` on the same inputs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeDataset } from "../../../shared/datasets/dataset-store.js";
import { SIRLLM_DATA_FILES, sirllmDataDir } from "../../../shared/sirllm/eval/eval-units.js";
import { RPS_DATA_PLAYERS } from "../../../shared/sirllm/eval/rps-data.js";
import {
  SirllmEvalSummarySchema,
  SirllmEvalUnitLineSchema,
  type CreateSirllmEvaluationInput,
  type SirllmEvalReport,
  type SirllmEvalSummary,
} from "../../../schemas/sirllm-eval-jobs.js";
import { runSirllmEval, type SirllmEvalOptions } from "../../../shared/cli/sirllm-eval-command.js";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { createEmbeddedEngine } from "../../../shared/engines/embedded/index.js";
import type { Engine } from "../../../shared/engines/engine.js";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { EngineError } from "../../../shared/errors.js";
import { createJob, planJob } from "../../../shared/jobs/create-job.js";
import { jobKeys } from "../../../shared/jobs/job-keys.js";
import { readManifest, readPreparedView } from "../../../shared/jobs/job-views.js";
import { sirllmEvalKind } from "../../../shared/sirllm/jobs/sirllm-eval-kind.js";
import { makeHarness, snapshot, TENANT, type Harness } from "../../jobs/harness.js";

const FAKE_CONFIG = { name: "fake", kind: "fake", contextSize: 4096 } as const;

const text = async (h: Harness, key: string) => Buffer.from((await h.store.getBytes(key)).body).toString("utf8");

async function run(h: Harness, request: CreateSirllmEvaluationInput): Promise<{ id: string; summary: SirllmEvalSummary; lines: string[]; report: string }> {
  const { manifest } = await createJob(h.deps, sirllmEvalKind, TENANT, request);
  await h.drain();
  const keys = jobKeys(TENANT, manifest.jobId);
  const summary = SirllmEvalSummarySchema.parse(JSON.parse(await text(h, keys.summary)));
  const lines = (await text(h, keys.result("outcomes.jsonl"))).trim().split("\n");
  return { id: manifest.jobId, summary, lines, report: await text(h, keys.result("report.md")) };
}

/** The report part of a summary (what `assay sirllm eval --json` prints). */
function reportOf(s: SirllmEvalSummary): SirllmEvalReport {
  const { version, engine, policies, entropy, memoryLevel, seed, evaluations, work } = s;
  return { version, engine, policies, entropy, memoryLevel, seed, evaluations, work };
}

/** `engine` whose prompt scoring fails for good on any prompt holding `text` (bytes as the fake tokenizes them). */
function poisoned(base: Engine, text: string, error: () => Error): Engine {
  const bad = [...new TextEncoder().encode(text)].map((b) => 3 + (b % 253));
  const holds = (tokens: readonly number[]) => tokens.some((_, i) => bad.every((t, k) => tokens[i + k] === t));
  return {
    ...base,
    async score(requests) {
      if (requests.some((r) => holds(r.tokens))) throw error();
      return base.score(requests);
    },
  };
}

const threeTasks = {
  engine: "fake",
  tasks: ["dailydialog", "grocery", "rps"],
  policies: ["sirllm", "streaming"],
  limit: 2,
  cacheSize: 1536,
  rps: { players: { generate: { count: 3, seed: 7, rounds: 30 } } },
  rpsWindow: 10,
} satisfies CreateSirllmEvaluationInput;

describe("SirLLM evaluations (job kind) on the instant fake engine", () => {
  it("should run one unit per (task, unit, policy), record how with every line, and build each task's table", async () => {
    const h = makeHarness([sirllmEvalKind], [createInstantFakeEngine(FAKE_CONFIG)]);
    const { summary, lines, report } = await run(h, threeTasks);
    expect(summary.units).toBe(12);
    expect(summary.unitsCovered).toBe(12);
    expect(summary.partial).toBe(false);
    expect(summary.failedUnits).toBe(0);
    const parsed = lines.map((l) => SirllmEvalUnitLineSchema.parse(JSON.parse(l)));
    expect(parsed.map((l) => [l.index, l.task, l.unit, l.policy])).toEqual([
      [0, "dailydialog", "0", "sirllm"],
      [1, "dailydialog", "0", "streaming"],
      [2, "dailydialog", "1", "sirllm"],
      [3, "dailydialog", "1", "streaming"],
      [4, "grocery", "0", "sirllm"],
      [5, "grocery", "0", "streaming"],
      [6, "grocery", "1", "sirllm"],
      [7, "grocery", "1", "streaming"],
      [8, "rps", "seed7_player0_dominant_rock", "sirllm"],
      [9, "rps", "seed7_player0_dominant_rock", "streaming"],
      [10, "rps", "seed7_player1_dominant_paper", "sirllm"],
      [11, "rps", "seed7_player1_dominant_paper", "streaming"],
    ]);
    for (const l of parsed) expect([l.engine, l.entropy, l.memoryLevel]).toEqual(["fake", "paper", "token"]);
    expect(parsed.filter((l) => l.task === "grocery").every((l) => l.work.turns === 22 && l.work.evictions > 0)).toBe(true);
    expect([summary.entropy, summary.memoryLevel, summary.policies]).toEqual(["paper", "token", ["sirllm", "streaming"]]);
    expect(summary.evaluations.map((e) => [e.task, e.units, e.cacheSize, e.sinks, e.decay])).toEqual([
      ["dailydialog", 2, 1536, 4, 0.7],
      ["grocery", 2, 1536, 4, 1],
      ["rps", 2, 1536, 4, 0.9],
    ]);
    const [dd, grocery, rps] = summary.evaluations.map((e) => e.table);
    expect(dd!.task === "dailydialog" && dd!.rows.map((r) => [r.policy, r.units, r.accuracy.total])).toEqual([
      ["sirllm", 2, 8],
      ["streaming", 2, 8],
    ]);
    expect(grocery!.task === "grocery" && grocery!.rows.map((r) => [r.recall.total, r.csqa.total])).toEqual([
      [2, 40],
      [2, 40],
    ]);
    expect(rps!.task === "rps" && rps!.rows.map((r) => [r.overall.rounds, r.windows.map((w) => `${w.from}-${w.to}:${w.rounds}`).join(" ")])).toEqual([
      [60, "1-10:20 11-20:20 21-30:20"],
      [60, "1-10:20 11-20:20 21-30:20"],
    ]);
    expect(summary.work.turns).toBe(2 * (8 + 44 + 60));
    expect(report).toMatch(/\| DailyDialog \| sirllm \| streaming \|/);
    expect(report).toMatch(/\| recall accuracy \| .* \| .* \|/);
    expect(report).toMatch(/\| 21–30 \| /);
    expect(report).toMatch(/entropy preset `paper`; memory level `token`/);
  });

  it("should read a task's records from uploaded datasets, and give the tables the authors' files give", async () => {
    const h = makeHarness([sirllmEvalKind], [createInstantFakeEngine(FAKE_CONFIG)]);
    const file = (relative: string) => readFileSync(join(sirllmDataDir(), relative), "utf8");
    const upload = async (kind: string, text: string) => (await storeDataset(h.store, TENANT, text, { kind })).meta.id;
    const dailydialog = await upload("sirllm-dailydialog", file(SIRLLM_DATA_FILES.dailydialog));
    const grocery = await upload("sirllm-grocery", file(SIRLLM_DATA_FILES.grocery));
    // Two RPS players as datasets: the authors' first player's file, and its first 12 rounds as another player.
    const rpsText = file(SIRLLM_DATA_FILES.rps(RPS_DATA_PLAYERS[0]));
    const rps = [await upload("sirllm-rps", rpsText), await upload("sirllm-rps", rpsText.split("\n").slice(0, 12).join("\n"))];
    const base = { engine: "fake", policies: ["sirllm", "streaming"] as ("sirllm" | "streaming")[], limit: 2, cacheSize: 1536 };
    const fromFiles = await run(h, { ...base, tasks: ["dailydialog", "grocery"] });
    const fromDatasets = await run(h, { ...base, tasks: ["dailydialog", "grocery"], datasets: { dailydialog, grocery } });
    expect(fromDatasets.summary.evaluations.map((e) => e.data)).toEqual([`dataset:${dailydialog}`, `dataset:${grocery}`]);
    expect(fromFiles.summary.evaluations.map((e) => e.data)).toEqual(["files", "files"]);
    expect(fromDatasets.summary.evaluations.map((e) => e.table)).toEqual(fromFiles.summary.evaluations.map((e) => e.table));
    const players = await run(h, { ...base, task: "rps", limit: 5, datasets: { rps } });
    const lines = players.lines.map((l) => SirllmEvalUnitLineSchema.parse(JSON.parse(l)));
    expect([...new Set(lines.map((l) => l.unit))]).toEqual(rps);
    expect(players.summary.evaluations[0]!.data).toBe(`datasets:${rps.join(",")}`);
    // A dataset of another kind, or RPS players both uploaded and generated, is refused at submission.
    await expect(createJob(h.deps, sirllmEvalKind, TENANT, { ...base, task: "grocery", datasets: { grocery: dailydialog } })).rejects.toThrow(/ds_[0-9a-f]+ h/);
    const refusal = (request: CreateSirllmEvaluationInput) =>
      createJob(h.deps, sirllmEvalKind, TENANT, request).then(
        () => "accepted",
        (e: { message: string; details?: unknown }) => `${e.message} ${JSON.stringify(e.details)}`,
      );
    expect(await refusal({ ...base, task: "rps", datasets: { rps }, rps: { players: { generate: { count: 1, seed: 1 } } } })).toMatch(/not both/);
    expect(await refusal({ ...base, task: "rps", datasets: { grocery } })).toMatch(/task grocery is not requested/);
  });

  it("should give the same tables as the in-process `assay sirllm eval` on the same inputs", async () => {
    const h = makeHarness([sirllmEvalKind], [createInstantFakeEngine(FAKE_CONFIG)]);
    const { summary } = await run(h, threeTasks);
    const before = process.env.ASSAY_ENGINES;
    process.env.ASSAY_ENGINES = JSON.stringify([FAKE_CONFIG]);
    try {
      const opts: SirllmEvalOptions = {
        task: ["dailydialog", "grocery", "rps"],
        policy: ["sirllm", "streaming"],
        engine: "fake",
        limit: 2,
        cacheSize: 1536,
        rpsGenerate: { count: 3, seed: 7, rounds: 30 },
        rpsWindow: 10,
        json: true,
        quiet: true,
      };
      let printed = "";
      const cli = await runSirllmEval(opts, { out: (s) => (printed += s), err: () => {} });
      expect(cli).toEqual(reportOf(summary));
      expect(JSON.parse(printed)).toEqual(reportOf(summary));
    } finally {
      if (before === undefined) delete process.env.ASSAY_ENGINES;
      else process.env.ASSAY_ENGINES = before;
    }
  });

  it("should make a unit the engine refuses for good a failed line, counted apart, and finish", async () => {
    const base = createInstantFakeEngine(FAKE_CONFIG);
    const engine = poisoned(base, "peanut butter", () => new EngineError("fake: poisoned prompt", { retryable: false, engineStatus: 400 }));
    const h = makeHarness([sirllmEvalKind], [engine]);
    const { summary, lines } = await run(h, { engine: "fake", task: "grocery", policies: ["sirllm", "streaming"], limit: 3, cacheSize: 1024 });
    const parsed = lines.map((l) => SirllmEvalUnitLineSchema.parse(JSON.parse(l)));
    // Episode 1's key line is "I want you to buy the GROCERY: [peanut butter]."
    expect(parsed.filter((l) => l.result.status === "failed").map((l) => [l.unit, l.policy, l.work.turns])).toEqual([
      ["1", "sirllm", 0],
      ["1", "streaming", 0],
    ]);
    expect(parsed[2]!.result).toEqual({ status: "failed", reason: "turn 1 of 22 (id key_1): fake: poisoned prompt" });
    expect(summary.failedUnits).toBe(2);
    expect(summary.partial).toBe(false);
    const table = summary.evaluations[0]!.table;
    expect(table.task === "grocery" && table.rows.map((r) => [r.units, r.failedUnits, r.recall.total])).toEqual([
      [2, 1, 2],
      [2, 1, 2],
    ]);
  });

  it("should retry a unit whose engine fails transiently and end with the same results", async () => {
    const request: CreateSirllmEvaluationInput = { engine: "fake", task: "rps", policies: ["sirllm"], rps: { players: { generate: { count: 2, seed: 1, rounds: 12 } } }, cacheSize: 512 };
    const clean = await run(makeHarness([sirllmEvalKind], [createInstantFakeEngine(FAKE_CONFIG)]), request);
    let failures = 2;
    const base = createInstantFakeEngine(FAKE_CONFIG);
    const flaky: Engine = {
      ...base,
      async score(requests) {
        if (failures > 0 && requests[0]!.tokens.length > 300) {
          failures--;
          throw new EngineError("fake: 503", { retryable: true, engineStatus: 503 });
        }
        return base.score(requests);
      },
    };
    const h = makeHarness([sirllmEvalKind], [flaky]);
    const retried = await run(h, request);
    expect(failures).toBe(0);
    expect(retried.lines).toEqual(clean.lines);
    expect(reportOf(retried.summary)).toEqual(reportOf(clean.summary));
  });

  it("should write the same bytes when every message is delivered again", async () => {
    const h = makeHarness([sirllmEvalKind], [createInstantFakeEngine(FAKE_CONFIG)]);
    const { id } = await run(h, { ...threeTasks, limit: 1 });
    const before = await snapshot(h.store, jobKeys(TENANT, id).prefix);
    for (const message of h.queue.handled) await h.queue.send([message]);
    await h.drain();
    const after = await snapshot(h.store, jobKeys(TENANT, id).prefix);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, body] of before) if (/results\//.test(key)) expect(after.get(key), key).toBe(body);
  });

  it("should plan a dry run and store nothing", async () => {
    const h = makeHarness([sirllmEvalKind], [createInstantFakeEngine(FAKE_CONFIG)]);
    const plan = await planJob(h.deps, sirllmEvalKind, TENANT, { ...threeTasks, dryRun: true });
    expect(plan).toMatchObject({ dryRun: true, kind: "sirllm-eval", units: 12, memoryLevel: "token", unitsByTask: { dailydialog: 4, grocery: 4, rps: 4 } });
    expect(await snapshot(h.store)).toEqual(new Map());
  });

  it("should refuse at submission what cannot run, naming it", async () => {
    const h = makeHarness([sirllmEvalKind], [createInstantFakeEngine({ name: "fake", contextSize: 1024 })]);
    const refusal = async (request: Record<string, unknown>) => {
      try {
        await createJob(h.deps, sirllmEvalKind, TENANT, { engine: "fake", policies: ["sirllm"], ...request });
      } catch (e) {
        const err = e as { status: number; message: string; details?: { issues?: { path: string; message: string }[] } };
        return `${err.status} ${err.details?.issues ? err.details.issues.map((i) => `${i.path}: ${i.message}`).join("; ") : err.message}`;
      }
      return "accepted";
    };
    expect(await refusal({ task: "rps", memoryLevel: "kv" })).toMatch(/^400 memoryLevel "kv" needs a live KV cache per unit, which only the embedded engine gives/);
    expect(await refusal({ task: "rps", entropy: "reference", cacheSize: 512 })).toMatch(/^400 entropy "reference" reads the probability of the previous token's id/);
    expect(await refusal({ task: "rps" })).toMatch(/^400 task rps: cacheSize 1024 is larger than engine "fake"'s 1024-token context|^accepted$/);
    expect(await refusal({ task: "grocery", cacheSize: 2048 })).toBe(
      `400 task grocery: cacheSize 2048 is larger than engine "fake"'s 1024-token context; give a smaller cacheSize (or a larger context)`,
    );
    expect(await refusal({ task: "rps", tasks: ["rps"] })).toBe("400 tasks: give task (one) or tasks (several), not both and not neither");
    expect(await refusal({})).toBe("400 tasks: give task (one) or tasks (several), not both and not neither");
    expect(await refusal({ tasks: ["rps", "rps"], cacheSize: 512 })).toBe("400 tasks: tasks must be distinct");
    expect(await refusal({ task: "grocery", rps: { players: "data" }, cacheSize: 512 })).toBe('400 rps: rps applies only to task "rps"');
    expect(await refusal({ task: "rps", cacheSize: 512, rps: { players: { generate: { count: 5000, seed: 1 } } } })).toBe(
      "400 rps.players.generate.count: at most 1000 generated players a job",
    );
    expect(await refusal({ tasks: ["dailydialog", "grocery"], cacheSize: 4, policies: ["sirllm", "sirllm"] })).toBe(
      "400 policies: memory policies must be distinct; sinks: sinks must be smaller than cacheSize (sinks always stay, so a cache of only sinks has no room for a turn)",
    );
    expect(await refusal({ task: "rps", engine: "nope" })).toMatch(/^400 engine "nope" is not configured/);
    expect(await refusal({ task: "rps", engine: "http://evil.example/v1" })).toMatch(/^400 engine: engines are named, not addressed/);
  });

  it("should write an error line the tables count as a failed unit", async () => {
    const h = makeHarness([sirllmEvalKind], [createInstantFakeEngine(FAKE_CONFIG)]);
    const { id } = await run(h, { engine: "fake", task: "rps", policies: ["sirllm", "random"], limit: 1, cacheSize: 512, rps: { players: { generate: { count: 1, seed: 2, rounds: 3 } } } });
    const view = await readPreparedView(h.store, sirllmEvalKind, await readManifest(h.store, TENANT, id, sirllmEvalKind));
    const line = SirllmEvalUnitLineSchema.parse(JSON.parse(sirllmEvalKind.errorLine(view as never, 1, { code: "validation_error", message: "bad" })));
    expect(line).toMatchObject({ index: 1, task: "rps", unit: "seed2_player0_dominant_rock", policy: "random", result: { status: "failed", reason: "validation_error: bad" }, error: { code: "validation_error" } });
  });
});

describe("SirLLM evaluations (job kind) on the embedded engine", () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEmbeddedEngine({ name: "local", modelPath: sharedFile("models/stories260K.gguf"), threads: 1 });
  });
  afterAll(async () => engine?.close());

  // Grocery's 22-turn episodes are left to tests/e2e/sirllm-eval.slow.test.ts; two tasks keep this in seconds.
  it("should run at the kv level and give the tables `assay sirllm eval` gives in process", async () => {
    const h = makeHarness([sirllmEvalKind], [engine]);
    const { summary, lines } = await run(h, {
      engine: "local",
      tasks: ["dailydialog", "rps"],
      policies: ["sirllm", "streaming"],
      limit: 1,
      cacheSize: 500,
      rps: { players: { generate: { count: 1, seed: 5, rounds: 8 } } },
    });
    expect(summary.memoryLevel).toBe("kv");
    expect(lines.map((l) => JSON.parse(l).result.reason).filter(Boolean)).toEqual([]);
    expect(summary.failedUnits).toBe(0);
    expect(lines).toHaveLength(4);
    expect(summary.work.evictions).toBeGreaterThan(0);
    const cli = await runSirllmEval(
      { task: ["dailydialog", "rps"], policy: ["sirllm", "streaming"], engine: "local", limit: 1, cacheSize: 500, rpsGenerate: { count: 1, seed: 5, rounds: 8 }, json: true, quiet: true },
      { out: () => {}, err: () => {} },
    );
    expect(cli).toEqual(reportOf(summary));
  }, 120_000);
});
