/**
 * Aggregation memory at corpus scale: a NUGGETS job of `candidates` × `anchors` with raw per-anchor sums, its pieces
 * written straight into an emulator that runs in its own process (so the gigabytes sit outside the process measured),
 * then aggregated in a fresh process that reports its own peak memory growth. The results stream into the bucket as
 * a multipart upload, so the growth should not depend on the job's size.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { JobPreparedSchema, ProgressBlockSchema, type JobPrepared, type PieceHeader } from "../../schemas/jobs.js";
import type { NuggetsPreparedContext } from "../../schemas/nuggets-jobs.js";
import { repoRoot } from "../../shared/config/shared-files.js";
import { storeDataset } from "../../shared/datasets/dataset-store.js";
import { createInstantFakeEngine } from "../../shared/engines/fake/instant-fake-engine.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { createJob } from "../../shared/jobs/create-job.js";
import { jobKeys, PROGRESS_BLOCK_SHARDS } from "../../shared/jobs/job-keys.js";
import { pieceBody } from "../../shared/jobs/pieces.js";
import { blocksOf, blockSize } from "../../shared/jobs/progress.js";
import { createLocalS3Client } from "../../shared/local/local-clients.js";
import { nuggetsKind } from "../../shared/nuggets/jobs/index.js";
import { mulberry32 } from "../../shared/random/mulberry32.js";
import { S3ObjectStore } from "../../shared/store/s3-object-store.js";

export interface AggregationMemoryResult {
  readonly candidates: number;
  readonly anchors: number;
  readonly shards: number;
  /** Bytes of pieces the aggregation read. */
  readonly pieceBytes: number;
  readonly seedSeconds: number;
  readonly seconds: number;
  readonly baselineRssMB: number;
  readonly peakRssMB: number;
  readonly rssGrowthMB: number;
  readonly heapGrowthMB: number;
  readonly scoresBytes: number;
  readonly target: { rssGrowthMB: number; held: boolean };
}

const TENANT = "bench";

/** Starts a node child on Node 22 with tsx, returning it and its first stdout line. */
async function child(script: string, args: string[]): Promise<{ proc: ChildProcess; first: string; lines: AsyncIterator<string> }> {
  const proc = spawn(process.execPath, ["--import", "tsx", "--expose-gc", script, ...args], { cwd: repoRoot, stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error(`${script} exited without output`);
  return { proc, first: first.value, lines };
}

export async function runAggregationMemory(opts: { candidates: number; anchors: number; shardSize: number }): Promise<AggregationMemoryResult> {
  const emulator = await child("bench/jobs/emulator-process.ts", ["assay-bench"]);
  const { endpoint, bucket } = JSON.parse(emulator.first) as { endpoint: string; bucket: string };
  const s3 = createLocalS3Client({ endpoint });
  try {
    const store = new S3ObjectStore({ client: s3, bucket });
    const seedStarted = performance.now();
    const engines = EngineRegistry.fromConfigs([]);
    engines.register(createInstantFakeEngine({ name: "fake" }));
    const deps = { store, engines, queue: { send: async () => {} } };
    // A pool of short examples (the aggregation streams it for the top candidates' texts).
    const pool = Array.from({ length: opts.candidates }, (_, i) => `{"instruction":"Task ${i}: say ${i % 97}.","output":"${i % 89}"}`).join("\n");
    const { meta } = await storeDataset(store, TENANT, pool);
    const { manifest } = await createJob(deps, nuggetsKind, TENANT, {
      datasetId: meta.id,
      anchors: { method: "random", size: opts.anchors, seed: 0 },
      engine: "fake",
      shardSize: opts.shardSize,
    });
    const keys = jobKeys(TENANT, manifest.jobId);
    const shards = Math.ceil(opts.candidates / opts.shardSize);
    const now = new Date().toISOString();
    const context: NuggetsPreparedContext = { anchors: opts.anchors, anchorIndices: null, zeroShotKey: "unused" };
    const prepared: JobPrepared = {
      version: 2,
      units: opts.candidates,
      shardSize: opts.shardSize,
      shards,
      sizing: { source: "request", unitsPerSecond: null, targetShardSeconds: 300 },
      preparedAt: now,
      context,
    };
    await store.createOnceJson(keys.prepared, prepared, JobPreparedSchema);
    // Pieces: what shards would have stored, raw sums included (about 2 KB a candidate at 100 anchors).
    const random = mulberry32(1);
    let pieceBytes = 0;
    for (let shard = 0; shard < shards; shard++) {
      const from = shard * opts.shardSize;
      const to = Math.min(opts.candidates, from + opts.shardSize);
      const lines: string[] = [];
      for (let index = from; index < to; index++) {
        const oneShot = Array.from({ length: opts.anchors }, () => -50 - random() * 400);
        const wins = Math.floor(random() * (opts.anchors + 1));
        lines.push(
          JSON.stringify({ index, status: "scored", goldenScore: wins / opts.anchors, wins, anchors: opts.anchors, version: 1, preset: "paper", maxAnchorTokens: null, oneShot }),
        );
      }
      const header: PieceHeader = { piece: 2, shard, from, to, processedAt: now, elapsedMs: 1000, outcomes: { scored: to - from }, work: { pairs: (to - from) * opts.anchors } };
      const body = pieceBody(header, lines);
      pieceBytes += Buffer.byteLength(body);
      await store.createOnce(keys.piece(shard, from, to), body, { contentType: "application/x-ndjson" });
    }
    for (let block = 0; block < blocksOf(shards); block++) {
      const size = blockSize(block, shards);
      const bits = Buffer.alloc(Math.ceil(size / 8), 0xff);
      await store.putJson(
        keys.progressBlock(block),
        {
          version: 1 as const,
          block,
          shards: size,
          done: bits.toString("base64"),
          doneCount: size,
          units: Math.min(opts.candidates - block * PROGRESS_BLOCK_SHARDS * opts.shardSize, size * opts.shardSize),
          outcomes: {},
          work: {},
          elapsedMs: 0,
          lastAt: now,
        },
        ProgressBlockSchema,
      );
    }
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const run = await child("bench/jobs/aggregate-child.ts", [endpoint, bucket, TENANT, manifest.jobId]);
    const measured = JSON.parse(run.first) as Omit<AggregationMemoryResult, "candidates" | "anchors" | "shards" | "pieceBytes" | "seedSeconds" | "target"> & { scored: number };
    await new Promise((resolve) => run.proc.once("exit", resolve));
    if (measured.scored !== opts.candidates) throw new Error(`aggregation scored ${measured.scored} of ${opts.candidates}`);
    const { scored: _scored, ...figures } = measured;
    return {
      candidates: opts.candidates,
      anchors: opts.anchors,
      shards,
      pieceBytes,
      seedSeconds,
      ...figures,
      target: { rssGrowthMB: 300, held: figures.rssGrowthMB < 300 },
    };
  } finally {
    s3.destroy();
    emulator.proc.stdin!.end();
    await new Promise((resolve) => emulator.proc.once("exit", resolve));
  }
}
