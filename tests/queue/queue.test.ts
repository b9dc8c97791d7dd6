import { CreateQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ValidationError } from "../../shared/errors.js";
import { startLocalAws, type LocalAws } from "../../shared/local/emulator.js";
import { createQueue, type Queue } from "../../shared/queue/queue.js";

const Shard = z.object({ jobId: z.string(), shard: z.number().int().nonnegative() });
type Shard = z.infer<typeof Shard>;

let aws: LocalAws;
let queueIndex = 0;

/** A fresh queue per test, so no test sees another's leftovers. */
async function freshQueue(): Promise<{ queue: Queue<Shard>; url: string }> {
  const name = `q${++queueIndex}`;
  const out = await aws.sqs.send(new CreateQueueCommand({ QueueName: name }));
  return { queue: createQueue({ client: aws.sqs, queueUrl: out.QueueUrl!, schema: Shard }), url: out.QueueUrl! };
}

async function drain(queue: Queue<Shard>, expected: number) {
  const got: Shard[] = [];
  for (let tries = 0; got.length < expected && tries < 20; tries++) {
    const { messages } = await queue.receive({ maxMessages: 10, waitSeconds: 1 });
    for (const m of messages) {
      got.push(m.body);
      await queue.delete(m.receiptHandle);
    }
  }
  return got;
}

beforeAll(async () => {
  aws = await startLocalAws({ bucket: "assay-queue-test", queues: [] });
});

afterAll(async () => {
  await aws?.stop();
});

describe("createQueue on the local emulator", () => {
  it("should send, receive with metadata, and delete a typed message", async () => {
    const { queue } = await freshQueue();
    const { messageId } = await queue.send({ jobId: "j1", shard: 0 });
    const { messages, invalid } = await queue.receive({ maxMessages: 10, waitSeconds: 1 });
    expect(invalid).toEqual([]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ body: { jobId: "j1", shard: 0 }, messageId, receiveCount: 1 });
    await queue.delete(messages[0]!.receiptHandle);
    expect((await queue.receive({ waitSeconds: 0 })).messages).toEqual([]);
  });

  it("should send a batch larger than ten in chunks and deliver every message once", async () => {
    const { queue } = await freshQueue();
    const shards = Array.from({ length: 23 }, (_, shard) => ({ jobId: "j2", shard }));
    const { messageIds } = await queue.sendBatch(shards);
    expect(messageIds).toHaveLength(23);
    expect(new Set(messageIds).size).toBe(23);
    const got = await drain(queue, 23);
    expect(got.map((s) => s.shard).sort((a, b) => a - b)).toEqual(shards.map((s) => s.shard));
  });

  it("should refuse to send a message that fails the schema, enqueuing nothing from its batch", async () => {
    const { queue } = await freshQueue();
    await expect(queue.send({ jobId: 1 } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(queue.sendBatch([{ jobId: "ok", shard: 1 }, { jobId: "bad", shard: -1 }])).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect((await queue.receive({ waitSeconds: 0 })).messages).toEqual([]);
  });

  it("should report a received body that fails the schema instead of throwing", async () => {
    const { queue, url } = await freshQueue();
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"jobId": 7}' }));
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "not json" }));
    await queue.send({ jobId: "good", shard: 1 });
    const messages: Shard[] = [];
    const invalid: { rawBody: string; error: unknown }[] = [];
    for (let tries = 0; messages.length + invalid.length < 3 && tries < 10; tries++) {
      const out = await queue.receive({ waitSeconds: 1 });
      messages.push(...out.messages.map((m) => m.body));
      invalid.push(...out.invalid);
    }
    expect(messages).toEqual([{ jobId: "good", shard: 1 }]);
    expect(invalid.map((m) => m.rawBody).sort()).toEqual(["not json", '{"jobId": 7}']);
    for (const m of invalid) expect(m.error).toBeInstanceOf(ValidationError);
  });

  it("should make a message visible again when its visibility is changed to zero", async () => {
    const { queue } = await freshQueue();
    await queue.send({ jobId: "j3", shard: 0 });
    const first = await queue.receive({ waitSeconds: 1, visibilityTimeout: 60 });
    expect(first.messages).toHaveLength(1);
    expect((await queue.receive({ waitSeconds: 0 })).messages).toEqual([]);
    await queue.changeVisibility(first.messages[0]!.receiptHandle, 0);
    const again = await queue.receive({ waitSeconds: 1 });
    expect(again.messages).toHaveLength(1);
    expect(again.messages[0]!.receiveCount).toBe(2);
  });
});
