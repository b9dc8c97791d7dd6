/**
 * Which shards are complete: one small object per 4096 shards (`progress/{block}.json`), a bitmap plus the counts of
 * the shards it holds, changed by compare-and-swap. A completing shard sets its bit (a redelivered one finds it set
 * and adds nothing), so completion costs a read and a write whatever the job's size, and status reads one object per
 * 4096 shards instead of listing every piece. When a block fills, the shard that filled it reads the other blocks;
 * of two blocks filling at once at least one filler sees both full, so the aggregation is always enqueued.
 */
import { ProgressBlockSchema, type Counts, type ProgressBlock } from "../../schemas/jobs.js";
import type { ObjectStore } from "../store/object-store.js";
import { jobKeys, PROGRESS_BLOCK_SHARDS } from "./job-keys.js";

/** What a completed shard adds to its block. */
export interface ShardTally {
  readonly units: number;
  readonly outcomes: Counts;
  readonly work: Counts;
  readonly elapsedMs: number;
  /** The latest piece time of the shard. */
  readonly lastAt: string | null;
}

/** Everything the blocks say, summed. */
export interface JobProgress {
  readonly shardsDone: number;
  readonly units: number;
  readonly outcomes: Counts;
  readonly work: Counts;
  readonly elapsedMs: number;
  readonly lastAt: string | null;
  readonly complete: boolean;
}

/** Shards in block `block` of a job with `shards` shards. */
export function blockSize(block: number, shards: number): number {
  return Math.max(0, Math.min(PROGRESS_BLOCK_SHARDS, shards - block * PROGRESS_BLOCK_SHARDS));
}

export const blocksOf = (shards: number) => Math.ceil(shards / PROGRESS_BLOCK_SHARDS);

function emptyBlock(block: number, shards: number): ProgressBlock {
  const size = blockSize(block, shards);
  return {
    version: 1,
    block,
    shards: size,
    done: Buffer.alloc(Math.ceil(size / 8)).toString("base64"),
    doneCount: 0,
    units: 0,
    outcomes: {},
    work: {},
    elapsedMs: 0,
    lastAt: null,
  };
}

/** Adds `b` into `a`. */
export function addCounts(a: Counts, b: Counts): Counts {
  const out: Counts = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

/**
 * Records shard `shard` as complete (idempotent). Returns whether its block is now full, and whether this call set
 * the bit (false: an earlier delivery already had).
 */
export async function markShardComplete(
  store: ObjectStore,
  job: { tenant: string; jobId: string; shards: number },
  shard: number,
  tally: ShardTally,
  maxAttempts = 30,
): Promise<{ blockFull: boolean; newlySet: boolean; block: ProgressBlock }> {
  const block = Math.floor(shard / PROGRESS_BLOCK_SHARDS);
  const bit = shard % PROGRESS_BLOCK_SHARDS;
  let newlySet = false;
  const { value } = await store.update(
    jobKeys(job.tenant, job.jobId).progressBlock(block),
    ProgressBlockSchema,
    (current) => {
      const base = current ?? emptyBlock(block, job.shards);
      const bits = Buffer.from(base.done, "base64");
      newlySet = false;
      if (bits[bit >> 3]! & (1 << (bit & 7))) return current === null ? base : null;
      bits[bit >> 3]! |= 1 << (bit & 7);
      newlySet = true;
      return {
        ...base,
        done: bits.toString("base64"),
        doneCount: base.doneCount + 1,
        units: base.units + tally.units,
        outcomes: addCounts(base.outcomes, tally.outcomes),
        work: addCounts(base.work, tally.work),
        elapsedMs: base.elapsedMs + tally.elapsedMs,
        lastAt: later(base.lastAt, tally.lastAt),
      };
    },
    { maxAttempts, allowNoChange: true },
  );
  return { blockFull: value.doneCount >= value.shards, newlySet, block: value };
}

/** Every block (null where none was written yet): one GET per 4096 shards. */
export function readBlocks(store: ObjectStore, job: { tenant: string; jobId: string; shards: number }): Promise<(ProgressBlock | null)[]> {
  const keys = jobKeys(job.tenant, job.jobId);
  return Promise.all(Array.from({ length: blocksOf(job.shards) }, (_, b) => store.getJsonOrNull(keys.progressBlock(b), ProgressBlockSchema)));
}

/** Reads every block and sums them. */
export async function readProgress(store: ObjectStore, job: { tenant: string; jobId: string; shards: number }): Promise<JobProgress> {
  return sumBlocks(await readBlocks(store, job), job.shards);
}

/** The sum over blocks (absent blocks count as empty). */
export function sumBlocks(blocks: readonly (ProgressBlock | null)[], shards: number): JobProgress {
  let shardsDone = 0;
  let units = 0;
  let outcomes: Counts = {};
  let work: Counts = {};
  let elapsedMs = 0;
  let lastAt: string | null = null;
  for (const b of blocks) {
    if (!b) continue;
    shardsDone += b.doneCount;
    units += b.units;
    outcomes = addCounts(outcomes, b.outcomes);
    work = addCounts(work, b.work);
    elapsedMs += b.elapsedMs;
    lastAt = later(lastAt, b.lastAt);
  }
  return { shardsDone, units, outcomes, work, elapsedMs, lastAt, complete: shardsDone >= shards };
}

/** Whether shard `shard` is marked complete, given every block. */
export function isShardDone(blocks: readonly (ProgressBlock | null)[], shard: number): boolean {
  const block = blocks[Math.floor(shard / PROGRESS_BLOCK_SHARDS)];
  if (!block) return false;
  const bit = shard % PROGRESS_BLOCK_SHARDS;
  const bits = Buffer.from(block.done, "base64");
  return (bits[bit >> 3]! & (1 << (bit & 7))) !== 0;
}
