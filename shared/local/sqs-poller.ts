/**
 * The local stand-in for Lambda's SQS event source mapping: long-polls a queue, hands each batch to a worker
 * handler as an `SQSEvent`, deletes what succeeded and leaves the rest for redelivery (and, after the queue's
 * maxReceiveCount, the DLQ). A handler that throws leaves the whole batch, as on Lambda.
 *
 * @example
 * const poller = startSqsPoller({ sqs, queueUrl, handler: workerHandler });
 * // …
 * await poller.stop(); // finishes the batch in hand
 */
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { recordsToDelete, toSqsEvent } from "./sqs-event.js";

/** Where a poller error came from. */
export type PollerErrorSource = "receive" | "handler" | "delete";

/** Options for {@link startSqsPoller}. */
export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** The queue's ARN for `eventSourceARN`; looked up with GetQueueAttributes when absent. */
  queueArn?: string;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  /** 1–10. Default 10. */
  batchSize?: number;
  /** Long-polling wait. Also bounds how long `stop()` waits for an idle poll. Default 1. */
  waitSeconds?: number;
  /** Overrides the queue's visibility timeout for received messages. */
  visibilityTimeoutSeconds?: number;
  /** Called on each failure (the loop carries on). Default: console.error. */
  onError?: (error: unknown, source: PollerErrorSource) => void;
  /**
   * Runs each receive-and-handle round inside this limiter (e.g. a p-limit shared by every poller of a worker pool),
   * so a poller only takes messages when a worker is free to handle them: a message waiting for a worker would use
   * up its visibility timeout. Default: no limit.
   */
  limit?: <T>(round: () => Promise<T>) => Promise<T>;
}

/** A running poller. */
export interface SqsPoller {
  /** Stops polling; resolves once the batch in hand (if any) has been handled and settled. */
  stop(): Promise<void>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts polling `queueUrl` in the background. */
export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  const { sqs, queueUrl, handler, batchSize = 10, waitSeconds = 1, visibilityTimeoutSeconds } = options;
  const onError = options.onError ?? ((error, source) => console.error(`sqs poller (${source}):`, error));
  let stopping = false;

  const resolveArn = async (): Promise<string> => {
    if (options.queueArn) return options.queueArn;
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
    return out.Attributes?.QueueArn ?? "";
  };

  const handleBatch = async (event: SQSEvent) => {
    let response: SQSBatchResponse | void;
    try {
      response = await handler(event);
    } catch (error) {
      onError(error, "handler");
      return; // the whole batch becomes visible again after the visibility timeout
    }
    const done = recordsToDelete(event.Records, response?.batchItemFailures ?? []);
    if (done.length === 0) return;
    try {
      const out = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
      if (out.Failed?.length) onError(new Error(`could not delete ${out.Failed.length} messages`), "delete");
    } catch (error) {
      onError(error, "delete"); // undeleted messages are redelivered; handlers are idempotent
    }
  };

  const limit = options.limit ?? (<T>(round: () => Promise<T>) => round());
  const loop = (async () => {
    let queueArn: string | undefined;
    let failures = 0;
    while (!stopping) {
      try {
        queueArn ??= await resolveArn();
        await limit(async () => {
          if (stopping) return;
          const out = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: batchSize,
              WaitTimeSeconds: waitSeconds,
              ...(visibilityTimeoutSeconds !== undefined ? { VisibilityTimeout: visibilityTimeoutSeconds } : {}),
              MessageSystemAttributeNames: ["All"],
              MessageAttributeNames: ["All"],
            }),
          );
          failures = 0;
          // A batch received after stop() was called is still handled: its messages are already invisible.
          if (out.Messages?.length) await handleBatch(toSqsEvent(out.Messages, queueArn!));
        });
      } catch (error) {
        onError(error, "receive");
        failures += 1;
        await pause(Math.min(5_000, 100 * 2 ** failures));
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      await loop;
    },
  };
}
