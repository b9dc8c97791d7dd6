/** Cancelling a job and retrying what went to the dead-letter queue. */
import type { JobMessage } from "../../schemas/jobs.js";
import { ConflictError } from "../errors.js";
import type { AnyJobKind } from "./job-kind.js";
import { jobKeys, shardRange } from "./job-keys.js";
import { readManifest, readPreparedView } from "./job-views.js";
import { readFailures } from "./job-status.js";
import { listPieces, uncoveredRanges } from "./pieces.js";
import type { JobDeps } from "./ports.js";
import { isShardDone, readBlocks, sumBlocks } from "./progress.js";
import { readStop, stopJob } from "./stop.js";

/**
 * Stops a job: queued shards do nothing, running shards stop at their next unit (within `stopCheckMs`), and what
 * was finished is aggregated as partial results, clearly marked. Idempotent; 409 once the job has completed.
 */
export async function cancelJob(deps: JobDeps, kind: AnyJobKind, tenant: string, jobId: string): Promise<void> {
  const keys = jobKeys(tenant, jobId);
  const manifest = await readManifest(deps.store, tenant, jobId, kind);
  const [summary, stop] = await Promise.all([deps.store.head(keys.summary), readStop(deps.store, tenant, jobId)]);
  if (summary && !stop) throw new ConflictError(`job ${jobId} has already completed`, { jobId });
  if (stop && stop.reason !== "cancelled") throw new ConflictError(`job ${jobId} has already failed: ${stop.message}`, { jobId });
  await stopJob(deps, manifest, "cancelled", "cancelled by the caller");
}

/**
 * Re-enqueues what went to the DLQ: each shard with a final failure (its unprocessed ranges) and a failed prepare or
 * aggregate stage. The messages are sent first and the failure records removed after, so a failed send leaves the
 * job showing its failures (and a retry can be asked for again).
 */
export async function retryJob(
  deps: JobDeps,
  kind: AnyJobKind,
  tenant: string,
  jobId: string,
): Promise<{ shards: number[]; stages: string[]; messages: number }> {
  const { store } = deps;
  const keys = jobKeys(tenant, jobId);
  const manifest = await readManifest(store, tenant, jobId, kind);
  const stop = await readStop(store, tenant, jobId);
  if (stop) throw new ConflictError(`job ${jobId} was stopped (${stop.reason}): ${stop.message}`, { jobId });
  const finals = (await readFailures(store, tenant, jobId)).filter((f) => f.final);
  const view = await readPreparedView(store, kind, manifest);
  const blocks = view ? await readBlocks(store, { tenant, jobId, shards: view.prepared.shards }) : [];
  const messages: JobMessage[] = [];
  const shards: number[] = [];
  const stages: string[] = [];
  const toDelete: string[] = [];
  const base = { kind: kind.name, tenant, jobId };
  for (const failure of finals) {
    if ("shard" in failure) {
      if (!view) continue;
      if (isShardDone(blocks, failure.shard)) {
        toDelete.push(keys.shardFailure(failure.shard)); // completed by another delivery since
        continue;
      }
      const range = shardRange(failure.shard, view.prepared.shardSize, view.prepared.units);
      const stored = await listPieces(store, tenant, jobId, failure.shard);
      for (const r of uncoveredRanges(range, stored)) messages.push({ type: "shard", ...base, shard: failure.shard, from: r.from, to: r.to });
      shards.push(failure.shard);
      toDelete.push(keys.shardFailure(failure.shard));
    } else {
      messages.push({ type: failure.stage, ...base });
      stages.push(failure.stage);
      toDelete.push(keys.stageFailure(failure.stage));
    }
  }
  // A shard can be dead-lettered after a duplicate delivery of it covered its range without completing it: then
  // nothing is left to process and only the completion is missing. Resending the whole shard completes it.
  for (const shard of shards) {
    if (!messages.some((m) => m.type === "shard" && m.shard === shard) && view) {
      const range = shardRange(shard, view.prepared.shardSize, view.prepared.units);
      messages.push({ type: "shard", ...base, shard, from: range.from, to: range.to });
    }
  }
  if (view && messages.length === 0 && toDelete.length > 0) {
    // Every dead-lettered shard was completed since: only the aggregation may be missing.
    if (sumBlocks(blocks, view.prepared.shards).complete && !(await store.head(keys.summary))) messages.push({ type: "aggregate", ...base });
  }
  if (messages.length > 0) await deps.queue.send(messages);
  for (const key of toDelete) await store.delete(key);
  return { shards, stages, messages: messages.length };
}
