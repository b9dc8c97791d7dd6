/**
 * The job worker as an SQS-event handler: Powertools' BatchProcessor reports partial batch failures, each record is
 * parsed with the message schema and handed to {@link handleJobMessage}. The Lambda entry points and the local stack's
 * workers build the same handler, with different deps.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { JobMessageSchema } from "../../schemas/jobs.js";
import { ValidationError } from "../errors.js";
import { handleJobMessage } from "./handle-message.js";
import type { JobKinds } from "./job-kinds.js";
import { logOf, metricsOf, nowOf, type JobDeps } from "./ports.js";
import { isPermanent } from "./process-shard.js";

/** Options for {@link createJobWorkerHandler}. */
export interface JobWorkerOptions {
  /** The queue's redrive maxReceiveCount: from the same worker spec that set the queue's redrive policy. */
  readonly maxReceiveCount: number;
  /** Assumed time budget when no Lambda context is given (the local workers). Default 15 minutes. */
  readonly defaultBudgetMs?: number;
  /**
   * True once the worker is being stopped (the local stack shutting down): the budget counts as spent, so a running
   * shard checkpoints after its current unit and hands its remainder back to the queue instead of being cut off.
   */
  readonly stopping?: () => boolean;
}

/** The worker handler. */
export type JobWorkerHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/**
 * @example
 * export const handler = createJobWorkerHandler(deps, kinds, { maxReceiveCount: 5 });
 */
export function createJobWorkerHandler(deps: JobDeps, kinds: JobKinds, options: JobWorkerOptions): JobWorkerHandler {
  const processor = new BatchProcessor(EventType.SQS);
  const budgetMs = options.defaultBudgetMs ?? 15 * 60_000;

  const recordHandler = async (record: SQSRecord, context?: Context): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const parsed = JobMessageSchema.safeParse(body);
    if (!parsed.success || !kinds.has(parsed.data.kind)) {
      // It will fail the same way every time: log it and let the queue move it to the DLQ.
      logOf(deps).error("malformed job message", { messageId: record.messageId, body: record.body.slice(0, 500) });
      throw new ValidationError("malformed job message", { messageId: record.messageId });
    }
    const started = Date.now();
    const sent = Number(record.attributes?.SentTimestamp);
    if (Number.isFinite(sent) && sent > 0) metricsOf(deps).milliseconds("QueueAge", Math.max(0, nowOf(deps).getTime() - sent), { kind: parsed.data.kind });
    try {
      await handleJobMessage(deps, kinds, parsed.data, {
        receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
        maxReceiveCount: options.maxReceiveCount,
        remainingTimeMs: () => (options.stopping?.() ? 0 : (context?.getRemainingTimeInMillis() ?? budgetMs - (Date.now() - started))),
      });
    } catch (error) {
      // Waiting out the visibility timeout (90 minutes deployed) between tries only helps a transient failure.
      if (isPermanent(error) && deps.queue.redeliverNow && record.receiptHandle) {
        await deps.queue.redeliverNow(parsed.data.kind, record.receiptHandle).catch((e: unknown) =>
          logOf(deps).warn("could not make a failed message visible again", { messageId: record.messageId, error: String(e) }),
        );
      }
      throw error;
    }
  };

  // A batch whose every record failed is reported item by item too (Powertools would otherwise throw): the outcome
  // for SQS is the same, and the local workers and tests see which records failed.
  return (event, context) =>
    processPartialResponse(event, recordHandler, processor, { ...(context ? { context } : {}), throwOnFullBatchFailure: false });
}
