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
});
