/**
 * A job's status, derived from what is stored (progress blocks, failures, markers) rather than from counters, so it
 * is right however often messages were redelivered. Costs a few reads plus one per 4096 shards: no listing of pieces.
 */
import {
  CallbackStateSchema,
  JobPreparedSchema,
  ResultsCutSchema,
  ShardFailureSchema,
  StageFailureSchema,
  type JobManifest,
  type JobStatus,
  type ShardFailure,
  type StageFailure,
} from "../../schemas/jobs.js";
import type { ObjectStore } from "../store/object-store.js";
import type { AnyJobKind } from "./job-kind.js";
import { jobKeys } from "./job-keys.js";
import { readManifest } from "./job-views.js";
import { nowOf, type JobDeps } from "./ports.js";
import { isShardDone, readBlocks, sumBlocks, type JobProgress } from "./progress.js";
import { readStop } from "./stop.js";
import { readThroughput } from "./throughput.js";

/** Every failure record of a job (usually none: one LIST). */
export async function readFailures(store: ObjectStore, tenant: string, jobId: string): Promise<(ShardFailure | StageFailure)[]> {
  const out: (ShardFailure | StageFailure)[] = [];
  for await (const info of store.list(jobKeys(tenant, jobId).failuresPrefix)) {
    const name = info.key.slice(info.key.lastIndexOf("/") + 1);
    const schema = /^\d+\.json$/.test(name) ? ShardFailureSchema : StageFailureSchema;
    const failure = await store.getJsonOrNull(info.key, schema);
    if (failure) out.push(failure);
  }
  return out;
}

/** The status plus what a kind-specific route needs to describe its own progress. */
export interface JobStatusDetail {
  readonly status: JobStatus;
  readonly manifest: JobManifest;
  readonly progress: JobProgress | null;
}

/** `GET /v1/jobs/{id}` (and each kind's own status route, which reshapes it). */
export async function getJobStatus(
  deps: Pick<JobDeps, "store" | "now">,
  kind: AnyJobKind,
  tenant: string,
  jobId: string,
  now: Date = nowOf(deps),
): Promise<JobStatusDetail> {
  const { store } = deps;
  const keys = jobKeys(tenant, jobId);
  const manifest = await readManifest(store, tenant, jobId, kind);
  const [prepared, stop, summaryInfo, cut, scratch, allFailures, callback, throughput] = await Promise.all([
    store.getJsonOrNull(keys.prepared, JobPreparedSchema),
    readStop(store, tenant, jobId),
    store.head(keys.summary),
    store.getJsonOrNull(keys.cut, ResultsCutSchema),
    firstKey(store, keys.scratchPrefix),
    readFailures(store, tenant, jobId),
    store.getJsonOrNull(keys.callback, CallbackStateSchema),
    readThroughput(store, tenant, kind.name, manifest),
  ]);
  const blocks = prepared ? await readBlocks(store, { tenant, jobId, shards: prepared.shards }) : [];
  const progress = prepared ? sumBlocks(blocks, prepared.shards) : null;
  // A shard that failed and later completed (a duplicate delivery finished it) is not a failure any more.
  const failures = allFailures.filter((f) => !("shard" in f) || !isShardDone(blocks, f.shard));
  const units = prepared?.units ?? manifest.unitsHint;
  const unitsDone = progress?.units ?? 0;
  const outcomes = progress?.outcomes ?? {};
  const shardsFailed = failures.filter((f) => "shard" in f && f.final).length;
  const anyFinal = failures.some((f) => f.final);
  const partialResults = summaryInfo !== null && (cut?.partial ?? false);

  const status: JobStatus["status"] =
    summaryInfo && !partialResults
      ? "completed"
      : stop
        ? stop.reason === "cancelled"
          ? "cancelled"
          : "failed"
        : anyFinal
          ? "failed"
          : !prepared
            ? scratch
              ? "preparing"
              : "queued"
            : progress?.complete
              ? "aggregating"
              : "running";

  // Throughput over the processing window: from preparation to the latest piece (or now, while running).
  let unitsPerSecond: number | null = null;
  let etaSeconds: number | null = null;
  if (prepared && progress && progress.lastAt !== null && units !== null) {
    const running = status === "running";
    const end = running ? Math.max(Date.parse(progress.lastAt), now.getTime()) : Date.parse(progress.lastAt);
    const seconds = (end - Date.parse(prepared.preparedAt)) / 1000;
    if (seconds > 0) {
      unitsPerSecond = unitsDone / seconds;
      etaSeconds = running && unitsPerSecond > 0 ? (units - unitsDone) / unitsPerSecond : null;
    }
  }
  if (status === "completed") etaSeconds = 0;

  const base = `/v1/jobs/${jobId}`;
  return {
    manifest,
    progress,
    status: {
      id: jobId,
      jobId,
      kind: kind.name,
      status,
      createdAt: manifest.createdAt,
      costKey: manifest.costKey,
      model: manifest.model,
      stop,
      progress: {
        units,
        unitsDone,
        outcomes,
        unitErrors: outcomes.error ?? 0,
        maxUnitErrors: manifest.maxUnitErrors,
        shardsTotal: prepared?.shards ?? null,
        shardsDone: progress?.shardsDone ?? 0,
        shardsFailed,
        work: progress?.work ?? {},
        unitsPerSecond,
        etaSeconds,
      },
      throughput: throughput
        ? {
            unitsPerSecond: throughput.unitsPerSecond,
            rates: throughput.rates,
            replicas: throughput.replicas ?? [],
            samples: throughput.samples,
            updatedAt: throughput.updatedAt,
          }
        : null,
      failures,
      partialResults,
      callback,
      links: {
        self: base,
        ...(summaryInfo ? { results: `${base}/results`, lines: `${base}/results/${kind.linesFile}` } : {}),
      },
    },
  };
}

async function firstKey(store: ObjectStore, prefix: string): Promise<string | null> {
  for await (const info of store.list(prefix, { pageSize: 1 })) return info.key;
  return null;
}
