/**
 * The queue port: typed messages over SQS. Bodies are JSON validated with one zod schema on send and on receive,
 * so a producer cannot enqueue a malformed message and a consumer never sees one as valid.
 *
 * @example
 * const work = createQueue({ client: sqs, queueUrl, schema: ShardMessage });
 * await work.sendBatch(shards);
 * const { messages, invalid } = await work.receive({ maxMessages: 10, waitSeconds: 20 });
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { ExponentialBackoff, handleWhen, noJitterGenerator, retry } from "cockatiel";
import type { z } from "zod";
import { ValidationError } from "../errors.js";
import { QueueSendError } from "./queue-errors.js";

/** SQS takes at most 10 entries per SendMessageBatch. */
export const SQS_MAX_BATCH = 10;

/** A received message whose body matched the schema. */
export interface ReceivedMessage<T> {
  body: T;
  messageId: string;
  receiptHandle: string;
  /** How many times SQS has handed this message out, this time included. */
  receiveCount: number;
}

/** A received message whose body did not parse or match the schema: reported, never thrown into the caller's loop. */
export interface InvalidMessage {
  rawBody: string;
  messageId: string;
  receiptHandle: string;
  receiveCount: number;
  error: ValidationError;
}

/** Options for {@link Queue.receive}. */
export interface ReceiveOptions {
  /** 1–10; default 10. */
  maxMessages?: number;
  /** Long-polling wait, 0–20 s; default 0. */
  waitSeconds?: number;
  /** Overrides the queue's visibility timeout for these messages. */
  visibilityTimeout?: number;
}

/** A typed queue. */
export interface Queue<T> {
  send(message: T, options?: { delaySeconds?: number }): Promise<{ messageId: string }>;
  /** Sends in chunks of ≤ 10, retrying entries SQS reports as failed; throws QueueSendError if some still fail. */
  sendBatch(messages: readonly T[]): Promise<{ messageIds: string[] }>;
  receive(options?: ReceiveOptions): Promise<{ messages: ReceivedMessage<T>[]; invalid: InvalidMessage[] }>;
  delete(receiptHandle: string): Promise<void>;
  changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void>;
}

/** Options for {@link createQueue}. */
export interface CreateQueueOptions<S extends z.ZodType> {
  client: SQSClient;
  queueUrl: string;
  schema: S;
  /**
   * Attempts in all for batch entries SQS reports as failed on its side (a cockatiel retry, 100 ms then doubling
   * between attempts). Sender faults are never retried. Default 3.
   */
  batchAttempts?: number;
}

/** Encodes a message after validating it against the schema. Exported for producers that batch elsewhere. */
export function encodeMessage<S extends z.ZodType>(schema: S, message: unknown): string {
  const result = schema.safeParse(message);
  if (!result.success) {
    throw new ValidationError("queue message does not match its schema", {
      issues: result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    });
  }
  return JSON.stringify(result.data);
}

/** Decodes and validates a message body; a ValidationError for the caller to report rather than throw. */
export function decodeMessage<S extends z.ZodType>(
  schema: S,
  rawBody: string,
): { ok: true; body: z.infer<S> } | { ok: false; error: ValidationError } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch (cause) {
    return { ok: false, error: new ValidationError("queue message is not valid JSON", { reason: (cause as Error).message }) };
  }
  const result = schema.safeParse(parsed);
  if (result.success) return { ok: true, body: result.data };
  return {
    ok: false,
    error: new ValidationError("queue message does not match its schema", {
      issues: result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    }),
  };
}

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Batch entries SQS reported as failed on its side: worth sending again. Sender faults are not. */
const sqsSideFailures = handleWhen((err) => err instanceof QueueSendError && err.retryable);

/** Builds a typed queue over an SQS queue URL. */
export function createQueue<S extends z.ZodType>(options: CreateQueueOptions<S>): Queue<z.infer<S>> {
  const { client, queueUrl, schema } = options;
  const batchAttempts = options.batchAttempts ?? 3;
  // 100, 200, 400 ms … between attempts (no jitter: one producer resending a handful of entries does not stampede).
  const resend = retry(sqsSideFailures, {
    maxAttempts: Math.max(0, batchAttempts - 1),
    backoff: new ExponentialBackoff({ generator: noJitterGenerator, initialDelay: 100, maxDelay: 5_000 }),
  });

  async function sendChunk(bodies: string[]): Promise<string[]> {
    const ids: (string | undefined)[] = new Array(bodies.length);
    let pending = bodies.map((body, index) => ({ Id: String(index), MessageBody: body }));
    await resend.execute(async () => {
      const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      for (const ok of out.Successful ?? []) ids[Number(ok.Id)] = ok.MessageId;
      const failed = out.Failed ?? [];
      if (failed.length === 0) return;
      const again = new Set(failed.map((f) => f.Id));
      const attempted = pending.length;
      pending = pending.filter((entry) => again.has(entry.Id));
      // Failures naming no entry that was sent leave nothing to resend.
      if (pending.length === 0) return;
      throw new QueueSendError(
        `SQS refused ${failed.length} of ${attempted} messages`,
        { queueUrl, failed: failed.map((f) => ({ code: f.Code, message: f.Message, senderFault: f.SenderFault })) },
        // A sender fault (a bad entry) will fail the same way again: it ends the send at once.
        { retryable: !failed.some((f) => f.SenderFault) },
      );
    });
    return ids.map((id) => id ?? "");
  }

  return {
    async send(message, sendOptions) {
      const out = await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: encodeMessage(schema, message),
          ...(sendOptions?.delaySeconds !== undefined ? { DelaySeconds: sendOptions.delaySeconds } : {}),
        }),
      );
      return { messageId: out.MessageId ?? "" };
    },

    async sendBatch(messages) {
      // Validate everything before sending anything: a bad message must not leave half a batch enqueued.
      const bodies = messages.map((message) => encodeMessage(schema, message));
      const messageIds: string[] = [];
      for (const part of chunk(bodies, SQS_MAX_BATCH)) messageIds.push(...(await sendChunk(part)));
      return { messageIds };
    },

    async receive(receiveOptions = {}) {
      const out = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: receiveOptions.maxMessages ?? SQS_MAX_BATCH,
          WaitTimeSeconds: receiveOptions.waitSeconds ?? 0,
          ...(receiveOptions.visibilityTimeout !== undefined
            ? { VisibilityTimeout: receiveOptions.visibilityTimeout }
            : {}),
          MessageSystemAttributeNames: ["ApproximateReceiveCount"],
        }),
      );
      const messages: ReceivedMessage<z.infer<S>>[] = [];
      const invalid: InvalidMessage[] = [];
      for (const m of out.Messages ?? []) {
        const meta = {
          messageId: m.MessageId ?? "",
          receiptHandle: m.ReceiptHandle ?? "",
          receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
        };
        const decoded = decodeMessage(schema, m.Body ?? "");
        if (decoded.ok) messages.push({ ...meta, body: decoded.body });
        else invalid.push({ ...meta, rawBody: m.Body ?? "", error: decoded.error });
      }
      return { messages, invalid };
    },

    async delete(receiptHandle) {
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
    },

    async changeVisibility(receiptHandle, visibilityTimeoutSeconds) {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: visibilityTimeoutSeconds,
        }),
      );
    },
  };
}
