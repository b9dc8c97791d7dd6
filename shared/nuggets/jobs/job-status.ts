/**
 * A job's status, derived from what is stored (pieces, failures, markers) rather than from counters, so it is
 * right however often messages were redelivered. Also cancelling and retrying failed shards.
 */
import {
  CallbackStateSchema,
  NuggetsCancelSchema,
  NuggetsJobManifestSchema,
  NuggetsJobPreparedSchema,
  ShardFailureSchema,
  StageFailureSchema,
  type NuggetsJobManifest,
  type NuggetsJobStatus,
  type NuggetsMessage,
  type ShardFailure,
  type StageFailure,
} from "../../../schemas/nuggets-jobs.js";
import { ConflictError, NotFoundError } from "../../errors.js";
import { jobKeys, shardRange } from "./job-keys.js";
import { coverage, coverageByShard, listPieces } from "./pieces.js";
import { nowOf, type NuggetsJobDeps } from "./ports.js";
import { uncoveredRanges } from "./ranges.js";

/** The manifest, or 404 (also for another tenant's job). */
export async function getManifest(
  deps: Pick<NuggetsJobDeps, "store">,
  tenant: string,
  jobId: string,
): Promise<NuggetsJobManifest> {
  const manifest = await deps.store.getJsonOrNull(jobKeys(tenant, jobId).manifest, NuggetsJobManifestSchema);
  if (!manifest) throw new NotFoundError(`job ${jobId} not found`, { jobId });
  return manifest;
}

async function readFailures(deps: NuggetsJobDeps, tenant: string, jobId: string): Promise<(ShardFailure | StageFailure)[]> {
  const out: (ShardFailure | StageFailure)[] = [];
  for await (const info of deps.store.list(jobKeys(tenant, jobId).failuresPrefix)) {
    const name = info.key.slice(info.key.lastIndexOf("/") + 1);
    const schema = /^\d+\.json$/.test(name) ? ShardFailureSchema : StageFailureSchema;
    const failure = await deps.store.getJsonOrNull(info.key, schema);
    if (failure) out.push(failure);
  }
  return out;
}

/** `GET /v1/nuggets/jobs/{jobId}`. */
export async function getNuggetsJobStatus(
  deps: NuggetsJobDeps,
  tenant: string,
  jobId: string,
  now: Date = nowOf(deps),
): Promise<NuggetsJobStatus> {
  const { store } = deps;
  const keys = jobKeys(tenant, jobId);
  const manifest = await getManifest(deps, tenant, jobId);
  const [prepared, cancelled, summaryInfo, anchorsInfo, pieces, failures, callback] = await Promise.all([
    store.getJsonOrNull(keys.prepared, NuggetsJobPreparedSchema),
    store.head(keys.cancel),
    store.head(keys.summary),
    store.head(keys.anchors),
    listPieces(store, tenant, jobId),
    readFailures(deps, tenant, jobId),
    store.getJsonOrNull(keys.callback, CallbackStateSchema),
  ]);
  const cov = coverage(manifest, pieces);
  const anchors = prepared?.anchors ?? null;
  const pairsScored = anchors === null ? 0 : cov.candidatesScored * anchors;
  const pairsTotal = anchors === null ? null : manifest.candidates * anchors;
  const shardsFailed = failures.filter((f) => "shard" in f && f.final).length;
  const anyFinal = failures.some((f) => f.final);

  // Throughput over the scoring window: from preparation to the latest piece (or now, while running).
  let pairsPerSecond: number | null = null;
  let etaSeconds: number | null = null;
  if (prepared && pieces.length > 0 && pairsTotal !== null) {
    const latest = Math.max(...pieces.map((p) => p.lastModified.getTime()));
    const end = cov.complete ? latest : Math.max(latest, now.getTime());
    const seconds = (end - Date.parse(prepared.preparedAt)) / 1000;
    if (seconds > 0) {
      pairsPerSecond = pairsScored / seconds;
      etaSeconds = pairsPerSecond > 0 ? (pairsTotal - pairsScored) / pairsPerSecond : null;
    }
  }

  const status: NuggetsJobStatus["status"] = cancelled
    ? "cancelled"
    : summaryInfo
      ? "completed"
      : anyFinal
        ? "failed"
        : !prepared
          ? anchorsInfo
            ? "preparing"
            : "queued"
          : cov.complete
            ? "aggregating"
            : "running";
  const base = `/v1/nuggets/jobs/${jobId}`;
  return {
    jobId,
    status,
    createdAt: manifest.createdAt,
    engine: manifest.engine,
    model: manifest.model,
    preset: manifest.preset,
    progress: {
      candidates: manifest.candidates,
      candidatesScored: cov.candidatesScored,
      anchors,
      pairsScored,
      pairsTotal,
      shardsTotal: manifest.shards,
      shardsDone: cov.shardsDone,
      shardsFailed,
      pairsPerSecond,
      etaSeconds: status === "completed" ? 0 : etaSeconds,
    },
    failures,
    callback,
    links: {
      self: base,
      ...(status === "completed"
        ? {
            results: `${base}/results`,
            histogram: `${base}/results/histogram.svg`,
            scores: `${base}/scores`,
            subset: `${base}/subset?threshold=0.8`,
          }
        : {}),
    },
  };
}

