/**
 * Object keys of a job (the layout is documented in `schemas/jobs.ts`). Every key is built here so the writers and
 * the readers cannot drift apart. Shard numbers and unit indices are zero-padded so keys list in numeric order.
 */
import { tenantKey } from "../store/tenant-key.js";

/** A unit range [from, to). */
export interface Range {
  readonly from: number;
  readonly to: number;
}

/** Shards per progress block: one compare-and-swap object records this many shards' completion. */
export const PROGRESS_BLOCK_SHARDS = 4096;

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const SHARD_DIGITS = 6;
const UNIT_DIGITS = 12;

/**
 * @example
 * jobKeys("acme", "nj_…").piece(3, 600, 800); // "t/acme/jobs/nj_…/pieces/000003/000000000600-000000000800.jsonl"
 */
export function jobKeys(tenant: string, jobId: string) {
  const k = (...parts: string[]) => tenantKey(tenant, "jobs", jobId, ...parts);
  const prefixOf = (...parts: string[]) => k(...parts, "x").slice(0, -1);
  return {
    prefix: prefixOf(),
    manifest: k("manifest.json"),
    prepared: k("prepared.json"),
    shardsEnqueued: k("shards-enqueued.json"),
    scratchPrefix: prefixOf("prepare"),
    scratch: (name: string) => k("prepare", name),
    piecesPrefix: prefixOf("pieces"),
    shardPiecesPrefix: (shard: number) => prefixOf("pieces", pad(shard, SHARD_DIGITS)),
    piece: (shard: number, from: number, to: number) =>
      k("pieces", pad(shard, SHARD_DIGITS), `${pad(from, UNIT_DIGITS)}-${pad(to, UNIT_DIGITS)}.jsonl`),
    progressPrefix: prefixOf("progress"),
    progressBlock: (block: number) => k("progress", `${pad(block, 4)}.json`),
    failuresPrefix: prefixOf("failures"),
    shardFailure: (shard: number) => k("failures", `${pad(shard, SHARD_DIGITS)}.json`),
    stageFailure: (stage: "prepare" | "aggregate") => k("failures", `${stage}.json`),
    stop: k("stop.json"),
    cut: k("results", "cut.json"),
    result: (name: string) => k("results", name),
    summary: k("results", "summary.json"),
    callback: k("callback.json"),
  };
}
export type JobKeys = ReturnType<typeof jobKeys>;

/** The shard and range a piece key names, or null for anything else. */
export function parsePieceKey(key: string): { shard: number; from: number; to: number } | null {
  const m = /\/pieces\/(\d+)\/(\d+)-(\d+)\.jsonl$/.exec(key);
  if (!m) return null;
  const [shard, from, to] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return to > from ? { shard, from, to } : null;
}

/** The unit range of shard `shard`. */
export function shardRange(shard: number, shardSize: number, units: number): Range {
  return { from: shard * shardSize, to: Math.min(units, (shard + 1) * shardSize) };
}

/** Where measured unit costs are kept: per tenant, kind and cost key. */
export function throughputKey(tenant: string, kind: string, costKey: string): string {
  return tenantKey(tenant, "cache", "throughput", kind, `${costKey}.json`);
}

/** The job index: newest first, because the time is inverted. */
export function jobIndexPrefix(tenant: string): string {
  return tenantKey(tenant, "job-index", "x").slice(0, -1);
}

const INDEX_EPOCH_END = 10 ** 15; // ms; inverted times stay 15 digits wide until the year 33658

/** `t/{tenant}/job-index/{inverted ms}-{jobId}.json`. */
export function jobIndexKey(tenant: string, createdAt: string, jobId: string): string {
  const inverted = INDEX_EPOCH_END - Date.parse(createdAt);
  return tenantKey(tenant, "job-index", `${pad(inverted, 15)}-${jobId}.json`);
}
