import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { createNuggetsJob } from "../../../shared/nuggets/jobs/create-job.js";
import { createNuggetsWorkerHandler } from "../../../shared/nuggets/jobs/worker-handler.js";
import { makeExamples, makeHarness, seedDataset, TENANT } from "./harness.js";

function record(messageId: string, body: string, receiveCount = 1) {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: "0",
      SenderId: "x",
      ApproximateFirstReceiveTimestamp: "0",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:nuggets",
    awsRegion: "us-east-1",
  };
}

describe("createNuggetsWorkerHandler", () => {
  it("should report only the malformed record as a batch item failure", async () => {
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }));
    const datasetId = await seedDataset(h, makeExamples(10));
    const { manifest } = await createNuggetsJob(h.deps, TENANT, { datasetId, anchors: { method: "random", size: 3 }, engine: "fake" });
    h.queue.pending.length = 0;
    const handler = createNuggetsWorkerHandler(h.deps, { maxReceiveCount: 5 });
    const event = {
      Records: [
        record("bad", '{"type":"shard","jobId":"nope"}'),
        record("good", JSON.stringify({ type: "prepare", tenant: TENANT, jobId: manifest.jobId })),
      ],
    } as SQSEvent;
    const context = { getRemainingTimeInMillis: () => 600_000 } as never;
    const response = await handler(event, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "bad" }]);
    expect(h.queue.pending.map((p) => p.message.type)).toEqual(["shard"]);
  });

  it("should make a permanently failing message visible again at once, and leave a transient one to its timeout", async () => {
    const { isPermanent } = await import("../../../shared/nuggets/jobs/worker-handler.js");
    const { EngineError, ValidationError } = await import("../../../shared/errors.js");
    expect(isPermanent(new EngineError("bad token", { retryable: false }))).toBe(true);
    expect(isPermanent(new EngineError("503", { retryable: true }))).toBe(false);
    expect(isPermanent(new ValidationError("bad"))).toBe(true);
    expect(isPermanent(new Error("socket hang up"))).toBe(false);

    const poisoned = createInstantFakeEngine({ name: "fake", faults: { poisonToken: 3 + 126 } });
    const healthy = createInstantFakeEngine({ name: "fake" });
    // Fails only where shards score (prepare's zero-shot pass goes through), and only transiently.
    const overloaded = {
      ...healthy,
      scoreSuffixes: async () => {
        throw new EngineError("503 overloaded", { retryable: true, engineStatus: 503 });
      },
    };
    for (const [engine, expected] of [
      [poisoned, ["rh-shard"]],
      [overloaded, []],
    ] as const) {
      const h = makeHarness(engine);
      const examples = makeExamples(6);
      examples[0] = { ...examples[0]!, output: "poison ~ here" };
      const datasetId = await seedDataset(h, examples);
      const anchorsId = await seedDataset(h, makeExamples(2, "anchor "));
      const { manifest } = await createNuggetsJob(h.deps, TENANT, {
        datasetId,
        anchors: { method: "dataset", datasetId: anchorsId },
        engine: "fake",
        shardSize: 6,
      });
      const released: string[] = [];
      const deps = { ...h.deps, queue: { ...h.deps.queue, send: h.deps.queue.send, redeliverNow: async (rh: string) => void released.push(rh) } };
      await h.queue.drain(h.deps, { limit: 1 }); // prepare (zero-shot scoring never meets the poison)
      const handler = createNuggetsWorkerHandler(deps, { maxReceiveCount: 5 });
      const shard = JSON.stringify({ type: "shard", tenant: TENANT, jobId: manifest.jobId, shard: 0, from: 0, to: 6 });
      const response = await handler({ Records: [record("shard", shard)] } as SQSEvent, { getRemainingTimeInMillis: () => 600_000 } as never);
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: "shard" }]);
      expect(released).toEqual(expected);
    }
  });
});