/** Stops a job: no further shard is scored (in-flight shards finish their current piece). Idempotent. */
export async function cancelNuggetsJob(deps: NuggetsJobDeps, tenant: string, jobId: string, now: Date = nowOf(deps)): Promise<void> {
  const keys = jobKeys(tenant, jobId);
  await getManifest(deps, tenant, jobId);
  if (await deps.store.head(keys.summary)) throw new ConflictError(`job ${jobId} has already completed`, { jobId });
  await deps.store.createOnce(keys.cancel, JSON.stringify(NuggetsCancelSchema.parse({ version: 1, cancelledAt: now.toISOString() })), {
    contentType: "application/json",
  });
}

/**
 * Re-enqueues what went to the DLQ: each shard with a final failure (its unscored ranges) and a failed prepare or
 * aggregate stage. Their failure records are removed first, so the job reads as running again.
 */
export async function retryFailedShards(
  deps: NuggetsJobDeps,
  tenant: string,
  jobId: string,
): Promise<{ shards: number[]; stages: string[]; messages: number }> {
  const { store } = deps;
  const keys = jobKeys(tenant, jobId);
  const manifest = await getManifest(deps, tenant, jobId);
  if (await store.head(keys.cancel)) throw new ConflictError(`job ${jobId} was cancelled`, { jobId });
  const finals = (await readFailures(deps, tenant, jobId)).filter((f) => f.final);
  const byShard = coverageByShard(await listPieces(store, tenant, jobId));
  const messages: NuggetsMessage[] = [];
  const shards: number[] = [];
  const stages: string[] = [];
  for (const failure of finals) {
    if ("shard" in failure) {
      const range = shardRange(failure.shard, manifest.shardSize, manifest.candidates);
      for (const r of uncoveredRanges(range, byShard.get(failure.shard) ?? [])) {
        messages.push({ type: "shard", tenant, jobId, shard: failure.shard, from: r.from, to: r.to });
      }
      shards.push(failure.shard);
      await store.delete(keys.shardFailure(failure.shard));
    } else {
      messages.push({ type: failure.stage, tenant, jobId });
      stages.push(failure.stage);
      await store.delete(keys.stageFailure(failure.stage));
    }
  }
  // A shard can be recorded as dead-lettered after a duplicate delivery of it finished the job's last range: then
  // nothing is left to score, and only the aggregation that would have followed is missing.
  const noStageRetried = !messages.some((m) => m.type === "aggregate" || m.type === "prepare");
  if (shards.length > 0 && noStageRetried && !(await store.head(keys.summary))) {
    if (coverage(manifest, await listPieces(store, tenant, jobId)).complete) messages.push({ type: "aggregate", tenant, jobId });
  }
  if (messages.length > 0) await deps.queue.send(messages);
  return { shards, stages, messages: messages.length };
}
