/**
 * An engine's throughput: measured from completed shards (a moving average kept per tenant and engine), else probed
 * with a tiny scoring run, else assumed per engine kind. It sizes shards and estimates a job's engine-hours.
 */
import { EngineThroughputSchema, type EngineThroughput, type ThroughputEstimate } from "../../../schemas/nuggets-jobs.js";
import type { EngineKind } from "../../engines/engine.js";
import type { ObjectStore } from "../../store/object-store.js";
import { throughputKey } from "./job-keys.js";

/**
 * Pair scorings per second assumed before anything was measured. GPU figures from DESIGN.md (one H100, 7B:
 * ≈110 pairs/s full prefill, ≈190 with prefix reuse); the embedded engine is a CPU llama.cpp on a small model.
 */
export const ASSUMED_PAIRS_PER_SECOND: Record<EngineKind, number> = {
  vllm: 110,
  sglang: 190,
  sagemaker: 110,
  embedded: 5,
  fake: 20_000,
};

/** Weight of the newest shard in the moving average. */
const EMA_WEIGHT = 0.3;
/** Pieces shorter than this say more about timer noise than about the engine. */
const MIN_MEASURED_MS = 50;

/** Largest and smallest shard a job gets by default. */
export const SHARD_SIZE_LIMITS = { min: 1, max: 10_000 } as const;

/**
 * Candidates per shard so that one shard takes about `targetSeconds` at `pairsPerSecond`.
 *
 * @example
 * chooseShardSize({ anchors: 100, pairsPerSecond: 110, targetSeconds: 300 }); // 330
 */
export function chooseShardSize(opts: { anchors: number; pairsPerSecond: number; targetSeconds: number }): number {
  const raw = Math.floor((opts.targetSeconds * opts.pairsPerSecond) / Math.max(1, opts.anchors));
  return Math.min(SHARD_SIZE_LIMITS.max, Math.max(SHARD_SIZE_LIMITS.min, raw));
}

/** The recorded throughput, or null when none (or it was measured on another model). */
export async function readThroughput(
  store: ObjectStore,
  tenant: string,
  engine: { name: string; model: string },
): Promise<EngineThroughput | null> {
  const record = await store.getJsonOrNull(throughputKey(tenant, engine.name), EngineThroughputSchema);
  return record && record.model === engine.model ? record : null;
}

/** As an estimate, falling back to the kind's assumed figure. */
export function throughputEstimate(record: EngineThroughput | null, kind: EngineKind): ThroughputEstimate {
  return record
    ? { pairsPerSecond: record.pairsPerSecond, tokensPerSecond: record.tokensPerSecond, source: "history" }
    : { pairsPerSecond: ASSUMED_PAIRS_PER_SECOND[kind], tokensPerSecond: null, source: "assumed" };
}

/** Folds one completed piece into the engine's record (compare-and-swap; a lost race retries). */
export async function recordThroughput(
  store: ObjectStore,
  tenant: string,
  engine: { name: string; model: string },
  sample: { pairs: number; tokens: number; elapsedMs: number },
  now: Date,
): Promise<void> {
  if (sample.pairs <= 0 || sample.tokens <= 0 || sample.elapsedMs < MIN_MEASURED_MS) return;
  const pps = sample.pairs / (sample.elapsedMs / 1000);
  const tps = sample.tokens / (sample.elapsedMs / 1000);
  await store.update(throughputKey(tenant, engine.name), EngineThroughputSchema, (current) => {
    const same = current && current.model === engine.model;
    const mix = (old: number, fresh: number) => (same ? old + EMA_WEIGHT * (fresh - old) : fresh);
    return {
      version: 1 as const,
      engine: engine.name,
      model: engine.model,
      pairsPerSecond: mix(current?.pairsPerSecond ?? pps, pps),
      tokensPerSecond: mix(current?.tokensPerSecond ?? tps, tps),
      samples: same ? current.samples + 1 : 1,
      updatedAt: now.toISOString(),
    };
  });
}
