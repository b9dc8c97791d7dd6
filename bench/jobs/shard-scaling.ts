/**
 * The kernel's cost per shard as a job grows: one job of the instant kind at each size, every message handled by a
 * pool of concurrent workers, the object store's requests counted. Completion and status must not grow with the
 * number of shards (no listing of every piece per shard), so requests per shard should stay flat from 100 to 10,000.
 */
import type { JobMessage } from "../../schemas/jobs.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { createJob } from "../../shared/jobs/create-job.js";
import { handleJobMessage } from "../../shared/jobs/handle-message.js";
import { JobKinds } from "../../shared/jobs/job-kinds.js";
import { getJobStatus } from "../../shared/jobs/job-status.js";
import type { JobDeps, JobQueue } from "../../shared/jobs/ports.js";
import type { ObjectStore } from "../../shared/store/object-store.js";
import { instantKind } from "./instant-kind.js";
import { totalOf, type RequestCounts } from "./request-count.js";

/** A FIFO queue in memory, drained by `workers` concurrent consumers (the store is what is measured, not SQS). */
class WorkQueue implements JobQueue {
  readonly pending: JobMessage[] = [];
  async send(messages: readonly JobMessage[]): Promise<void> {
    this.pending.push(...messages);
  }
  async drain(deps: JobDeps, kinds: JobKinds, workers: number): Promise<void> {
    const ctx = { receiveCount: 1, maxReceiveCount: 5, remainingTimeMs: () => 900_000 };
    const worker = async () => {
      for (let m = this.pending.shift(); m; m = this.pending.shift()) await handleJobMessage(deps, kinds, m, ctx);
    };
    await Promise.all(Array.from({ length: workers }, worker));
  }
}

/** One measured job. */
export interface ShardScalingRun {
  readonly shards: number;
  readonly units: number;
  readonly requests: number;
  readonly requestsPerShard: number;
  readonly byOperation: RequestCounts;
  readonly wallSeconds: number;
  readonly wallMsPerShard: number;
  /** One status call on the finished job. */
  readonly statusRequests: number;
}

/** Runs one job of `shards` shards of `unitsPerShard` instant units on `store`, counting its requests. */
export async function runShardScaling(opts: {
  store: ObjectStore;
  counter: { counts: RequestCounts; reset(): void };
  shards: number;
  unitsPerShard: number;
  workers: number;
  tenant: string;
}): Promise<ShardScalingRun> {
  const queue = new WorkQueue();
  const kinds = new JobKinds([instantKind]);
  const deps: JobDeps = { store: opts.store, queue, engines: EngineRegistry.fromConfigs([]), options: { stopCheckMs: 1000 } };
  const units = opts.shards * opts.unitsPerShard;
  opts.counter.reset();
  const started = performance.now();
  const { manifest } = await createJob(deps, instantKind, opts.tenant, { units, shardSize: opts.unitsPerShard });
  await queue.drain(deps, kinds, opts.workers);
  const wallSeconds = (performance.now() - started) / 1000;
  const byOperation = { ...opts.counter.counts };
  const requests = totalOf(byOperation);
  opts.counter.reset();
  const { status } = await getJobStatus(deps, instantKind, opts.tenant, manifest.jobId);
  if (status.status !== "completed" || status.progress.unitsDone !== units) {
    throw new Error(`the ${opts.shards}-shard job ended ${status.status} with ${status.progress.unitsDone} of ${units} units`);
  }
  const statusRequests = totalOf(opts.counter.counts);
  return {
    shards: opts.shards,
    units,
    requests,
    requestsPerShard: requests / opts.shards,
    byOperation,
    wallSeconds,
    wallMsPerShard: (wallSeconds * 1000) / opts.shards,
    statusRequests,
  };
}
