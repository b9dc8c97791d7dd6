import { describe, expect, it } from "vitest";
import { JobPreparedSchema } from "../../../schemas/jobs.js";
import { NuggetsJobSummarySchema, NuggetsPreparedContextSchema } from "../../../schemas/nuggets-jobs.js";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { withResilience } from "../../../shared/engines/resilience.js";
import { ConflictError } from "../../../shared/errors.js";
import { handleAggregate } from "../../../shared/jobs/aggregate.js";
import { verifyCallback } from "../../../shared/jobs/callback-signature.js";
import { createJob } from "../../../shared/jobs/create-job.js";
import { cancelJob, retryJob } from "../../../shared/jobs/job-control.js";
import { jobKeys } from "../../../shared/jobs/job-keys.js";
import { prepareAnchor, prepareCandidate } from "../../../shared/nuggets/anchor-tokens.js";
import { getNuggetsJobStatus, histogramSvg, nuggetsKind, readSummary, streamScores, subset } from "../../../shared/nuggets/jobs/index.js";
import { scoreCandidate, zeroShotScores } from "../../../shared/nuggets/score-candidate.js";
import { makeExamples, makeNuggetsHarness, SECRET, seedDataset, snapshot, TENANT, type Harness } from "./harness.js";

const N = 60;
const M = 12;

