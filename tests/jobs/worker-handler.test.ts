import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { EngineError, ValidationError } from "../../shared/errors.js";
import { createJob } from "../../shared/jobs/create-job.js";
import { isPermanent } from "../../shared/jobs/process-shard.js";
import { createJobWorkerHandler } from "../../shared/jobs/worker-handler.js";
import { countingKind, makeFaults } from "./counting-kind.js";
import { makeHarness, TENANT } from "./harness.js";

function record(messageId: string, body: string, receiveCount = 1) {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: "0", SenderId: "x", ApproximateFirstReceiveTimestamp: "0" },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:counting",
    awsRegion: "us-east-1",
  };
}
const context = { getRemainingTimeInMillis: () => 600_000 } as never;

describe("createJobWorkerHandler", () => {
  it("should report only the malformed record (or one of an unknown kind) as a batch item failure", async () => {
    const faults = makeFaults();
    const kind = countingKind(faults);
    const h = makeHarness([kind]);
    const { manifest } = await createJob(h.deps, kind, TENANT, { count: 4 });
    h.queue.pending.length = 0;
    const handler = createJobWorkerHandler(h.deps, h.kinds, { maxReceiveCount: 5 });
    const event = {
      Records: [
        record("bad", '{"type":"shard","jobId":"nope"}'),
        record("alien", JSON.stringify({ type: "prepare", kind: "telepathy", tenant: TENANT, jobId: manifest.jobId })),
        record("good", JSON.stringify({ type: "prepare", kind: "counting", tenant: TENANT, jobId: manifest.jobId })),
      ],
    } as SQSEvent;
    const response = await handler(event, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "bad" }, { itemIdentifier: "alien" }]);
    expect(h.queue.pending.map((p) => p.message.type)).toEqual(["shard", "shard", "shard", "shard"]);
  });

  it("should make a permanently failing message visible again at once, and leave a transient one to its timeout", async () => {
    expect(isPermanent(new EngineError("bad token", { retryable: false }))).toBe(true);
    expect(isPermanent(new EngineError("503", { retryable: true }))).toBe(false);
    expect(isPermanent(new ValidationError("bad"))).toBe(true);
    expect(isPermanent(new Error("socket hang up"))).toBe(false);

    const faults = makeFaults();
    faults.alwaysTransient.add(0);
    const kind = countingKind(faults);
    const h = makeHarness([kind]);
    const { manifest } = await createJob(h.deps, kind, TENANT, { count: 3, shardSize: 3 });
    await h.drain({ limit: 1 }); // prepare
    h.queue.pending.length = 0;
    const released: string[] = [];
    const deps = { ...h.deps, queue: { send: h.deps.queue.send.bind(h.deps.queue), redeliverNow: async (_kind: string, rh: string) => void released.push(rh) } };
    const handler = createJobWorkerHandler(deps, h.kinds, { maxReceiveCount: 5 });
    const shard = (jobId: string) => JSON.stringify({ type: "shard", kind: "counting", tenant: TENANT, jobId, shard: 0, from: 0, to: 3 });
    // A job that does not exist fails the same way on every delivery: released at once.
    const missing = await handler({ Records: [record("missing", shard("cj_00000000000000000000000000"))] } as SQSEvent, context);
    expect(missing.batchItemFailures).toEqual([{ itemIdentifier: "missing" }]);
    // A unit that fails transiently: left to the visibility timeout.
    const transient = await handler({ Records: [record("transient", shard(manifest.jobId))] } as SQSEvent, context);
    expect(transient.batchItemFailures).toEqual([{ itemIdentifier: "transient" }]);
    expect(released).toEqual(["rh-missing"]);
  });
});
