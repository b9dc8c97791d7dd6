import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, sharedFile } from "../../shared/config/shared-files.js";
import { LOCAL_QUEUES, startLocalStack, type LocalStack } from "../../shared/dev/stack.js";
import { createInstantFakeEngine } from "../../shared/engines/fake/instant-fake-engine.js";
import { withResilience } from "../../shared/engines/resilience.js";
import { verifyCallback } from "../../shared/jobs/callback-signature.js";
import { json } from "../helpers/http.js";

/**
 * The whole path a user's job takes on the local stack: API → SQS → worker (the Lambda handler, polled) → S3 →
 * aggregation → signed callback, with the embedded engine on the real test model.
 */

const candidates = (JSON.parse(readFileSync(sharedFile("data/alpaca/alpaca_5000.json"), "utf8")) as unknown[]).slice(0, 40);
const anchors = (JSON.parse(readFileSync(sharedFile("data/nuggets/alpaca_gpt4_kmeans_100.json"), "utf8")) as unknown[]).slice(0, 20);
const toJsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n");
const run = promisify(execFile);

/** A receiver for completion callbacks on loopback. */
function startReceiver(): Promise<{ url: string; received: { headers: Record<string, string>; body: string }[]; server: Server }> {
  const received: { headers: Record<string, string>; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server })),
  );
}