async function startJob(h: Harness, extra: Record<string, unknown> = {}, examples?: ReturnType<typeof makeExamples>) {
  const datasetId = await seedDataset(h, examples ?? makeExamples(N));
  // With examples of its own (a poisoned pool) the job takes its anchors from a separate, clean set.
  const anchors = examples ? { method: "dataset", datasetId: await seedDataset(h, makeExamples(M, "anchor ")) } : { method: "random", size: M, seed: 3 };
  const { manifest } = await createJob(h.deps, nuggetsKind, TENANT, {
    datasetId,
    anchors,
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

async function scoresText(h: Harness, jobId: string): Promise<string> {
  return Buffer.from((await h.store.getBytes(jobKeys(TENANT, jobId).result("scores.jsonl"))).body).toString("utf8");
}

async function preparedContext(h: Harness, jobId: string) {
  const prepared = await h.store.getJson(jobKeys(TENANT, jobId).prepared, JobPreparedSchema);
  return { prepared, context: NuggetsPreparedContextSchema.parse(prepared.context) };
}

describe("NUGGETS as a kind of the job kernel", () => {
  it("should run a job to completion with the scores scoreCandidate gives directly", async () => {
    const engine = createInstantFakeEngine({ name: "fake" });
    const h = makeNuggetsHarness(engine);
    const manifest = await startJob(h);
    expect(manifest.jobId).toMatch(/^nj_/);
    await h.drain();
    expect(h.queue.dlq).toEqual([]);

    const { prepared, context } = await preparedContext(h, manifest.jobId);
    expect(prepared.shards).toBe(4);
    const examples = makeExamples(N);
    const tokenize = (t: string) => engine.tokenize(t);
    const preset = nuggetsKind.specSchema.parse(manifest.spec).preset;
    const anchors = await Promise.all(context.anchorIndices!.map((i) => prepareAnchor(examples[i]!, tokenize, preset, engine.contextSize)));
    const zeroShot = await zeroShotScores(anchors, engine, preset);
    const lines = (await scoresText(h, manifest.jobId)).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.index)).toEqual(examples.map((_, i) => i));
    for (const [index, example] of examples.entries()) {
      const candidateTokens = await prepareCandidate(example, tokenize);
      const direct = await scoreCandidate({ index, candidateTokens, anchors, zeroShot, engine, preset });
      expect(lines[index]).toEqual(direct);
    }

    const summary = await readSummary(h.deps, TENANT, manifest.jobId);
    expect(summary).toMatchObject({ status: "completed", partial: false, scored: N, covered: N, errors: 0 });
    expect(summary.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(N);
    expect(summary.winsCounts!.reduce((a, b) => a + b, 0)).toBe(N);
    const over = (t: number) => lines.filter((l) => l.goldenScore > t).length;
    const straddles = (t: number) => lines.filter((l) => l.goldenScoreRange[0] <= t && l.goldenScoreRange[1] > t).length;
    expect(summary.thresholds).toEqual(
      nuggetsKind.specSchema.parse(manifest.spec).thresholds.map((t) => ({ threshold: t, count: over(t), uncertain: straddles(t) })),
    );
    expect(summary.nearTies.pairs).toBe(lines.reduce((n, l) => n + l.nearTies.length, 0));
    expect(summary.top![0]!.goldenScore).toBe(Math.max(...lines.map((l) => l.goldenScore)));
    expect(summary.top![0]!.instruction).toBe(examples[summary.top![0]!.index]!.instruction);

    const status = await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId);
    expect(status.status).toBe("completed");
    expect(status.progress).toMatchObject({
      candidates: N, candidatesDone: N, candidatesScored: N, candidatesSkipped: 0, candidateErrors: 0,
      pairsScored: N * M, pairsTotal: N * M, shardsDone: 4, shardsFailed: 0,
    });

    const stripped = await collect(await streamScores(h.deps, TENANT, manifest.jobId));
    expect(JSON.parse(stripped[0]!)).not.toHaveProperty("oneShot");
    const raw = await collect(await streamScores(h.deps, TENANT, manifest.jobId, { raw: true }));
    expect(JSON.parse(raw[0]!).oneShot).toHaveLength(M);

    const t = 0.5;
    const above = await collect(await subset(h.deps, TENANT, manifest.jobId, { threshold: t }));
    const expected = lines.filter((l) => l.goldenScore > t).map((l) => l.index);
    expect(above.map((e) => e.instruction)).toEqual(expected.map((i) => examples[i]!.instruction));
    const top = await collect(await subset(h.deps, TENANT, manifest.jobId, { topPercent: 10 }));
    expect(top).toHaveLength(6);
    const best = [...lines].sort((a, b) => b.goldenScore - a.goldenScore || a.index - b.index).slice(0, 6).map((l) => l.index);
    expect(top.map((e) => e.instruction)).toEqual(best.sort((a, b) => a - b).map((i) => examples[i]!.instruction));

    expect(histogramSvg({ ...summary, histogram: summary.histogram! })).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg".*<\/svg>$/s);
    expect(h.posts).toHaveLength(1);
  });

  it("should leave every stored object byte-identical when every message is delivered once more", async () => {
    const h = makeNuggetsHarness(createInstantFakeEngine({ name: "fake" }));
    await startJob(h);
    await h.drain();
    const before = await snapshot(h.store);
    await h.queue.send([...h.queue.handled]);
    await h.drain({ concurrency: 4 });
    expect(await snapshot(h.store)).toEqual(before);
    expect(h.posts).toHaveLength(1);
  });

  it("should write one summary and send one signed callback when two aggregations race", async () => {
    const h = makeNuggetsHarness(createInstantFakeEngine({ name: "fake" }));
    const manifest = await startJob(h);
    while (h.queue.pending.length > 0 && h.queue.pending[0]!.message.type !== "aggregate") await h.drain({ limit: 1 });
    expect(h.queue.pending.shift()!.message.type).toBe("aggregate");
    await Promise.all([handleAggregate(h.deps, nuggetsKind, TENANT, manifest.jobId), handleAggregate(h.deps, nuggetsKind, TENANT, manifest.jobId)]);
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
    expect(JSON.parse(post.body)).toMatchObject({ type: "nuggets.job.completed", jobId: manifest.jobId, status: "completed", scored: N });
  });

  it("should split shards at checkpoints and still produce identical scores", async () => {
    const plain = makeNuggetsHarness(createInstantFakeEngine({ name: "fake" }));
    const m1 = await startJob(plain);
    await plain.drain();

    const tight = makeNuggetsHarness(createInstantFakeEngine({ name: "fake" }), { checkpointSafetyMs: 10_000 });
    const m2 = await startJob(tight);
    const deliveries = await tight.drain({ remainingTimeMs: () => 5_000 });
    expect(deliveries).toBeGreaterThan(N);
    const pieces = [...(await snapshot(tight.store)).keys()].filter((k) => k.includes("/pieces/"));
    expect(pieces.length).toBe(N);
    expect(m2.jobId).not.toBe(m1.jobId);
    expect(await scoresText(tight, m2.jobId)).toBe(await scoresText(plain, m1.jobId));
  });

  it("should complete under a 33% transient engine failure rate with retries", async () => {
    const clean = makeNuggetsHarness(createInstantFakeEngine({ name: "fake" }));
    const m1 = await startJob(clean);
    await clean.drain();

    const flaky = createInstantFakeEngine({ name: "fake", faults: { transientFailureRate: 0.33, seed: 7 } });
    const h = makeNuggetsHarness(withResilience(flaky, { concurrency: 4, sleep: async () => {} }));
    const m2 = await startJob(h);
    await h.drain({ maxReceiveCount: 10 });
    expect(flaky.calls.failed).toBeGreaterThan(5);
    expect(h.queue.dlq).toEqual([]);
    expect((await getNuggetsJobStatus(h.deps, TENANT, m2.jobId)).status).toBe("completed");
    expect(await scoresText(h, m2.jobId)).toBe(await scoresText(clean, m1.jobId));
  });

  // "~" appears only in candidate 21 (shard 1); the fake tokenizer maps it to token 3 + 126.
  const poisoned = () => {
    const examples = makeExamples(N);
    examples[21] = { ...examples[21]!, output: "poison ~ here" };
    return examples;
  };

  it("should record a candidate the engine refuses as an error line, and complete while under maxUnitErrors", async () => {
    const h = makeNuggetsHarness(createInstantFakeEngine({ name: "fake", faults: { poisonToken: 3 + 126 } }));
    const manifest = await startJob(h, { maxUnitErrors: 1 }, poisoned());
    await h.drain({ maxReceiveCount: 3 });
    expect(h.queue.dlq).toEqual([]);
    const status = await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId);
    expect(status.status).toBe("completed");
    expect(status.progress).toMatchObject({ candidatesDone: N, candidatesScored: N - 1, candidateErrors: 1, pairsScored: (N - 1) * M });
    const line = JSON.parse((await scoresText(h, manifest.jobId)).split("\n")[21]!);
    expect(line).toMatchObject({ index: 21, status: "error", anchors: M, error: { code: "engine_error" }, preset: "paper" });
    const summary = await readSummary(h.deps, TENANT, manifest.jobId);
    expect(summary).toMatchObject({ errors: 1, scored: N - 1, partial: false });
  });

  it("should fail a job whose candidate errors pass maxUnitErrors (0 by default) and offer partial results", async () => {
    const h = makeNuggetsHarness(createInstantFakeEngine({ name: "fake", faults: { poisonToken: 3 + 126 } }));
    const manifest = await startJob(h, {}, poisoned());
    await h.drain({ maxReceiveCount: 3 });
    const status = await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId);
    expect(status.status).toBe("failed");
    expect(status.stop).toMatchObject({ reason: "unit-errors" });
    expect(status.partialResults).toBe(true);
    const summary = await readSummary(h.deps, TENANT, manifest.jobId);
    expect(summary).toMatchObject({ status: "failed", partial: true, errors: 1 });
    expect(summary.covered).toBeLessThan(N);
    expect(JSON.parse(h.posts[0]!.body)).toMatchObject({ type: "nuggets.job.failed", partial: true });
  });

  it("should dead-letter a shard that keeps failing transiently, report it, and complete on retry", async () => {
    // Stuck on candidate 21 until the test says the endpoint has recovered.
    const stuck = createInstantFakeEngine({ name: "fake", faults: { stuckToken: 3 + 126 } });
    const healthy = createInstantFakeEngine({ name: "fake" });
    let recovered = false;
    const engine = { ...healthy, scoreSuffixes: (r: Parameters<typeof healthy.scoreSuffixes>[0]) => (recovered ? healthy : stuck).scoreSuffixes(r) };
    const h = makeNuggetsHarness(engine);
    const manifest = await startJob(h, {}, poisoned());
    await h.drain({ maxReceiveCount: 3 });
    expect(h.queue.dlq).toHaveLength(1);
    const status = await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId);
    expect(status.status).toBe("failed");
    expect(status.progress).toMatchObject({ shardsFailed: 1, shardsDone: 3 });
    expect(status.failures).toEqual([expect.objectContaining({ shard: 1, attempts: 3, final: true })]);

    const retried = await retryJob(h.deps, nuggetsKind, TENANT, manifest.jobId);
    expect(retried.shards).toEqual([1]);
    // Only what the shard had not stored yet is sent again (the candidates before 21 were kept).
    expect(h.queue.pending.map((p) => p.message)).toEqual([{ type: "shard", kind: "nuggets", tenant: TENANT, jobId: manifest.jobId, shard: 1, from: 21, to: 32 }]);
    expect((await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId)).status).toBe("running");
    recovered = true;
    await h.drain({ maxReceiveCount: 3 });
    const done = await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId);
    expect(done).toMatchObject({ status: "completed", failures: [], progress: { candidatesDone: N, shardsFailed: 0 } });
    expect((await readSummary(h.deps, TENANT, manifest.jobId)).scored).toBe(N);
  });

  it("should refuse results with a 409 before anything is streamed while the job is running", async () => {
    const h = makeNuggetsHarness(createInstantFakeEngine({ name: "fake" }));
    const manifest = await startJob(h);
    await expect(streamScores(h.deps, TENANT, manifest.jobId)).rejects.toBeInstanceOf(ConflictError);
    await expect(subset(h.deps, TENANT, manifest.jobId, { threshold: 0.5 })).rejects.toBeInstanceOf(ConflictError);
    await expect(readSummary(h.deps, TENANT, manifest.jobId)).rejects.toBeInstanceOf(ConflictError);
  });

  it("should score no further shard once a job is cancelled and offer what was scored as partial results", async () => {
    const engine = createInstantFakeEngine({ name: "fake" });
    const h = makeNuggetsHarness(engine);
    const manifest = await startJob(h);
    await h.drain({ limit: 2 }); // prepare, then shard 0
    const calls = engine.calls.count;
    await cancelJob(h.deps, nuggetsKind, TENANT, manifest.jobId);
    await h.drain();
    expect(engine.calls.count).toBe(calls);
    const status = await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId);
    expect(status).toMatchObject({ status: "cancelled", partialResults: true, stop: { reason: "cancelled" } });
    const summary = await readSummary(h.deps, TENANT, manifest.jobId);
    expect(summary).toMatchObject({ status: "cancelled", partial: true, covered: 16, scored: 16 });
    expect((await scoresText(h, manifest.jobId)).trim().split("\n")).toHaveLength(16);
    expect(JSON.parse(h.posts[0]!.body)).toMatchObject({ type: "nuggets.job.cancelled", partial: true });
  });

  it("should return the same job for a repeated idempotency key and refuse it for a different request", async () => {
    const h = makeNuggetsHarness(createInstantFakeEngine({ name: "fake" }));
    const datasetId = await seedDataset(h, makeExamples(N));
    const request = { datasetId, anchors: { method: "random", size: M }, engine: "fake", idempotencyKey: "nightly-1" };
    const first = await createJob(h.deps, nuggetsKind, TENANT, request);
    const second = await createJob(h.deps, nuggetsKind, TENANT, request);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.manifest).toEqual(first.manifest);
    await expect(createJob(h.deps, nuggetsKind, TENANT, { ...request, preset: "reference" })).rejects.toBeInstanceOf(ConflictError);
  });

  it("should reuse cached zero-shot scores for a second job over the same anchors", async () => {
    const engine = createInstantFakeEngine({ name: "fake" });
    const h = makeNuggetsHarness(engine);
    const m1 = await startJob(h);
    await h.drain();
    const m2 = await startJob(h, { shardSize: 30 });
    const calls = engine.calls.count;
    await h.drain({ limit: 1 }); // prepare of job 2
    expect(engine.calls.count).toBe(calls);
    expect((await preparedContext(h, m2.jobId)).context.zeroShotKey).toBe((await preparedContext(h, m1.jobId)).context.zeroShotKey);
  });
});
