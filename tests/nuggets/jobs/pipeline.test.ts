import { describe, expect, it } from "vitest";
import { NuggetsJobPreparedSchema, NuggetsJobSummarySchema, type NuggetsJobManifest } from "../../../schemas/nuggets-jobs.js";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { withResilience } from "../../../shared/engines/resilience.js";
import { ConflictError } from "../../../shared/errors.js";
import { prepareAnchor, prepareCandidate } from "../../../shared/nuggets/anchor-tokens.js";
import { verifyCallback } from "../../../shared/jobs/callback-signature.js";
import { createNuggetsJob } from "../../../shared/nuggets/jobs/create-job.js";
import { handleNuggetsMessage } from "../../../shared/nuggets/jobs/handle-message.js";
import { histogramSvg } from "../../../shared/nuggets/jobs/histogram-svg.js";
import { jobKeys } from "../../../shared/nuggets/jobs/job-keys.js";
import { getNuggetsJobStatus } from "../../../shared/nuggets/jobs/job-status.js";
import { readSummary, streamScores, subset } from "../../../shared/nuggets/jobs/results.js";
import { scoreCandidate, zeroShotScores } from "../../../shared/nuggets/score-candidate.js";
import { makeExamples, makeHarness, SECRET, seedDataset, snapshot, TENANT, type Harness } from "./harness.js";

const N = 60;
const M = 12;

