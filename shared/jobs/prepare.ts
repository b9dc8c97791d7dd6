/**
 * The `prepare` message: the kind fixes the number of units and its shared context (checkpointing across invocations
 * when it needs to), the kernel sizes the shards from the measured unit cost, writes `prepared.json` once and
 * enqueues every shard. Safe to run again at any point: each object is written create-once from the same inputs, and
 * shard messages are sent again only until `shards-enqueued.json` exists.
 */
import { JobPreparedSchema, ShardsEnqueuedSchema, type JobMessage, type JobPrepared } from "../../schemas/jobs.js";
import { z } from "zod";
import { validate } from "../store/json-codec.js";
import { planShards } from "./create-job.js";
import type { AnyJobKind, StageContext } from "./job-kind.js";
import { jobKeys, shardRange } from "./job-keys.js";
import { readManifest, viewOf } from "./job-views.js";
import { logOf, nowOf, type JobDeps, type MessageContext } from "./ports.js";

const PrepareStartedSchema = z.object({ version: z.literal(1), at: z.string() });

/** Handles `{type: "prepare"}`. */
export async function handlePrepare(deps: JobDeps, kind: AnyJobKind, tenant: string, jobId: string, ctx: MessageContext): Promise<void> {
  const { store } = deps;
  const keys = jobKeys(tenant, jobId);
  const manifest = await readManifest(store, tenant, jobId, kind);
  if (await store.head(keys.stop)) return;
  if (await store.head(keys.shardsEnqueued)) return;

  let prepared = await store.getJsonOrNull(keys.prepared, JobPreparedSchema);
  if (!prepared) {
    // Status says "preparing" from here on.
    await store.createOnceJson(keys.scratch("started.json"), { version: 1 as const, at: nowOf(deps).toISOString() }, PrepareStartedSchema);
    const view = viewOf(kind, manifest);
    const stage: StageContext = { remainingTimeMs: () => ctx.remainingTimeMs(), scratchKey: keys.scratch, scratchPrefix: keys.scratchPrefix };
    const outcome = await kind.prepare(deps, view, stage);
    if (outcome.status === "continue") {
      // A checkpoint: the kind stored what it has; the next invocation carries on from there.
      await deps.queue.send([{ type: "prepare", kind: kind.name, tenant, jobId }]);
      logOf(deps).info("prepare checkpointed", { jobId, kind: kind.name, progress: outcome.progress ?? null });
      return;
    }
    const request = view.request as { shardSize?: number };
    const sizing = await planShards(deps, kind, tenant, outcome.units, manifest, request.shardSize);
    const record: JobPrepared = {
      version: 2,
      units: outcome.units,
      shardSize: sizing.shardSize,
      shards: sizing.shards,
      sizing: { source: sizing.source, unitsPerSecond: sizing.unitsPerSecond, targetShardSeconds: sizing.targetShardSeconds },
      preparedAt: nowOf(deps).toISOString(),
      context: validate(kind.preparedSchema, outcome.context, { key: keys.prepared }) as Record<string, unknown>,
    };
    const created = await store.createOnceJson(keys.prepared, record, JobPreparedSchema);
    prepared = created.status === "created" ? record : await store.getJson(keys.prepared, JobPreparedSchema);
    logOf(deps).info("job prepared", { jobId, kind: kind.name, units: prepared.units, shards: prepared.shards, shardSize: prepared.shardSize });
  }

  // Send first, mark after: a crash in between resends everything, which the shard handler shrugs off.
  const messages: JobMessage[] = shardMessages(kind.name, tenant, jobId, prepared);
  if (prepared.shards === 0) messages.push({ type: "aggregate", kind: kind.name, tenant, jobId });
  await deps.queue.send(messages);
  await store.createOnceJson(keys.shardsEnqueued, { version: 1 as const, shards: prepared.shards }, ShardsEnqueuedSchema);
}

/** One message per shard, covering its whole range. */
export function shardMessages(kind: string, tenant: string, jobId: string, prepared: Pick<JobPrepared, "shards" | "shardSize" | "units">): JobMessage[] {
  return Array.from({ length: prepared.shards }, (_, shard) => {
    const { from, to } = shardRange(shard, prepared.shardSize, prepared.units);
    return { type: "shard" as const, kind, tenant, jobId, shard, from, to };
  });
}
