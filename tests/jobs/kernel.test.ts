import { describe, expect, it } from "vitest";
import { JobStopSchema } from "../../schemas/jobs.js";
import { handleAggregate } from "../../shared/jobs/aggregate.js";
import { verifyCallback } from "../../shared/jobs/callback-signature.js";
import { cancelJob, retryJob } from "../../shared/jobs/job-control.js";
import { createJob, planJob } from "../../shared/jobs/create-job.js";
import { jobKeys } from "../../shared/jobs/job-keys.js";
import { getJobStatus } from "../../shared/jobs/job-status.js";
import { countingKind, CountingSummarySchema, makeFaults, type CountingFaults } from "./counting-kind.js";
import { makeHarness, SECRET, snapshot, TENANT, type Harness } from "./harness.js";

const text = async (h: Harness, key: string) => Buffer.from((await h.store.getBytes(key)).body).toString("utf8");
const linesOf = async (h: Harness, jobId: string) => (await text(h, jobKeys(TENANT, jobId).result("units.jsonl"))).trim().split("\n").map((l) => JSON.parse(l));

function setup(faults: CountingFaults = makeFaults(), options = {}) {
  const kind = countingKind(faults);
  const h = makeHarness([kind], [], options);
  const start = async (request: Record<string, unknown>) => (await createJob(h.deps, kind, TENANT, { callbackUrl: "https://hooks.example.com/done", ...request })).manifest.jobId;
  const status = async (jobId: string) => (await getJobStatus(h.deps, kind, TENANT, jobId)).status;
  return { h, kind, faults, start, status };
}