async function startJob(h: Harness, extra: Record<string, unknown> = {}) {
  const datasetId = await seedDataset(h, makeExamples(N));
  const { manifest } = await createNuggetsJob(h.deps, TENANT, {
    datasetId,
    anchors: { method: "random", size: M, seed: 3 },
    engine: "fake",
    shardSize: 16,
    callbackUrl: "https://hooks.example.com/nuggets",
    ...extra,
  });
  return manifest;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function scoresText(h: Harness, m: NuggetsJobManifest): Promise<string> {
  return Buffer.from((await h.store.getBytes(jobKeys(TENANT, m.jobId).scores)).body).toString("utf8");
}

describe("NUGGETS job pipeline", () => {
  it("should run a job to completion with the scores scoreCandidate gives directly", async () => {
    const engine = createInstantFakeEngine({ name: "fake" });
    const h = makeHarness(engine);
    const manifest = await startJob(h);
    expect(manifest.shards).toBe(4);
    await h.queue.drain(h.deps);
    expect(h.queue.dlq).toEqual([]);

    const prepared = await h.store.getJson(jobKeys(TENANT, manifest.jobId).prepared, NuggetsJobPreparedSchema);
    const examples = makeExamples(N);
    const tokenize = (t: string) => engine.tokenize(t);
    const anchors = await Promise.all(
      prepared.anchorIndices!.map((i) => prepareAnchor(examples[i]!, tokenize, manifest.preset, engine.contextSize)),
    );
    const zeroShot = await zeroShotScores(anchors, engine, manifest.preset);
    const lines = (await scoresText(h, manifest)).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.index)).toEqual(examples.map((_, i) => i));
    for (const [index, example] of examples.entries()) {
      const candidateTokens = await prepareCandidate(example, tokenize);
      const direct = await scoreCandidate({ index, candidateTokens, anchors, zeroShot, engine, preset: manifest.preset });
      expect(lines[index]).toEqual(direct);
    }

    const summary = await readSummary(h.deps, TENANT, manifest.jobId);
    expect(summary.scored).toBe(N);
    expect(summary.histogram.counts.reduce((a, b) => a + b, 0)).toBe(N);
    expect(summary.winsCounts.reduce((a, b) => a + b, 0)).toBe(N);
    const over = (t: number) => lines.filter((l) => l.goldenScore > t).length;
    expect(summary.thresholds).toEqual(manifest.thresholds.map((t) => ({ threshold: t, count: over(t) })));
    expect(summary.top[0]!.goldenScore).toBe(Math.max(...lines.map((l) => l.goldenScore)));
    expect(summary.top[0]!.instruction).toBe(examples[summary.top[0]!.index]!.instruction);

    const status = await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId);
    expect(status.status).toBe("completed");
    expect(status.progress).toMatchObject({ candidatesScored: N, pairsScored: N * M, pairsTotal: N * M, shardsDone: 4, shardsFailed: 0 });

    const stripped = await collect(await streamScores(h.deps, TENANT, manifest.jobId));
    expect(JSON.parse(stripped[0]!)).not.toHaveProperty("oneShot");
    const raw = await collect(await streamScores(h.deps, TENANT, manifest.jobId, { raw: true }));
    expect(JSON.parse(raw[0]!).oneShot).toHaveLength(M);

    const t = 0.5;
    const above = await collect(await subset(h.deps, TENANT, manifest.jobId, { threshold: t }));
    const expected = lines.filter((l) => l.goldenScore > t).map((l) => l.index);
    expect(above.map((e) => e.instruction)).toEqual(expected.map((i) => examples[i]!.instruction));
    expect(above.every((e) => typeof e.input === "string")).toBe(true);
    const top = await collect(await subset(h.deps, TENANT, manifest.jobId, { topPercent: 10 }));
    expect(top).toHaveLength(6);
    const best = [...lines].sort((a, b) => b.goldenScore - a.goldenScore || a.index - b.index).slice(0, 6).map((l) => l.index);
    expect(top.map((e) => e.instruction)).toEqual(best.sort((a, b) => a - b).map((i) => examples[i]!.instruction));

    expect(histogramSvg(summary)).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg".*<\/svg>$/s);
    expect(h.posts).toHaveLength(1);
  });

  it("should leave every stored object byte-identical when every message is delivered once more", async () => {
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }));
    await startJob(h);
    await h.queue.drain(h.deps);
    const before = await snapshot(h);
    const again = [...h.queue.handled];
    for (const message of again) {
      await handleNuggetsMessage(h.deps, message, { receiveCount: 2, maxReceiveCount: 5, remainingTimeMs: () => 900_000 });
    }
    await h.queue.drain(h.deps);
    expect(await snapshot(h)).toEqual(before);
    expect(h.posts).toHaveLength(1);
  });

  it("should write one summary and send one callback when two aggregations race", async () => {
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }));
    const manifest = await startJob(h);
    while (h.queue.pending.length > 0 && h.queue.pending[0]!.message.type !== "aggregate") await h.queue.drain(h.deps, { limit: 1 });
    const aggregate = h.queue.pending.shift()!.message;
    expect(aggregate.type).toBe("aggregate");
    const ctx = { receiveCount: 1, maxReceiveCount: 5, remainingTimeMs: () => 900_000 };
    await Promise.all([handleNuggetsMessage(h.deps, aggregate, ctx), handleNuggetsMessage(h.deps, aggregate, ctx)]);
    expect(h.posts).toHaveLength(1);
    const summary = await h.store.getJson(jobKeys(TENANT, manifest.jobId).summary, NuggetsJobSummarySchema);
    expect(summary.scored).toBe(N);

    const post = h.posts[0]!;
    const ts = post.headers["X-Assay-Timestamp"]!;
    const sig = post.headers["X-Assay-Signature"]!;
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyCallback(SECRET, post.body, ts, sig, Number(ts))).toBe(true);
    expect(verifyCallback(SECRET, post.body.replace("completed", "failed"), ts, sig, Number(ts))).toBe(false);
    expect(verifyCallback("wrong", post.body, ts, sig, Number(ts))).toBe(false);
    expect(JSON.parse(post.body)).toMatchObject({ jobId: manifest.jobId, status: "completed", scored: N });
  });

  it("should split shards at checkpoints and still produce identical scores", async () => {
    const plain = makeHarness(createInstantFakeEngine({ name: "fake" }));
    const m1 = await startJob(plain);
    await plain.queue.drain(plain.deps);

    const tight = makeHarness(createInstantFakeEngine({ name: "fake" }), { checkpointSafetyMs: 10_000 });
    const m2 = await startJob(tight);
    const deliveries = await tight.queue.drain(tight.deps, { remainingTimeMs: () => 5_000 });
    expect(deliveries).toBeGreaterThan(N);
    const pieces = [...(await snapshot(tight)).keys()].filter((k) => k.includes("/pieces/"));
    expect(pieces.length).toBe(N);
    expect(m2.jobId).not.toBe(m1.jobId);
    expect(await scoresText(tight, m2)).toBe(await scoresText(plain, m1));
  });

  it("should complete under a 33% transient engine failure rate with retries", async () => {
    const clean = makeHarness(createInstantFakeEngine({ name: "fake" }));
    const m1 = await startJob(clean);
    await clean.queue.drain(clean.deps);

    const flaky = createInstantFakeEngine({ name: "fake", faults: { transientFailureRate: 0.33, seed: 7 } });
    const h = makeHarness(withResilience(flaky, { concurrency: 4, sleep: async () => {} }));
    const m2 = await startJob(h);
    await h.queue.drain(h.deps, { maxReceiveCount: 10 });
    expect(flaky.calls.failed).toBeGreaterThan(5);
    expect(h.queue.dlq).toEqual([]);
    expect((await getNuggetsJobStatus(h.deps, TENANT, m2.jobId)).status).toBe("completed");
    expect(await scoresText(h, m2)).toBe(await scoresText(clean, m1));
  });

  it("should dead-letter a poison shard, report it, and re-enqueue it on retry", async () => {
    const { retryFailedShards } = await import("../../../shared/nuggets/jobs/job-status.js");
    // "~" appears only in candidate 21 (shard 1); the fake tokenizer maps it to token 3 + 126.
    const engine = createInstantFakeEngine({ name: "fake", faults: { poisonToken: 3 + 126 } });
    const h = makeHarness(engine);
    const examples = makeExamples(N);
    examples[21] = { ...examples[21]!, output: "poison ~ here" };
    const datasetId = await seedDataset(h, examples);
    const anchorsId = await seedDataset(h, makeExamples(M, "anchor "));
    const { manifest } = await createNuggetsJob(h.deps, TENANT, {
      datasetId,
      anchors: { method: "dataset", datasetId: anchorsId },
      engine: "fake",
      shardSize: 16,
    });
    await h.queue.drain(h.deps, { maxReceiveCount: 3 });
    expect(h.queue.dlq).toHaveLength(1);
    const status = await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId);
    expect(status.status).toBe("failed");
    expect(status.progress.shardsFailed).toBe(1);
    expect(status.progress.shardsDone).toBe(3);
    expect(status.failures).toEqual([expect.objectContaining({ shard: 1, attempts: 3, final: true })]);
    // The candidates before the poison one were kept.
    expect(status.progress.candidatesScored).toBe(N - 11);

    const retried = await retryFailedShards(h.deps, TENANT, manifest.jobId);
    expect(retried.shards).toEqual([1]);
    expect(h.queue.pending.map((p) => p.message)).toEqual([
      { type: "shard", tenant: TENANT, jobId: manifest.jobId, shard: 1, from: 21, to: 32 },
    ]);
    expect((await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId)).status).toBe("running");
  });

  it("should enqueue the aggregation on retry when a dead-lettered shard was covered after all", async () => {
    const { retryFailedShards } = await import("../../../shared/nuggets/jobs/job-status.js");
    const { jobKeys } = await import("../../../shared/nuggets/jobs/job-keys.js");
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }));
    const manifest = await startJob(h);
    await h.queue.drain(h.deps);
    // Every range is scored, but a stale final failure for shard 1 and no summary: a lost race, frozen.
    const keys = jobKeys(TENANT, manifest.jobId);
    await h.deps.store.delete(keys.summary);
    await h.deps.store.putJson(keys.shardFailure(1), {
      version: 1, shard: 1, attempts: 5, final: true, error: { code: "engine_error", message: "late" }, at: new Date(0).toISOString(),
    });
    expect((await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId)).status).toBe("failed");

    const retried = await retryFailedShards(h.deps, TENANT, manifest.jobId);
    expect(h.queue.pending.map((p) => p.message)).toEqual([{ type: "aggregate", tenant: TENANT, jobId: manifest.jobId }]);
    expect(retried).toMatchObject({ shards: [1], messages: 1 });
    await h.queue.drain(h.deps);
    expect((await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId)).status).toBe("completed");
  });

  it("should refuse results with a 409 before anything is streamed while the job is running", async () => {
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }));
    const manifest = await startJob(h);
    await expect(streamScores(h.deps, TENANT, manifest.jobId)).rejects.toBeInstanceOf(ConflictError);
    await expect(subset(h.deps, TENANT, manifest.jobId, { threshold: 0.5 })).rejects.toBeInstanceOf(ConflictError);
    await expect(readSummary(h.deps, TENANT, manifest.jobId)).rejects.toBeInstanceOf(ConflictError);
  });

  it("should score no further shard once a job is cancelled", async () => {
    const { cancelNuggetsJob } = await import("../../../shared/nuggets/jobs/job-status.js");
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }));
    const manifest = await startJob(h);
    await h.queue.drain(h.deps, { limit: 2 }); // prepare, then shard 0
    await cancelNuggetsJob(h.deps, TENANT, manifest.jobId);
    await h.queue.drain(h.deps);
    const keys = [...(await snapshot(h)).keys()];
    expect(keys.filter((k) => k.includes("/pieces/"))).toHaveLength(1);
    expect(keys.some((k) => k.endsWith("summary.json"))).toBe(false);
    expect((await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId)).status).toBe("cancelled");
    expect(h.posts).toHaveLength(0);
  });

  it("should return the same job for a repeated idempotency key and refuse it for a different request", async () => {
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }));
    const datasetId = await seedDataset(h, makeExamples(N));
    const request = { datasetId, anchors: { method: "random", size: M }, engine: "fake", idempotencyKey: "nightly-1" };
    const first = await createNuggetsJob(h.deps, TENANT, request);
    const second = await createNuggetsJob(h.deps, TENANT, request);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.manifest).toEqual(first.manifest);
    await expect(createNuggetsJob(h.deps, TENANT, { ...request, preset: "reference" })).rejects.toBeInstanceOf(ConflictError);
  });

  it("should reuse cached zero-shot scores for a second job over the same anchors", async () => {
    const engine = createInstantFakeEngine({ name: "fake" });
    const h = makeHarness(engine);
    const m1 = await startJob(h);
    await h.queue.drain(h.deps);
    const m2 = await startJob(h, { shardSize: 30 });
    const calls = engine.calls.count;
    await h.queue.drain(h.deps, { limit: 1 }); // prepare of job 2
    expect(engine.calls.count).toBe(calls);
    const p1 = await h.store.getJson(jobKeys(TENANT, m1.jobId).prepared, NuggetsJobPreparedSchema);
    const p2 = await h.store.getJson(jobKeys(TENANT, m2.jobId).prepared, NuggetsJobPreparedSchema);
    expect(p2.zeroShotKey).toBe(p1.zeroShotKey);
  });
});