let stack: LocalStack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
// The fakes tokenise bytes, so they get a context long enough for every candidate + anchor.
const flaky = createInstantFakeEngine({ name: "flaky", contextSize: 1 << 16, faults: { transientFailureRate: 1 / 3, seed: 7 } });
// "~" (byte 126, absent from these candidates and anchors) is token 3 + 126 = 129 for the fake engine.
const poisoned = createInstantFakeEngine({ name: "poisoned", contextSize: 1 << 16, faults: { poisonToken: 129 } });
// The same input breaks this one in a way a retry might fix — every time.
const stuck = createInstantFakeEngine({ name: "stuck", contextSize: 1 << 16, faults: { stuckToken: 129 } });
/** stories260K has a 512-token context and these anchors' answers run long: cap them so candidates fit beside them. */
const MAX_ANCHOR_TOKENS = 48;

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${stack.apiKey}`, ...(init.headers ?? {}) } });
const postJson = (path: string, body: unknown) =>
  api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function upload(rows: unknown[]): Promise<string> {
  const res = await api("/v1/datasets", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: toJsonl(rows) });
  expect([200, 201]).toContain(res.status);
  return (await json(res)).id;
}

async function waitFor(jobId: string, done: (status: { status: string; progress: { shardsFailed: number } }) => boolean, ms = 90_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = await json(await api(`/v1/nuggets/jobs/${jobId}`));
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not get there: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function snapshot(prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const o of stack.store.list(prefix)) out.set(o.key, Buffer.from((await stack.store.getBytes(o.key)).body).toString("utf8"));
  return out;
}

async function queueIdle(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const { Attributes } = await stack.aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.aws.queueUrls[LOCAL_QUEUES.nuggets],
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    if (Attributes?.ApproximateNumberOfMessages === "0" && Attributes?.ApproximateNumberOfMessagesNotVisible === "0") return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the work queue never drained");
}

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startLocalStack({
    port: 0,
    extraEngines: [withResilience(flaky, { concurrency: 4, retry: { baseDelayMs: 1, maxDelayMs: 5 } }), poisoned, stuck],
    jobs: { maxReceiveCount: 2, visibilityTimeoutSeconds: 2, options: { checkpointSafetyMs: 200, stopGraceSeconds: 1 } },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  receiver?.server.close();
});

describe("a NUGGETS job on the local stack", () => {
  let jobId: string;
  let datasetId: string;
  let anchorSetId: string;

  it("should run API → SQS → workers → S3 → aggregation → signed callback to completion", async () => {
    datasetId = await upload(candidates);
    anchorSetId = await upload(anchors);
    const job = {
      datasetId,
      anchors: { method: "dataset", datasetId: anchorSetId },
      engine: "local",
      preset: "paper",
      maxAnchorTokens: MAX_ANCHOR_TOKENS,
      shardSize: 8,
      callbackUrl: receiver.url,
    };
    // A dry run first: what it would cost, measured on the engine, with nothing stored.
    const plan = await json(await postJson("/v1/nuggets/jobs", { ...job, dryRun: true }));
    expect(plan).toMatchObject({ dryRun: true, candidates: 40, anchors: 20, pairs: 800, shards: 5 });
    expect(plan.tokens.method).toBe("exact");
    expect(plan.tokens.count).toBeGreaterThan(800 * MAX_ANCHOR_TOKENS);
    expect(plan.estimatedEngineHours).toBeGreaterThan(0);
    const res = await postJson("/v1/nuggets/jobs", job);
    expect(res.status).toBe(202);
    jobId = (await json(res)).jobId;
    const status = await waitFor(jobId, (s) => s.status === "completed");
    expect(status.progress).toMatchObject({ candidates: 40, candidatesDone: 40, pairsTotal: 800, shardsDone: 5, shardsFailed: 0 });

    const summary = await json(await api(`/v1/nuggets/jobs/${jobId}/results`));
    expect(summary.scored + summary.skipped).toBe(40);
    // Skipped candidates score no pairs.
    expect(status.progress).toMatchObject({ candidatesScored: summary.scored, candidatesSkipped: summary.skipped, pairsScored: summary.scored * 20 });
    expect(summary.scored).toBeGreaterThanOrEqual(30);
    expect(summary.preset.name).toBe("paper");
    const svg = await api(`/v1/nuggets/jobs/${jobId}/results/histogram.svg`);
    expect(svg.headers.get("content-type")).toContain("image/svg+xml");
    expect(await svg.text()).toContain("<svg");

    // The callback: delivered once, signed over "timestamp.body" with the tenant's secret.
    for (let i = 0; i < 50 && receiver.received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    expect(
      verifyCallback(
        stack.callbackSecret,
        hook!.body,
        hook!.headers["x-assay-timestamp"]!,
        hook!.headers["x-assay-signature"]!,
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(true);
    expect(JSON.parse(hook!.body).jobId).toBe(jobId);
  }, 120_000);

  it("should serve scores.jsonl and fine-tuning subsets consistent with each other", async () => {
    const scores = (await (await api(`/v1/nuggets/jobs/${jobId}/scores`)).text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(scores.map((s) => s.index)).toEqual([...Array(40).keys()]);
    expect(scores[0]).not.toHaveProperty("oneShot");
    const raw = (await (await api(`/v1/nuggets/jobs/${jobId}/scores?raw=true`)).text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(raw.filter((r) => r.status === "scored").every((r) => r.oneShot.length === 20)).toBe(true);

    // A threshold that keeps about the best five, whatever this tiny model's scores look like.
    const best = scores.filter((s) => s.status === "scored").map((s) => s.goldenScore as number).sort((a, b) => b - a);
    const threshold = Math.max(0, best[Math.min(4, best.length - 1)]! - 0.001);
    const over = scores.filter((s) => s.status === "scored" && s.goldenScore > threshold).map((s) => s.index);
    const subset = (await (await api(`/v1/nuggets/jobs/${jobId}/subset?threshold=${threshold}`)).text()).trim().split("\n").filter(Boolean);
    const expected = over.map((i) => {
      const e = candidates[i] as { instruction: string; input?: string; output: string };
      return { instruction: e.instruction, input: e.input ?? "", output: e.output };
    });
    expect(over.length).toBeGreaterThan(0);
    expect(subset.map((l) => JSON.parse(l))).toEqual(expected);
    expect((await api(`/v1/nuggets/jobs/${jobId}/subset?threshold=0.5&topPercent=3`)).status).toBe(400);
  });

  it("should serve exactly the lines `assay nuggets score` writes for the same inputs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "assay-e2e-"));
    try {
      writeFileSync(join(dir, "candidates.jsonl"), toJsonl(candidates));
      writeFileSync(join(dir, "anchors.jsonl"), toJsonl(anchors));
      const out = join(dir, "scores.jsonl");
      // Asynchronously: the local stack lives in this process and must keep serving meanwhile.
      const cli = await run(
        process.execPath,
        ["bin/assay.js", "nuggets", "score", "--candidates", join(dir, "candidates.jsonl"), "--anchors", join(dir, "anchors.jsonl"),
          "--engine", `local:${stack.modelPath}`, "--preset", "paper", "--max-anchor-tokens", String(MAX_ANCHOR_TOKENS), "--out", out],
        { cwd: repoRoot, timeout: 240_000 },
      );
      expect(cli.stderr).toContain("scored");
      const served = await (await api(`/v1/nuggets/jobs/${jobId}/scores`)).text();
      expect(served).toBe(readFileSync(out, "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it("should leave every stored object byte-identical when every message is delivered once more", async () => {
    const before = await snapshot(`t/local/jobs/${jobId}/`);
    const prepared = JSON.parse(before.get(`t/local/jobs/${jobId}/prepared.json`)!);
    const base = { kind: "nuggets", tenant: "local", jobId };
    const messages = [
      { type: "prepare", ...base },
      ...Array.from({ length: prepared.shards }, (_, shard) => ({
        type: "shard",
        ...base,
        shard,
        from: shard * prepared.shardSize,
        to: Math.min(prepared.units, (shard + 1) * prepared.shardSize),
      })),
      { type: "aggregate", ...base },
    ];
    for (let i = 0; i < messages.length; i += 10) {
      await stack.aws.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: stack.aws.queueUrls[LOCAL_QUEUES.nuggets],
          Entries: messages.slice(i, i + 10).map((m, k) => ({ Id: String(k), MessageBody: JSON.stringify(m) })),
        }),
      );
    }
    await queueIdle();
    const after = await snapshot(`t/local/jobs/${jobId}/`);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, body] of before) expect(after.get(key), key).toBe(body);
    expect(receiver.received).toHaveLength(1); // and no second callback
  }, 60_000);

  it("should choose K-Means anchors with the engine's embeddings, store them with the job, and score against them", async () => {
    const res = await postJson("/v1/nuggets/jobs", {
      datasetId,
      anchors: { method: "kmeans", k: 3, seed: 0, fromDatasetId: anchorSetId },
      engine: "local",
      maxAnchorTokens: MAX_ANCHOR_TOKENS,
      shardSize: 20,
    });
    expect(res.status).toBe(202);
    const kmeansJob = (await json(res)).jobId;
    const status = await waitFor(kmeansJob, (s) => s.status === "completed");
    expect(status.progress.anchors).toBe(3);
    expect(status.progress.pairsScored).toBe(status.progress.candidatesScored * 3);
    const chosen = (await stack.store.getBytes(`t/local/jobs/${kmeansJob}/prepare/anchors.jsonl`)).body;
    const rows = Buffer.from(chosen).toString("utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(rows).toHaveLength(3);
    const pool = anchors.map((a) => JSON.stringify((a as { instruction: string }).instruction));
    for (const row of rows) expect(pool).toContain(JSON.stringify(row.instruction));
  }, 60_000);

  it("should complete a job on an engine that fails a third of its calls transiently", async () => {
    const res = await postJson("/v1/nuggets/jobs", {
      datasetId,
      anchors: { method: "dataset", datasetId: anchorSetId },
      engine: "flaky",
      shardSize: 4,
    });
    expect(res.status).toBe(202);
    const flakyJob = (await json(res)).jobId;
    const status = await waitFor(flakyJob, (s) => s.status === "completed");
    expect(status.progress).toMatchObject({ candidatesScored: 40, pairsScored: 800 });
    expect((await json(await api(`/v1/nuggets/jobs/${flakyJob}/results`))).scored).toBe(40);
    expect(flaky.calls.failed).toBeGreaterThan(5);
  }, 60_000);

  const withPoison = () => candidates.map((c, i) => (i === 13 ? { ...(c as object), output: "costs ~5 per unit" } : c));

  it("should record a candidate the engine refuses as an error line and fail the job past maxUnitErrors, with partial results", async () => {
    const datasetWithPoison = await upload(withPoison());
    const job = { datasetId: datasetWithPoison, anchors: { method: "dataset", datasetId: anchorSetId }, engine: "poisoned", shardSize: 4 };
    // Allowed one error: the job completes, the refused candidate is an error line.
    const tolerant = (await json(await postJson("/v1/nuggets/jobs", { ...job, maxUnitErrors: 1 }))).jobId;
    const done = await waitFor(tolerant, (s) => s.status === "completed");
    expect(done.progress).toMatchObject({ candidatesDone: 40, candidatesScored: 39, candidateErrors: 1 });
    const line = (await (await api(`/v1/nuggets/jobs/${tolerant}/scores`)).text()).split("\n")[13]!;
    expect(JSON.parse(line)).toMatchObject({ index: 13, status: "error", error: { code: "engine_error" } });

    // Allowed none (the default): the job fails, says why, and offers what was scored, labelled partial.
    const strict = (await json(await postJson("/v1/nuggets/jobs", job))).jobId;
    const failed = await waitFor(strict, (s) => s.status === "failed" && (s as { partialResults?: boolean }).partialResults === true, 60_000);
    expect(failed).toMatchObject({ stop: { reason: "unit-errors" }, progress: { candidateErrors: 1, shardsFailed: 0 } });
    const summary = await json(await api(`/v1/nuggets/jobs/${strict}/results`));
    expect(summary).toMatchObject({ status: "failed", partial: true, errors: 1 });
  }, 90_000);

  it("should send a shard that keeps failing to the DLQ and say so in the job's status", async () => {
    const res = await postJson("/v1/nuggets/jobs", {
      datasetId: await upload(withPoison()),
      anchors: { method: "dataset", datasetId: anchorSetId },
      engine: "stuck",
      shardSize: 4,
    });
    expect(res.status).toBe(202);
    const stuckJob = (await json(res)).jobId;
    const status = await waitFor(stuckJob, (s) => s.status === "failed" && s.progress.shardsFailed === 1, 60_000);
    expect(status.failures).toContainEqual(expect.objectContaining({ shard: 3, final: true }));
    expect(status.progress.candidatesDone).toBe(36);
    // fauxqs moves a message to the DLQ when it is received past maxReceiveCount; wait until it is there.
    let inDlq: unknown[] = [];
    for (let i = 0; i < 60 && inDlq.length === 0; i++) {
      const out = await stack.aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: stack.aws.queueUrls[LOCAL_QUEUES.nuggetsDlq], MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      inDlq = (out.Messages ?? []).map((m) => JSON.parse(m.Body!)).filter((m) => m.jobId === stuckJob);
    }
    expect(inDlq).toContainEqual(expect.objectContaining({ type: "shard", shard: 3 }));
  }, 90_000);

  it("should refuse a malformed dataset with 400 and its line numbers", async () => {
    const res = await api("/v1/datasets", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${JSON.stringify(candidates[0])}\n{"instruction": 5}\n`,
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error.details.lines).toEqual([2]);
  });
});
