/**
 * MTI-Bench sweeps through the job kernel with a memory store and queue, on the shared slice. The engine is the
 * instant fake, made an oracle for Multi-Task Inference: when a prompt asks for all of an instance's steps at once it
 * answers every step with the gold; otherwise it answers junk. So multi's accuracy is 1 and the others' 0, which the reports must say.
 */
import { readFileSync } from "node:fs";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { MtiInstance } from "../../../schemas/mti.js";
import { MtiUnitErrorLineSchema, MtiUnitLineSchema, type CreateMtiSweepInput, type MtiSweepSummary } from "../../../schemas/mti-sweeps.js";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { storeDataset } from "../../../shared/datasets/dataset-store.js";
import type { Engine } from "../../../shared/engines/engine.js";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { createJob, planJob } from "../../../shared/jobs/create-job.js";
import { jobKeys } from "../../../shared/jobs/job-keys.js";
import { parseMtiBench, parseMtiFreeForm } from "../../../shared/mti/dataset/parse-bench.js";
import { renderMultiTask } from "../../../shared/mti/prompts/render-instance.js";
import { goldAnswerToPythonStr } from "../../../shared/mti/scoring/gold-answer.js";
import { mtiSweepKind } from "../../../shared/mti/jobs/mti-kind.js";
import { makeHarness, snapshot, TENANT, type Harness } from "../../jobs/harness.js";

const benchText = readFileSync(sharedFile("data/mti_bench/mti_bench_slice.json"), "utf8");
const demosText = readFileSync(sharedFile("data/mti_bench/cot_breakdown.json"), "utf8");
const instances = parseMtiBench(benchText).tasks.flatMap((t) => t.instances);

/** The instant fake, answering multi-task prompts with the gold (see the file comment). */
function oracleEngine(name = "fake", contextSize = 16_384): Engine {
  const base = createInstantFakeEngine({ name, contextSize });
  return {
    ...base,
    async generate(requests) {
      const junk = await base.generate(requests);
      return requests.map((r, i) => {
        const prompt = Buffer.from(r.prompt.filter((t) => t >= 3).map((t) => t - 3)).toString("utf8");
        // The task part comes after the one-shot example (which may be another instance of the task): the last wins.
        let inst: (typeof instances)[number] | undefined;
        let at = -1;
        for (const x of instances) {
          const i = prompt.lastIndexOf(`### Task:\n\n### Instruction: ${renderMultiTask(x)}`);
          if (i > at) [inst, at] = [x, i];
        }
        if (inst === undefined) return junk[i]!;
        const text = inst.answers.map((g, k) => `<task${k + 1}>${goldAnswerToPythonStr(g.raw)}<task${k + 1}/>`).join("\n");
        return { ...junk[i]!, text };
      });
    },
  };
}

async function setup(engines: Engine[] = [oracleEngine()]): Promise<{ h: Harness; datasetId: string; demosDatasetId: string }> {
  const h = makeHarness([mtiSweepKind], engines);
  const bench = await storeDataset(h.store, TENANT, benchText, { kind: "mti-bench" });
  const demos = await storeDataset(h.store, TENANT, demosText, { kind: "mti-demos" });
  return { h, datasetId: bench.meta.id, demosDatasetId: demos.meta.id };
}

const text = async (h: Harness, key: string) => Buffer.from((await h.store.getBytes(key)).body).toString("utf8");

async function run(h: Harness, request: CreateMtiSweepInput): Promise<{ id: string; summary: MtiSweepSummary; lines: string }> {
  const { manifest } = await createJob(h.deps, mtiSweepKind, TENANT, request);
  await h.drain();
  const keys = jobKeys(TENANT, manifest.jobId);
  const summary = JSON.parse(await text(h, keys.summary)) as MtiSweepSummary;
  return { id: manifest.jobId, summary, lines: await text(h, keys.result("units.jsonl")) };
}

