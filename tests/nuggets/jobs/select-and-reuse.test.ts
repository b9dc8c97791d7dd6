/**
 * `select` jobs (exact early stopping) and the one-shot cache (pay only for what is new), through the job kernel with
 * a memory store and queue. The engine's log-probs hash the whole context, so every (candidate, anchor) comparison
 * differs and golden scores spread over [0, 1].
 */
import { describe, expect, it } from "vitest";
import { NuggetsJobPlanSchema } from "../../../schemas/nuggets-jobs.js";
import { scoreSuffixesByFullPrompts, type Engine, type ScoreRequest, type ScoreResult } from "../../../shared/engines/engine.js";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { createJob, planJob } from "../../../shared/jobs/create-job.js";
import { jobKeys } from "../../../shared/jobs/job-keys.js";
import { getNuggetsJobStatus, nuggetsKind, readSummary, subset } from "../../../shared/nuggets/jobs/index.js";
import { fakeLogprob } from "../fakes.js";
import { makeExamples, makeNuggetsHarness, seedDataset, TENANT, type Harness } from "./harness.js";

const N = 80;
const M = 20;

/** The instant fake's token for the second byte of "§" (0xA7): good demonstrations carry it. */
const GOOD_TOKEN = 3 + (0xa7 % 253);

/**
 * A full fake engine whose log-probs depend on the whole context, and rise by a nat per token after a demonstration
 * marked "§" (so some candidates clear 0.8 and 0.85); counts the pairs it is asked to score.
 */
