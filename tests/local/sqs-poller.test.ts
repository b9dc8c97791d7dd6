import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalAws, type LocalAws } from "../../shared/local/emulator.js";
import { startSqsPoller, type SqsPoller } from "../../shared/local/sqs-poller.js";

let aws: LocalAws;
const pollers: SqsPoller[] = [];

beforeAll(async () => {
  // Visibility 1 s so a failed message comes back quickly.
  aws = await startLocalAws({
    bucket: "assay-poller-test",
    queues: [
      { name: "ok", visibilityTimeoutSeconds: 1 },
      { name: "partial", visibilityTimeoutSeconds: 1 },
      { name: "throws", visibilityTimeoutSeconds: 1 },
      { name: "stopping", visibilityTimeoutSeconds: 1 },
      { name: "poison", visibilityTimeoutSeconds: 1, dlq: { name: "poison-dlq", maxReceiveCount: 2 } },
    ],
  });
});

afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  await aws?.stop();
});

async function send(queue: string, body: string) {
  await aws.sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrls[queue], MessageBody: body }));
}

/** Messages still in the queue, visible or in flight. */
async function remaining(queue: string): Promise<number> {
  const out = await aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: aws.queueUrls[queue],
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return Number(out.Attributes!.ApproximateNumberOfMessages) + Number(out.Attributes!.ApproximateNumberOfMessagesNotVisible);
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function poll(queue: string, handler: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | void>) {
  const errors: unknown[] = [];
  const poller = startSqsPoller({
    sqs: aws.sqs,
    queueUrl: aws.queueUrls[queue]!,
    handler,
    waitSeconds: 1,
    onError: (error) => errors.push(error),
  });
  pollers.push(poller);
  return { poller, errors };
}

describe("startSqsPoller", () => {
  it("should hand messages over as a Lambda SQSEvent and delete them on success", async () => {
    const seen: SQSRecord[] = [];
    const { poller } = poll("ok", async (event) => {
      seen.push(...event.Records);
    });
    await send("ok", '{"n":1}');
    await send("ok", '{"n":2}');
    await until(() => seen.length >= 2);
    await poller.stop();
    expect(seen.map((r) => r.body).sort()).toEqual(['{"n":1}', '{"n":2}']);
    expect(seen[0]).toMatchObject({
      eventSource: "aws:sqs",
      eventSourceARN: aws.queueArns.ok,
      awsRegion: "us-east-1",
      attributes: { ApproximateReceiveCount: "1" },
    });
    expect(Number(seen[0]!.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(await remaining("ok")).toBe(0);
  });

  it("should redeliver only the messages reported in batchItemFailures", async () => {
    const deliveries: { body: string; receiveCount: string }[] = [];
    const { poller } = poll("partial", async (event) => {
      deliveries.push(...event.Records.map((r) => ({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount })));
      const failures = event.Records.filter((r) => r.body === "flaky" && r.attributes.ApproximateReceiveCount === "1");
      return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await send("partial", "steady");
    await send("partial", "flaky");
    await until(() => deliveries.some((d) => d.body === "flaky" && d.receiveCount === "2"));
    await poller.stop();
    expect(deliveries.filter((d) => d.body === "steady")).toHaveLength(1);
    expect(deliveries.filter((d) => d.body === "flaky").map((d) => d.receiveCount)).toEqual(["1", "2"]);
    expect(await remaining("partial")).toBe(0);
  });

  it("should leave the whole batch for redelivery when the handler throws", async () => {
    let calls = 0;
    const { poller, errors } = poll("throws", async () => {
      calls += 1;
      if (calls === 1) throw new Error("worker crashed");
    });
    await send("throws", "m");
    await until(() => calls >= 2);
    await poller.stop();
    expect(errors.map((e) => (e as Error).message)).toEqual(["worker crashed"]);
    expect(await remaining("throws")).toBe(0);
  });

  it("should move a message that fails maxReceiveCount times to the DLQ", async () => {
    const receiveCounts: string[] = [];
    const { poller } = poll("poison", async (event) => {
      receiveCounts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await send("poison", "poison pill");
    let inDlq: string | undefined;
    await until(async () => {
      const out = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.queueUrls["poison-dlq"], WaitTimeSeconds: 0 }));
      inDlq = out.Messages?.[0]?.Body;
      return inDlq !== undefined;
    });
    await poller.stop();
    expect(inDlq).toBe("poison pill");
    expect(receiveCounts).toEqual(["1", "2"]);
    expect(await remaining("poison")).toBe(0);
  });

  it("should finish the batch in hand when stopped", async () => {
    let started = false;
    let finished = false;
    const { poller } = poll("stopping", async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 300));
      finished = true;
    });
    await send("stopping", "slow");
    await until(() => started);
    await poller.stop();
    expect(finished).toBe(true);
    expect(await remaining("stopping")).toBe(0);
  });
});