describe("MTI-Bench sweeps (job kind)", () => {
  it("should run every task of the slice in all three modes, with one line per unit and the reports", async () => {
    const { h, datasetId, demosDatasetId } = await setup();
    const { id, summary, lines } = await run(h, {
      engines: ["fake"],
      datasetId,
      demosDatasetId,
      decoding: { maxTokens: 24 },
      gate: { minFinalAccuracy: [{ mode: "multi", min: 0.9 }, { mode: "single", min: 0.5 }] },
    });
    // 25 tasks × 4 instances: 100 multi + 100 single + 50 batch pairs.
    expect(summary.units).toBe(250);
    expect(summary.unitErrors).toBe(0);
    const parsed = lines.trim().split("\n").map((l) => MtiUnitLineSchema.parse(JSON.parse(l)));
    expect(parsed.map((l) => l.unit)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(summary.tasks).toHaveLength(25);
    const byMode = Object.fromEntries(summary.reports.map((r) => [r.mode, r]));
    expect(byMode.multi!.overall.finalAccuracy.mean).toBe(1);
    expect(byMode.single!.overall.finalAccuracy.mean).toBe(0);
    expect(byMode.batch!.overall.instances).toBe(100);
    expect(byMode.single!.latency.calls).toBe(instances.reduce((n, i) => n + i.instructions.length, 0));
    expect(summary.gate?.verdict).toBe("fail");
    expect(summary.gate?.failed.map((c) => c.name)).toEqual([expect.stringMatching(/final accuracy of single/)]);
    const keys = jobKeys(TENANT, id);
    expect(XMLValidator.validate(await text(h, keys.result("junit.xml")))).toBe(true);
    for (const svg of ["accuracy.svg", "latency.svg"]) expect(XMLValidator.validate(await text(h, keys.result(svg)))).toBe(true);
    expect(await text(h, keys.result("report.md"))).toMatch(/\*\*Gate: FAIL\*\*/);
    expect((await text(h, keys.result("report.csv"))).split("\r\n")[1]).toMatch(/^fake,multi,all,all,100,0,1,/);
  });

  it("should write the same bytes when every message is delivered again", async () => {
    const { h, datasetId, demosDatasetId } = await setup();
    const { id } = await run(h, { engines: ["fake"], datasetId, demosDatasetId, tasks: ["001", "012"], decoding: { maxTokens: 16 }, runs: 2 });
    const before = await snapshot(h.store, jobKeys(TENANT, id).prefix);
    for (const message of h.queue.handled) await h.queue.send([message]);
    await h.drain();
    const after = await snapshot(h.store, jobKeys(TENANT, id).prefix);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, body] of before) if (/results\//.test(key)) expect(after.get(key), key).toBe(body);
  });

  it("should turn a prompt too long for the engine into error lines and still finish", async () => {
    const { h, datasetId, demosDatasetId } = await setup([oracleEngine("tiny", 700)]);
    const { summary, lines } = await run(h, { engines: ["tiny"], datasetId, demosDatasetId, modes: ["multi"], tasks: ["001", "002"], decoding: { maxTokens: 16 } });
    expect(summary.units).toBe(8);
    expect(summary.partial).toBe(false);
    const errors = lines.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => "error" in l);
    expect(errors.length).toBeGreaterThan(0);
    expect(summary.unitErrors).toBe(errors.length);
    const e = MtiUnitErrorLineSchema.parse(errors[0]);
    expect(e.error.message).toMatch(/no room to answer/);
    expect(summary.reports[0]!.overall.errors).toBe(errors.length);
  });

  it("should compare engines side by side and a baseline sweep through the gate", async () => {
    const { h, datasetId, demosDatasetId } = await setup([oracleEngine("a"), oracleEngine("b")]);
    const base = { datasetId, demosDatasetId, tasks: ["013"], decoding: { maxTokens: 16 } };
    const first = await run(h, { ...base, engines: ["a", "b"], modes: ["multi", "single"] });
    expect(first.summary.reports.map((r) => `${r.engine}/${r.mode}`)).toEqual(["a/multi", "a/single", "b/multi", "b/single"]);
    expect(first.summary.speedRatios.map((s) => s.engine)).toEqual(["a", "b"]);
    const second = await run(h, { ...base, engines: ["a"], modes: ["multi"], gate: { baseline: { sweepId: first.id, maxRegression: 0 } } });
    expect(second.summary.gate?.verdict).toBe("pass");
  });

  it("should refuse unknown tasks, a missing baseline and an engine named by URL before storing anything", async () => {
    const { h, datasetId, demosDatasetId } = await setup();
    await expect(createJob(h.deps, mtiSweepKind, TENANT, { engines: ["fake"], datasetId, demosDatasetId, tasks: ["999"] })).rejects.toThrow(/no task 999/);
    await expect(
      createJob(h.deps, mtiSweepKind, TENANT, { engines: ["fake"], datasetId, demosDatasetId, gate: { baseline: { sweepId: "ms_0000000000000000000000", maxRegression: 0 } } }),
    ).rejects.toThrow(/baseline sweep/);
    const url = await createJob(h.deps, mtiSweepKind, TENANT, { engines: ["http://10.0.0.1/v1"], datasetId, demosDatasetId }).catch((e: unknown) => e);
    expect(url).toMatchObject({ status: 400 });
    expect(JSON.stringify((url as { details?: unknown }).details)).toMatch(/named, not addressed/);
    await expect(createJob(h.deps, mtiSweepKind, TENANT, { engines: ["fake"], datasetId, demosDatasetId, template: { jinja: "{% for m in messages %}" } })).rejects.toThrow();
    expect(h.queue.sent).toBe(0);
  });

  it("should plan units by mode in a dry run", async () => {
    const { h, datasetId, demosDatasetId } = await setup();
    const plan = await planJob(h.deps, mtiSweepKind, TENANT, { engines: ["fake"], datasetId, demosDatasetId, instancesPerTask: 3, runs: 3, dryRun: true });
    expect(plan).toMatchObject({ instances: 75, units: 3 * (75 + 75 + 50), unitsByMode: { multi: 225, single: 225, batch: 150 } });
  });

  it("should score a free-form dataset by ROUGE-L per step, read through the step markers", async () => {
    const freeText = readFileSync(sharedFile("data/mti_bench/free_form_slice.json"), "utf8");
    const refs = new Map(parseMtiFreeForm(freeText).tasks.flatMap((t) => t.instances).map((i) => [renderMultiTask(i), i] as const));
    const base = createInstantFakeEngine({ name: "writer", contextSize: 16_384 });
    // Answers each multi-task prompt with its references under "#k:" markers; junk elsewhere.
    const writer: Engine = {
      ...base,
      async generate(requests) {
        const junk = await base.generate(requests);
        return requests.map((r, i) => {
          const prompt = Buffer.from(r.prompt.filter((t) => t >= 3).map((t) => t - 3)).toString("utf8");
          let hit: MtiInstance | undefined;
          let at = -1;
          for (const [body, inst] of refs) {
            const j = prompt.lastIndexOf(`### Task:\n\n### Instruction: ${body}`);
            if (j > at) [hit, at] = [inst, j];
          }
          return hit === undefined ? junk[i]! : { ...junk[i]!, text: hit.answers.map((g, k) => `#${k + 1}: ${String(g.value)}`).join("\n") };
        });
      },
    };
    const { h, demosDatasetId } = await setup([writer]);
    const free = await storeDataset(h.store, TENANT, freeText, { kind: "mti-free-form" });
    const { summary, lines } = await run(h, { engines: ["writer"], datasetId: free.meta.id, demosDatasetId, modes: ["multi", "single"], tasks: ["034", "038"], decoding: { maxTokens: 16 } });
    expect(summary.scoring).toBe("rouge-l");
    const multi = summary.reports.find((r) => r.mode === "multi")!;
    expect(multi.overall.rougeL?.mean).toBeCloseTo(1, 9);
    expect(multi.overall.stepRougeL).toHaveLength(2);
    const single = summary.reports.find((r) => r.mode === "single")!;
    expect(single.overall.rougeL?.mean).toBeLessThan(0.2);
    const step = MtiUnitLineSchema.parse(JSON.parse(lines.split("\n")[0]!)).instances[0]!.steps[0]!;
    expect(step.match).toBe(false);
    expect(step.rougeL).toBeCloseTo(1, 9);
  });

  it("should sweep a chat-completions engine with the bare user content and the server's token counts", async () => {
    const seen: string[] = [];
    const chatty: Engine = {
      ...createInstantFakeEngine({ name: "hosted" }),
      capabilities: { promptLogprobs: false, sharedPrefix: false, generate: false, embeddings: false, kvSequences: false, chat: true },
      async chat(requests) {
        return requests.map((r) => {
          seen.push(r.messages.map((m) => `${m.role}:${m.content}`).join("|"));
          return { text: "<task1>A<task1/>", finishReason: "stop" as const, promptTokens: 321, outputTokens: 7 };
        });
      },
    };
    const { h, datasetId, demosDatasetId } = await setup([chatty]);
    const { summary } = await run(h, { engines: ["hosted"], datasetId, demosDatasetId, modes: ["multi"], tasks: ["013"], decoding: { maxTokens: 16 } });
    expect(summary.unitErrors).toBe(0);
    expect(seen).toHaveLength(4);
    expect(seen[0]!.startsWith("user:### Example:\n\n### Instruction: ")).toBe(true); // no <|user|> wrapping
    expect(summary.reports[0]!.latency.promptTokensPerInstance).toBe(321);
  });
});
