/** The job queue port over SQS: each message goes to its kind's queue (batches of ≤ 10, failed entries retried). */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { JobMessageSchema, type JobMessage } from "../../schemas/jobs.js";
import { ConfigurationError } from "../errors.js";
import { createQueue, type Queue } from "../queue/queue.js";
import type { JobQueue } from "./ports.js";

/**
 * @example
 * const queue = sqsJobQueue(new SQSClient({}), { nuggets: process.env.NUGGETS_QUEUE_URL! });
 */
export function sqsJobQueue(sqs: SQSClient, queueUrls: Readonly<Record<string, string>>): JobQueue {
  const queues = new Map<string, Queue<JobMessage>>();
  const queueFor = (kind: string): Queue<JobMessage> => {
    let queue = queues.get(kind);
    if (!queue) {
      const queueUrl = queueUrls[kind];
      if (!queueUrl) throw new ConfigurationError(`no queue is configured for job kind "${kind}"`, { available: Object.keys(queueUrls) });
      queue = createQueue({ client: sqs, queueUrl, schema: JobMessageSchema });
      queues.set(kind, queue);
    }
    return queue;
  };
  return {
    async send(messages, options) {
      const byKind = new Map<string, JobMessage[]>();
      for (const m of messages) byKind.set(m.kind, [...(byKind.get(m.kind) ?? []), m]);
      for (const [kind, list] of byKind) {
        if (options?.delaySeconds) for (const m of list) await queueFor(kind).send(m, { delaySeconds: options.delaySeconds });
        else await queueFor(kind).sendBatch(list);
      }
    },
    redeliverNow: (kind, receiptHandle) => queueFor(kind).changeVisibility(receiptHandle, 0),
  };
}
