/** SQS's per-entry failures cannot be provoked on the emulator; the retry policy is checked with a scripted client. */
import type { SendMessageBatchCommandOutput, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { QueueSendError } from "../../shared/queue/queue-errors.js";
import { chunk, createQueue } from "../../shared/queue/queue.js";

type Entry = { Id: string; MessageBody: string };
type Answer = (entries: Entry[]) => Partial<SendMessageBatchCommandOutput>;

function scripted(answers: Answer[]) {
  const calls: Entry[][] = [];
  const client = {
    send: async (command: { input: { Entries: Entry[] } }) => {
      calls.push(command.input.Entries);
      return answers.shift()!(command.input.Entries);
    },
  } as unknown as SQSClient;
  return { client, calls };
}

const ok = (entries: Entry[]) => entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.MessageBody}`, MD5OfMessageBody: "" }));
const Msg = z.number();

describe("sendBatch retries", () => {
  it("should resend only the entries SQS reported as failed and keep message ids in order", async () => {
    const { client, calls } = scripted([
      (entries) => ({
        Successful: ok(entries.filter((e) => e.Id !== "1")),
        Failed: [{ Id: "1", SenderFault: false, Code: "InternalError" }],
      }),
      (entries) => ({ Successful: ok(entries), Failed: [] }),
    ]);
    const queue = createQueue({ client, queueUrl: "u", schema: Msg });
    const { messageIds } = await queue.sendBatch([10, 11, 12]);
    expect(messageIds).toEqual(["m-10", "m-11", "m-12"]);
    expect(calls[1]).toEqual([{ Id: "1", MessageBody: "11" }]);
  });

  it("should throw QueueSendError when entries keep failing", async () => {
    const failAll: Answer = (entries) => ({
      Successful: [],
      Failed: entries.map((e) => ({ Id: e.Id, SenderFault: false, Code: "ServiceUnavailable" })),
    });
    const { client, calls } = scripted([failAll, failAll]);
    const queue = createQueue({ client, queueUrl: "u", schema: Msg, batchAttempts: 2 });
    await expect(queue.sendBatch([1])).rejects.toBeInstanceOf(QueueSendError);
    expect(calls).toHaveLength(2);
  });

  it("should not retry a sender fault", async () => {
    const { client, calls } = scripted([
      (entries) => ({ Successful: [], Failed: [{ Id: entries[0]!.Id, SenderFault: true, Code: "InvalidMessageContents" }] }),
    ]);
    const queue = createQueue({ client, queueUrl: "u", schema: Msg });
    await expect(queue.sendBatch([1])).rejects.toBeInstanceOf(QueueSendError);
    expect(calls).toHaveLength(1);
  });

  it("should stop at once when a resent entry turns out to be a sender fault, and say which entries failed", async () => {
    const { client, calls } = scripted([
      (entries) => ({ Successful: ok([entries[0]!]), Failed: [{ Id: "1", SenderFault: false, Code: "InternalError" }] }),
      () => ({ Successful: [], Failed: [{ Id: "1", SenderFault: true, Code: "InvalidMessageContents", Message: "bad" }] }),
      (entries) => ({ Successful: ok(entries) }),
    ]);
    const queue = createQueue({ client, queueUrl: "u", schema: Msg, batchAttempts: 5 });
    const err = await queue.sendBatch([1, 2]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(QueueSendError);
    expect(calls).toHaveLength(2);
    expect((err as QueueSendError).retryable).toBe(false);
    expect((err as QueueSendError).details).toMatchObject({
      failed: [{ code: "InvalidMessageContents", message: "bad", senderFault: true }],
    });
  });

  describe("timing", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("should wait 100 ms, then 200 ms, between attempts", async () => {
      vi.useFakeTimers();
      const failAll: Answer = (entries) => ({
        Successful: [],
        Failed: entries.map((e) => ({ Id: e.Id, SenderFault: false, Code: "ServiceUnavailable" })),
      });
      const { client, calls } = scripted([failAll, failAll, (e) => ({ Successful: ok(e) })]);
      const queue = createQueue({ client, queueUrl: "u", schema: Msg });
      const sent = queue.sendBatch([7]);
      await vi.advanceTimersByTimeAsync(99);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(199);
      expect(calls).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(3);
      expect(await sent).toEqual({ messageIds: ["m-7"] });
    });
  });

  it("should send in chunks of at most ten", async () => {
    const { client, calls } = scripted([(e) => ({ Successful: ok(e) }), (e) => ({ Successful: ok(e) })]);
    const queue = createQueue({ client, queueUrl: "u", schema: Msg });
    await queue.sendBatch(Array.from({ length: 15 }, (_, i) => i));
    expect(calls.map((c) => c.length)).toEqual([10, 5]);
    expect(chunk([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
  });
});
