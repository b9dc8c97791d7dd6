/**
 * The NUGGETS worker as an SQS-event handler: Powertools' BatchProcessor reports partial batch failures, each record
 * is parsed with the message schema and handed to {@link handleNuggetsMessage}. The Lambda entry point and the local
 * stack's poller build the same handler, with different deps.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { NuggetsMessageSchema } from "../../../schemas/nuggets-jobs.js";
import { AssayError, EngineError, ValidationError } from "../../errors.js";
import { handleNuggetsMessage } from "./handle-message.js";
import { logOf, type NuggetsJobDeps } from "./ports.js";

/** Options for {@link createNuggetsWorkerHandler}. */
export interface NuggetsWorkerOptions {
  /** The queue's redrive maxReceiveCount (infra's worker spec: 5). */
  readonly maxReceiveCount?: number;
  /** Assumed time budget when no Lambda context is given (the local poller). Default 15 minutes. */
  readonly defaultBudgetMs?: number;
}

/** The worker handler. */
export type NuggetsWorkerHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/**
 * @example
 * export const handler = createNuggetsWorkerHandler(workerDepsFromEnv().deps, { maxReceiveCount: 5 });
 */
export function createNuggetsWorkerHandler(deps: NuggetsJobDeps, options: NuggetsWorkerOptions = {}): NuggetsWorkerHandler {
  const processor = new BatchProcessor(EventType.SQS);
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const budgetMs = options.defaultBudgetMs ?? 15 * 60_000;

  const recordHandler = async (record: SQSRecord, context?: Context): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const parsed = NuggetsMessageSchema.safeParse(body);
    if (!parsed.success) {
      // It will fail the same way every time: log it and let the queue move it to the DLQ.
      logOf(deps).error("malformed NUGGETS message", { messageId: record.messageId, body: record.body.slice(0, 500) });
      throw new ValidationError("malformed NUGGETS message", { messageId: record.messageId });
    }
    const started = Date.now();
    try {
      await handleNuggetsMessage(deps, parsed.data, {
        receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
        maxReceiveCount,
        remainingTimeMs: () => context?.getRemainingTimeInMillis() ?? budgetMs - (Date.now() - started),
      });
    } catch (error) {
      // Waiting out the visibility timeout (90 minutes deployed) between tries only helps a transient failure.
      if (isPermanent(error) && deps.queue.redeliverNow && record.receiptHandle) {
        await deps.queue.redeliverNow(record.receiptHandle).catch((e: unknown) =>
          logOf(deps).warn("could not make a failed message visible again", { messageId: record.messageId, error: String(e) }),
        );
      }
      throw error;
    }
  };

  // A batch whose every record failed is reported item by item too (Powertools would otherwise throw): the
  // outcome for SQS is the same, and the local poller and tests see which records failed.
  return (event, context) =>
    processPartialResponse(event, recordHandler, processor, { ...(context ? { context } : {}), throwOnFullBatchFailure: false });
}

/** An error that the same message will meet again: bad input, a refused request, a missing capability. */
export function isPermanent(error: unknown): boolean {
  if (error instanceof EngineError) return !error.retryable;
  return error instanceof AssayError && error.status < 500;
}
