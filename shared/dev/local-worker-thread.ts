/**
 * A piscina task module: one local worker thread. The thread builds its deps on its first task — its own embedded
 * engine (one llama.cpp thread), clients for the emulator — and then handles SQS events as the Lambda worker would.
 * The local stack's pollers stay on the main thread and hand each received batch to a free thread.
 */
import { threadId, workerData } from "node:worker_threads";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { allJobKinds } from "../job-kinds.js";
import { createJobWorkerHandler, type JobWorkerHandler } from "../jobs/worker-handler.js";
import { terminalLog } from "../observability/log.js";
import { logMetrics } from "../observability/metrics.js";
import { buildLocalWorkerDeps, stopRequested, type LocalWorkerConfig } from "./local-worker-deps.js";

/** One task: a batch from one kind's queue. */
export interface LocalWorkerTask {
  readonly kind: string;
  readonly event: SQSEvent;
}

const config = workerData as LocalWorkerConfig;
const kinds = allJobKinds();
let handlers: Promise<Map<string, JobWorkerHandler>> | undefined;

async function build(): Promise<Map<string, JobWorkerHandler>> {
  const log = terminalLog({ level: config.logLevel, prefix: `[worker ${threadId}] ` });
  const { deps } = await buildLocalWorkerDeps(config, { log, metrics: logMetrics(log) });
  const out = new Map<string, JobWorkerHandler>();
  for (const [kind, maxReceiveCount] of Object.entries(config.maxReceiveCounts)) {
    out.set(kind, createJobWorkerHandler(deps, kinds, { maxReceiveCount, defaultBudgetMs: config.budgetMs, stopping: stopRequested(config) }));
  }
  return out;
}

/** Builds the deps (and loads the engine) once; a failed build is retried on the next task. */
function ready(): Promise<Map<string, JobWorkerHandler>> {
  handlers ??= build().catch((error: unknown) => {
    handlers = undefined;
    throw error;
  });
  return handlers;
}

// Load the engine as the thread starts (piscina starts every thread with the pool), not on the first message: a
// message's time budget should not pay for a model load.
ready().catch(() => undefined);

export default async function handle(task: LocalWorkerTask): Promise<SQSBatchResponse> {
  const handler = (await ready()).get(task.kind);
  if (!handler) throw new Error(`no local worker for job kind ${task.kind}`);
  return handler(task.event);
}