describe("the job kernel with a kind it does not know (counting)", () => {
  it("should run a job to completion: lines in unit order, the kind's summary and files, one signed callback", async () => {
    const { h, start, status } = setup();
    const jobId = await start({ count: 50, shardSize: 7 });
    expect(jobId).toMatch(/^cj_[0-9a-f]{26}$/);
    expect((await status(jobId)).status).toBe("queued");
    await h.drain();
    const lines = await linesOf(h, jobId);
    expect(lines.map((l) => l.index)).toEqual([...Array(50).keys()]);
    expect(lines.every((l) => l.square === l.index ** 2)).toBe(true);
    const summary = await h.store.getJson(jobKeys(TENANT, jobId).summary, CountingSummarySchema);
    expect(summary).toMatchObject({ partial: false, units: 50, counted: 50, errors: 0 });
    expect(await text(h, jobKeys(TENANT, jobId).result("report.md"))).toBe("# counted 50 of 50\n");
    const s = await status(jobId);
    expect(s).toMatchObject({ status: "completed", partialResults: false });
    expect(s.progress).toMatchObject({ units: 50, unitsDone: 50, outcomes: { counted: 50 }, shardsTotal: 8, shardsDone: 8, shardsFailed: 0, work: { squares: 50 } });
    expect(h.posts).toHaveLength(1);
    const post = h.posts[0]!;
    expect(JSON.parse(post.body)).toEqual({ type: "counting.job.completed", jobId, counted: 50 });
    expect(verifyCallback(SECRET, post.body, post.headers["X-Assay-Timestamp"]!, post.headers["X-Assay-Signature"]!, Date.now() / 1000)).toBe(true);
    // The POST connects to the address that was checked, not to a fresh resolution.
    expect(post.address).toEqual({ address: "93.184.215.14", family: 4 });
  });

  it("should split a small job into several shards so progress moves (minShards)", async () => {
    const { h, start, status } = setup();
    const jobId = await start({ count: 30 });
    await h.drain({ limit: 1 }); // prepare
    const s = await status(jobId);
    expect(s.progress.shardsTotal).toBe(8);
    await h.drain({ limit: 3 });
    const mid = await status(jobId);
    expect(mid.status).toBe("running");
    expect(mid.progress.unitsDone).toBeGreaterThan(0);
    expect(mid.progress.unitsDone).toBeLessThan(30);
  });

  it("should leave every stored object byte-identical when every message is delivered once more", async () => {
    const { h, start } = setup();
    const jobId = await start({ count: 40, shardSize: 6 });
    await h.drain();
    const before = await snapshot(h.store, jobKeys(TENANT, jobId).prefix);
    const handled = [...h.queue.handled];
    await h.queue.send(handled);
    await h.drain({ concurrency: 3 });
    const after = await snapshot(h.store, jobKeys(TENANT, jobId).prefix);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, body] of before) expect(after.get(key), key).toBe(body);
    expect(h.posts).toHaveLength(1);
  });

  it("should complete when a third of unit calls fail transiently", async () => {
    const faults = makeFaults(11);
    faults.transientRate = 1 / 3;
    const { h, start, status } = setup(faults);
    const jobId = await start({ count: 60, shardSize: 5 });
    await h.drain({ maxReceiveCount: 50 });
    expect((await status(jobId)).status).toBe("completed");
    expect((await linesOf(h, jobId)).map((l) => l.index)).toEqual([...Array(60).keys()]);
  });

  it("should record a poison unit as an error line and complete while under maxUnitErrors", async () => {
    const faults = makeFaults();
    faults.permanent.add(17);
    const { h, start, status } = setup(faults);
    const jobId = await start({ count: 30, shardSize: 10, maxUnitErrors: 1 });
    await h.drain();
    const s = await status(jobId);
    expect(s.status).toBe("completed");
    expect(s.progress).toMatchObject({ unitErrors: 1, maxUnitErrors: 1, outcomes: { counted: 29, error: 1 } });
    const lines = await linesOf(h, jobId);
    expect(lines[17]).toEqual({ index: 17, status: "error", error: { code: "invalid_request", message: "unit 17 cannot be counted" } });
    expect(h.queue.dlq).toEqual([]);
  });

  it("should fail a job past maxUnitErrors, stop its other shards and offer partial results", async () => {
    const faults = makeFaults();
    faults.permanent.add(3);
    const { h, start, status } = setup(faults);
    const jobId = await start({ count: 200, shardSize: 10 }); // maxUnitErrors defaults to 0 for this kind
    await h.drain();
    const s = await status(jobId);
    expect(s.status).toBe("failed");
    expect(s.stop).toMatchObject({ reason: "unit-errors" });
    expect(s.partialResults).toBe(true);
    // The shard with the error stopped the job: the shards after it never ran.
    expect(faults.processed.length).toBeLessThan(200);
    const summary = await h.store.getJson(jobKeys(TENANT, jobId).summary, CountingSummarySchema);
    expect(summary.partial).toBe(true);
    expect(summary.errors).toBe(1);
    expect(JSON.parse(h.posts[0]!.body).type).toBe("counting.job.failed");
  });

  it("should send a shard that keeps failing transiently to the DLQ, show it, and complete after retry", async () => {
    const faults = makeFaults();
    faults.transientTimes.set(12, 4);
    const { h, kind, start, status } = setup(faults);
    const jobId = await start({ count: 30, shardSize: 10 });
    await h.drain({ maxReceiveCount: 3 });
    const failed = await status(jobId);
    expect(failed.status).toBe("failed");
    expect(failed.progress.shardsFailed).toBe(1);
    expect(failed.failures).toContainEqual(expect.objectContaining({ shard: 1, final: true, attempts: 3 }));
    expect(h.queue.dlq).toContainEqual(expect.objectContaining({ type: "shard", shard: 1 }));
    // The first tries stored the finished prefix: units 10 and 11 are not processed again.
    const before = faults.processed.filter((i) => i === 10).length;
    const retried = await retryJob(h.deps, kind, TENANT, jobId);
    expect(retried).toEqual({ shards: [1], stages: [], messages: 1 });
    await h.drain({ maxReceiveCount: 3 });
    expect((await status(jobId)).status).toBe("completed");
    expect(faults.processed.filter((i) => i === 10).length).toBe(before);
    expect((await linesOf(h, jobId)).map((l) => l.index)).toEqual([...Array(30).keys()]);
  });

  it("should keep the failure records when retry cannot send (send first, delete after)", async () => {
    const faults = makeFaults();
    faults.alwaysTransient.add(5);
    const { h, kind, start, status } = setup(faults);
    const jobId = await start({ count: 10, shardSize: 10 });
    await h.drain({ maxReceiveCount: 2 });
    expect((await status(jobId)).progress.shardsFailed).toBe(1);
    h.queue.failSends = 1;
    await expect(retryJob(h.deps, kind, TENANT, jobId)).rejects.toThrow(/queue unavailable/);
    const after = await status(jobId);
    expect(after.status).toBe("failed");
    expect(after.failures).toContainEqual(expect.objectContaining({ shard: 0, final: true }));
  });

  it("should stop new work on cancel: queued shards do nothing, a running shard stops at its next unit", async () => {
    const faults = makeFaults();
    const { h, kind, start, status } = setup(faults);
    const jobId = await start({ count: 100, shardSize: 20 });
    faults.beforeUnit = async (index) => {
      if (index === 25) await cancelJob(h.deps, kind, TENANT, jobId);
    };
    await h.drain();
    const s = await status(jobId);
    expect(s.status).toBe("cancelled");
    expect(s.stop).toMatchObject({ reason: "cancelled" });
    // Shard 1 stopped within a few units of the cancel (3 in flight at once); shards 2-4 never started.
    expect(Math.max(...faults.processed)).toBeLessThan(30);
    expect(s.partialResults).toBe(true);
    const summary = await h.store.getJson(jobKeys(TENANT, jobId).summary, CountingSummarySchema);
    expect(summary.partial).toBe(true);
    expect(summary.counted).toBe((await linesOf(h, jobId)).length);
    expect(summary.counted).toBeGreaterThanOrEqual(20);
    expect(JSON.parse(h.posts[0]!.body).type).toBe("counting.job.cancelled");
    // Cancelling again is fine; a completed job cannot be cancelled.
    await cancelJob(h.deps, kind, TENANT, jobId);
    const done = await start({ count: 3 });
    await h.drain();
    await expect(cancelJob(h.deps, kind, TENANT, done)).rejects.toThrow(/already completed/);
  });

  it("should write the same bytes from two racing aggregations", async () => {
    const { h, kind, start } = setup();
    const jobId = await start({ count: 80, shardSize: 9 });
    const aggregate = async () => {
      for (;;) {
        const next = h.queue.pending.findIndex((p) => p.message.type !== "aggregate");
        if (next === -1) break;
        await h.drain({ limit: 1 });
      }
    };
    await aggregate(); // everything but aggregations
    h.queue.pending.splice(0);
    await Promise.all([handleAggregate(h.deps, kind, TENANT, jobId), handleAggregate(h.deps, kind, TENANT, jobId)]);
    const first = await snapshot(h.store, jobKeys(TENANT, jobId).prefix);
    await handleAggregate(h.deps, kind, TENANT, jobId);
    const again = await snapshot(h.store, jobKeys(TENANT, jobId).prefix);
    for (const [key, body] of first) expect(again.get(key), key).toBe(body);
    expect(h.posts).toHaveLength(1);
  });

  it("should checkpoint near the deadline and carry on in a new message", async () => {
    const { h, start, status } = setup(makeFaults(), { checkpointSafetyMs: 0 });
    const jobId = await start({ count: 20, shardSize: 20 });
    await h.drain({ limit: 1 });
    let calls = 0;
    // Time runs out after every few units.
    await h.drain({ remainingTimeMs: () => (++calls % 4 === 0 ? 0 : 10_000) });
    expect((await status(jobId)).status).toBe("completed");
    const pieces: string[] = [];
    for await (const o of h.store.list(jobKeys(TENANT, jobId).piecesPrefix)) pieces.push(o.key);
    expect(pieces.length).toBeGreaterThan(1);
    expect((await linesOf(h, jobId)).map((l) => l.index)).toEqual([...Array(20).keys()]);
  });

  it("should answer a dry run with every check a submission makes, and store nothing", async () => {
    const { h, kind } = setup();
    const plan = await planJob(h.deps, kind, TENANT, { count: 10, dryRun: true });
    expect(plan).toMatchObject({ dryRun: true, kind: "counting", units: 10, squaresUpTo: 10 });
    for (const url of ["javascript:alert(1)", "file:///etc/passwd", "https://169.254.169.254/latest", "http://hooks.example.com/x"]) {
      await expect(planJob(h.deps, kind, TENANT, { count: 1, dryRun: true, callbackUrl: url })).rejects.toThrow(/callback URL refused|invalid/);
    }
    const keys: string[] = [];
    for await (const o of h.store.list("")) keys.push(o.key);
    expect(keys).toEqual([]);
    expect(h.queue.sent).toBe(0);
  });

  it("should give the same job for a repeated idempotency key and refuse it for another request", async () => {
    const { h, kind } = setup();
    const a = await createJob(h.deps, kind, TENANT, { count: 5, idempotencyKey: "nightly" });
    const b = await createJob(h.deps, kind, TENANT, { count: 5, idempotencyKey: "nightly" });
    expect(b).toMatchObject({ created: false, manifest: { jobId: a.manifest.jobId } });
    await expect(createJob(h.deps, kind, TENANT, { count: 6, idempotencyKey: "nightly" })).rejects.toThrow(/different job request/);
  });

  it("should write the stop record through its schema", async () => {
    const { h, kind, start } = setup();
    const jobId = await start({ count: 5 });
    await cancelJob(h.deps, kind, TENANT, jobId);
    expect(JobStopSchema.parse(JSON.parse(await text(h, jobKeys(TENANT, jobId).stop))).reason).toBe("cancelled");
  });
});
