/**
 * A kind's measured unit cost on an engine: a moving average kept per tenant, kind and cost key, fed by every piece
 * long enough to say something about the engine. It sizes shards and estimates a job's engine time.
 */
import { ThroughputRecordSchema, type Counts, type ReplicaDelta, type ReplicaThroughput, type ThroughputRecord } from "../../schemas/jobs.js";
import type { ObjectStore } from "../store/object-store.js";
import { throughputKey } from "./job-keys.js";

/** Weight of the newest piece in the moving average. */
const EMA_WEIGHT = 0.3;
/** Pieces shorter than this say more about timer noise than about the engine. */
export const MIN_MEASURED_MS = 50;

/** The recorded throughput, or null when none (or it was measured on another model). */
export async function readThroughput(
  store: ObjectStore,
  tenant: string,
  kind: string,
  cost: { costKey: string; model: string },
): Promise<ThroughputRecord | null> {
  const record = await store.getJsonOrNull(throughputKey(tenant, kind, cost.costKey), ThroughputRecordSchema);
  return record && record.model === cost.model ? record : null;
}

/** A piece's measurement. */
export interface ThroughputSample {
  readonly units: number;
  readonly work: Counts;
  readonly elapsedMs: number;
  readonly replicas?: Readonly<Record<string, ReplicaDelta>> | undefined;
}

/** Folds a piece's replica deltas into the per-replica moving averages. */
function mixReplicas(
  current: readonly ReplicaThroughput[] | undefined,
  deltas: Readonly<Record<string, ReplicaDelta>>,
  elapsedMs: number,
  same: boolean,
): ReplicaThroughput[] {
  const byId = new Map((same ? (current ?? []) : []).map((r) => [r.id, r]));
  const seconds = elapsedMs / 1000;
  for (const [id, d] of Object.entries(deltas)) {
    const fresh = {
      requestsPerSecond: d.requests / seconds,
      failureRate: d.requests > 0 ? d.failures / d.requests : 0,
      busyFraction: d.busyMs / elapsedMs,
    };
    const old = byId.get(id);
    const mix = (a: number | undefined, b: number) => (a === undefined ? b : a + EMA_WEIGHT * (b - a));
    byId.set(id, {
      id,
      requestsPerSecond: mix(old?.requestsPerSecond, fresh.requestsPerSecond),
      failureRate: Math.min(1, mix(old?.failureRate, fresh.failureRate)),
      busyFraction: mix(old?.busyFraction, fresh.busyFraction),
      circuit: d.circuit,
    });
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
}

/** Folds one piece into the record (compare-and-swap; a lost race retries). Samples too short to mean anything are ignored. */
export async function recordThroughput(
  store: ObjectStore,
  tenant: string,
  kind: string,
  cost: { costKey: string; model: string },
  sample: ThroughputSample,
  now: Date,
): Promise<void> {
  if (sample.units <= 0 || sample.elapsedMs < MIN_MEASURED_MS) return;
  const seconds = sample.elapsedMs / 1000;
  const ups = sample.units / seconds;
  const rates: Counts = {};
  for (const [name, value] of Object.entries(sample.work)) if (value > 0) rates[name] = value / seconds;
  await store.update(throughputKey(tenant, kind, cost.costKey), ThroughputRecordSchema, (current) => {
    const same = current !== null && current.model === cost.model;
    const mix = (old: number | undefined, fresh: number) => (same && old !== undefined ? old + EMA_WEIGHT * (fresh - old) : fresh);
    const mixed: Counts = same ? { ...current.rates } : {};
    for (const [name, value] of Object.entries(rates)) mixed[name] = mix(mixed[name], value);
    return {
      version: 2 as const,
      kind,
      costKey: cost.costKey,
      model: cost.model,
      unitsPerSecond: mix(current?.unitsPerSecond, ups),
      rates: mixed,
      ...(sample.replicas && Object.keys(sample.replicas).length > 0
        ? { replicas: mixReplicas(current?.replicas, sample.replicas, sample.elapsedMs, same) }
        : same && current.replicas
          ? { replicas: current.replicas }
          : {}),
      samples: same ? current.samples + 1 : 1,
      updatedAt: now.toISOString(),
    };
  });
}

/** Largest shard a job gets by default. */
export const MAX_DEFAULT_SHARD_SIZE = 10_000;

/**
 * Units per shard: about `targetSeconds` of work at `unitsPerSecond`, but at least `minShards` shards when there are
 * that many units (so a small job's progress moves shard by shard), and never more than {@link MAX_DEFAULT_SHARD_SIZE}.
 *
 * @example
 * chooseShardSize({ units: 52_002, unitsPerSecond: 1.1, targetSeconds: 300, minShards: 8 }); // 330
 * chooseShardSize({ units: 30, unitsPerSecond: 100, targetSeconds: 300, minShards: 8 });     // 4
 */
export function chooseShardSize(opts: { units: number; unitsPerSecond: number; targetSeconds: number; minShards: number }): number {
  const byTime = Math.floor(opts.targetSeconds * opts.unitsPerSecond);
  const bySplit = Math.ceil(Math.max(1, opts.units) / Math.max(1, opts.minShards));
  return Math.max(1, Math.min(MAX_DEFAULT_SHARD_SIZE, byTime, bySplit));
}