function contextEngine() {
  const base = createInstantFakeEngine({ name: "fake" });
  const counter = { pairs: 0, calls: 0 };
  const score = async (requests: readonly ScoreRequest[]): Promise<ScoreResult[]> =>
    requests.map((r) => {
      const bonus = r.tokens.slice(0, r.from).includes(GOOD_TOKEN) ? 1 : 0;
      const logprobs: number[] = [];
      for (let i = r.from; i < r.tokens.length; i++) logprobs.push(fakeLogprob(r.tokens.slice(0, i), r.tokens[i]!) + bonus);
      return { logprobs };
    });
  const engine: Engine = {
    ...base,
    model: "context-fake",
    score,
    async scoreSuffixes(request) {
      counter.calls++;
      counter.pairs += request.suffixes.length;
      return scoreSuffixesByFullPrompts({ score }, request);
    },
  };
  return { engine, counter };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function lines(h: Harness, jobId: string): Promise<Record<string, unknown>[]> {
  const text = Buffer.from((await h.store.getBytes(jobKeys(TENANT, jobId).result("scores.jsonl"))).body).toString("utf8");
  return text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function scoresText(h: Harness, jobId: string): Promise<string> {
  return Buffer.from((await h.store.getBytes(jobKeys(TENANT, jobId).result("scores.jsonl"))).body).toString("utf8");
}

async function run(h: Harness, request: Record<string, unknown>): Promise<string> {
  const { manifest } = await createJob(h.deps, nuggetsKind, TENANT, { engine: "fake", shardSize: 16, ...request });
  await h.drain();
  expect(h.queue.dlq).toEqual([]);
  return manifest.jobId;
}

describe("select jobs", () => {
  const thresholds = [0.5, 0.8, 0.85];

  it("return exactly the exhaustive job's subsets, comparing fewer pairs", async () => {
    const { engine, counter } = contextEngine();
    const h = makeNuggetsHarness(engine);
    const datasetId = await seedDataset(h, makeExamples(N).map((e, i) => (i % 4 === 0 ? { ...e, instruction: `§ ${e.instruction}` } : e)));
    const anchorsId = await seedDataset(h, makeExamples(M, "anchor "));
    const common = { datasetId, anchors: { method: "dataset", datasetId: anchorsId }, thresholds, reuse: false };
    const exhaustive = await run(h, common);
    const exhaustivePairs = counter.pairs;
    expect(exhaustivePairs).toBe(N * M);
    const select = await run(h, { ...common, mode: "select", selectSeed: 5 });
    const selectPairs = counter.pairs - exhaustivePairs;

    const full = await lines(h, exhaustive);
    const sel = await lines(h, select);
    for (const t of thresholds) {
      const want = full.filter((l) => (l.goldenScore as number) > t).map((l) => l.index);
      expect(sel.filter((l) => (l.decisions as Record<string, string>)[String(t)] === "above").map((l) => l.index), `t=${t}`).toEqual(want);
      const a = await collect(await subset(h.deps, TENANT, exhaustive, { threshold: t }));
      const b = await collect(await subset(h.deps, TENANT, select, { threshold: t }));
      expect(b).toEqual(a);
    }
    for (const t of thresholds) expect(full.filter((l) => (l.goldenScore as number) > t).length, `t=${t}`).toBeGreaterThan(0); // not degenerate
    for (const l of sel) {
      expect(l).toMatchObject({ status: "decided", anchors: M, seed: 5 });
      expect(l).toHaveProperty("bounds");
      expect(l).toHaveProperty("oneShot"); // stored raw; the scores route strips it
    }
    const compared = sel.reduce((n, l) => n + (l.anchorsScored as number), 0);
    expect(selectPairs).toBe(compared);
    expect(selectPairs).toBeLessThan(exhaustivePairs);

    const summary = await readSummary(h.deps, TENANT, select);
    const fullSummary = await readSummary(h.deps, TENANT, exhaustive);
    expect(summary).toMatchObject({ mode: "select", selectSeed: 5, histogram: null, winsCounts: null, top: null, scored: N });
    expect(summary.pairs).toEqual({ compared, exhaustive: N * M });
    expect(summary.thresholds.map((t) => t.count)).toEqual(fullSummary.thresholds.map((t) => t.count));
    const status = await getNuggetsJobStatus(h.deps, TENANT, select);
    expect(status).toMatchObject({ mode: "select", progress: { pairsScored: compared, pairsReused: 0, candidatesScored: N } });
    expect(status.links).not.toHaveProperty("histogram");
  });

  it("answers only the thresholds it decided", async () => {
    const { engine } = contextEngine();
    const h = makeNuggetsHarness(engine);
    const datasetId = await seedDataset(h, makeExamples(20));
    const jobId = await run(h, { datasetId, anchors: { method: "random", size: 8, seed: 1 }, mode: "select", thresholds: [0.8] });
    await expect(subset(h.deps, TENANT, jobId, { threshold: 0.7 })).rejects.toThrow(/decided GS > t only for t in \[0.8\]/);
    await expect(subset(h.deps, TENANT, jobId, { topPercent: 10 })).rejects.toThrow(/only for t in/);
    await expect(subset(h.deps, TENANT, jobId, { threshold: 0.8 })).resolves.toBeDefined();
  });

  it("is refused without thresholds", async () => {
    const h = makeNuggetsHarness(contextEngine().engine);
    const datasetId = await seedDataset(h, makeExamples(5));
    await expect(
      createJob(h.deps, nuggetsKind, TENANT, { datasetId, anchors: { method: "random", size: 3, seed: 1 }, engine: "fake", mode: "select" }),
    ).rejects.toThrow(/thresholds/);
  });
});

describe("the one-shot cache", () => {
  it("scores only the new examples of a grown pool, and writes what a from-scratch job writes", async () => {
    const { engine, counter } = contextEngine();
    const h = makeNuggetsHarness(engine);
    const pool = makeExamples(N);
    const grown = [...pool.slice(0, 40), ...makeExamples(8, "new "), ...pool.slice(40)]; // 10% new, not at the end
    const anchorsId = await seedDataset(h, makeExamples(M, "anchor "));
    const anchors = { method: "dataset", datasetId: anchorsId };
    await run(h, { datasetId: await seedDataset(h, pool), anchors });
    expect(counter.pairs).toBe(N * M);

    const grownId = await seedDataset(h, grown);
    const plan = NuggetsJobPlanSchema.parse(await planJob(h.deps, nuggetsKind, TENANT, { datasetId: grownId, anchors, engine: "fake", dryRun: true }));
    expect(plan.knownPairs).toEqual({ count: N * M, method: "exact", sampledCandidates: N + 8 });

    const before = { ...counter };
    const second = await run(h, { datasetId: grownId, anchors });
    expect(counter.pairs - before.pairs).toBe(8 * M); // only the new examples went to the engine
    expect(counter.calls - before.calls).toBe(8);
    const status = await getNuggetsJobStatus(h.deps, TENANT, second);
    expect(status.progress).toMatchObject({ pairsScored: 8 * M, pairsReused: N * M });

    const scratch = await run(h, { datasetId: grownId, anchors, reuse: false });
    expect(await scoresText(h, second)).toBe(await scoresText(h, scratch));
  });

  it("lets a select job reuse an exhaustive job's sums and an exhaustive job complete a select job's", async () => {
    const { engine, counter } = contextEngine();
    const h = makeNuggetsHarness(engine);
    const datasetId = await seedDataset(h, makeExamples(30));
    const anchors = { method: "dataset", datasetId: await seedDataset(h, makeExamples(M, "anchor ")) };
    const selectScratch = await run(h, { datasetId, anchors, mode: "select", thresholds: [0.8], reuse: false });
    const p0 = counter.pairs;
    const select = await run(h, { datasetId, anchors, mode: "select", thresholds: [0.8] }); // fills the cache
    expect(counter.pairs - p0).toBe(p0); // nothing cached yet: the same pairs again
    expect(await scoresText(h, select)).toBe(await scoresText(h, selectScratch));
    const p1 = counter.pairs;
    await run(h, { datasetId, anchors }); // exhaustive: only the pairs select left out
    expect(counter.pairs - p1).toBe(30 * M - p0);
    const p2 = counter.pairs;
    const again = await run(h, { datasetId, anchors, mode: "select", thresholds: [0.8] });
    expect(counter.pairs).toBe(p2); // everything known
    expect(await scoresText(h, again)).toBe(await scoresText(h, selectScratch));
  });

  it("is keyed by the anchor set: other anchors score everything", async () => {
    const { engine, counter } = contextEngine();
    const h = makeNuggetsHarness(engine);
    const datasetId = await seedDataset(h, makeExamples(10));
    await run(h, { datasetId, anchors: { method: "random", size: 5, seed: 1 } });
    const p = counter.pairs;
    await run(h, { datasetId, anchors: { method: "random", size: 5, seed: 2 } });
    expect(counter.pairs - p).toBe(50);
    await run(h, { datasetId, anchors: { method: "random", size: 5, seed: 2 }, preset: "reference" });
    expect(counter.pairs - p).toBe(100);
  });
});
