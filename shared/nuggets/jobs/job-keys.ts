/**
 * Object keys of a NUGGETS job (the layout is documented in `schemas/nuggets-jobs.ts`). Every key is built here so
 * the writers and the readers cannot drift apart.
 */
import { tenantKey } from "../../store/tenant-key.js";

/** A candidate range [from, to). */
export interface Range {
  readonly from: number;
  readonly to: number;
}

/**
 * @example
 * jobKeys("acme", "nj_…").piece(3, 600, 800); // "t/acme/jobs/nj_…/pieces/3/600-800.jsonl"
 */
export function jobKeys(tenant: string, jobId: string) {
  const k = (...parts: string[]) => tenantKey(tenant, "jobs", jobId, ...parts);
  return {
    prefix: k("x").slice(0, -1),
    manifest: k("manifest.json"),
    prepared: k("prepared.json"),
    anchors: k("anchors.jsonl"),
    preparedAnchors: k("anchors-prepared.json"),
    shardsEnqueued: k("shards-enqueued.json"),
    piecesPrefix: k("pieces", "x").slice(0, -1),
    shardPiecesPrefix: (shard: number) => k("pieces", String(shard), "x").slice(0, -1),
    piece: (shard: number, from: number, to: number) => k("pieces", String(shard), `${from}-${to}.jsonl`),
    failuresPrefix: k("failures", "x").slice(0, -1),
    shardFailure: (shard: number) => k("failures", `${shard}.json`),
    stageFailure: (stage: "prepare" | "aggregate") => k("failures", `${stage}.json`),
    cancel: k("cancel.json"),
    scores: k("results", "scores.jsonl"),
    summary: k("results", "summary.json"),
    callback: k("callback.json"),
  };
}

/** Where the zero-shot sums for one content hash are cached. */
export function zeroShotCacheKey(tenant: string, hash: string): string {
  return tenantKey(tenant, "cache", "nuggets-zeroshot", `${hash}.json`);
}

/** Where an engine's measured throughput is kept. */
export function throughputKey(tenant: string, engine: string): string {
  return tenantKey(tenant, "cache", "engine-throughput", `${engine}.json`);
}

/** The shard and range a piece key names, or null for anything else under `pieces/`. */
export function parsePieceKey(key: string): { shard: number; from: number; to: number } | null {
  const m = /\/pieces\/(\d+)\/(\d+)-(\d+)\.jsonl$/.exec(key);
  if (!m) return null;
  const [shard, from, to] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return to > from ? { shard, from, to } : null;
}

/** The candidate range of shard `shard`. */
export function shardRange(shard: number, shardSize: number, candidates: number): Range {
  return { from: shard * shardSize, to: Math.min(candidates, (shard + 1) * shardSize) };
}
