/**
 * `npm run bench:jobs`: the job kernel at corpus scale.
 *
 * 1. Shard scaling: a job of an instant kind at 100, 1,000 and 10,000 shards, on the in-memory store and on the
 *    local S3 emulator, every message handled by 8 concurrent workers: object-store requests per shard and wall time
 *    per shard at each size. Target: requests per shard at 10,000 shards within 1.5× of those at 100.
 * 2. Aggregation memory: a 1,000,000-candidate × 100-anchor NUGGETS job with raw sums (≈ 2 GB of pieces, kept in an
 *    emulator in another process), aggregated in a fresh process: its peak memory growth. Target: under 300 MB.
 *
 * Prints the record as JSON and writes it to `bench-results/jobs-<timestamp>.json` and `jobs-latest.json`.
 * `--quick` runs small sizes (a smoke run); `--sizes 100,1000`, `--aggregation-candidates N` override.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../shared/config/shared-files.js";
import { startLocalAws } from "../shared/local/emulator.js";
import { MemoryObjectStore } from "../shared/store/memory-object-store.js";
import { S3ObjectStore } from "../shared/store/s3-object-store.js";
import { runAggregationMemory, type AggregationMemoryResult } from "./jobs/aggregation-memory.js";
import { countingStore, countS3Requests } from "./jobs/request-count.js";
import { runShardScaling, type ShardScalingRun } from "./jobs/shard-scaling.js";

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    sizes: { type: "string" },
    "aggregation-candidates": { type: "string" },
    "skip-aggregation": { type: "boolean", default: false },
  },
});
const mode = args.quick ? "quick" : "full";
const sizes = (args.sizes ?? (args.quick ? "20,200" : "100,1000,10000")).split(",").map(Number);
const aggregationCandidates = Number(args["aggregation-candidates"] ?? (args.quick ? 20_000 : 1_000_000));
const outDir = resolve(args.out ?? join(repoRoot, "bench-results"));
const WORKERS = 8;
const UNITS_PER_SHARD = 4;
const log = (line: string) => process.stderr.write(`${line}\n`);

const startedAt = new Date();
const scaling: Record<"memory" | "emulator", ShardScalingRun[]> = { memory: [], emulator: [] };

for (const shards of sizes) {
  const counted = countingStore(new MemoryObjectStore());
  const run = await runShardScaling({ store: counted.store, counter: counted, shards, unitsPerShard: UNITS_PER_SHARD, workers: WORKERS, tenant: "bench" });
  scaling.memory.push(run);
  log(`memory    ${String(shards).padStart(6)} shards: ${run.requestsPerShard.toFixed(2)} requests/shard, ${run.wallMsPerShard.toFixed(3)} ms/shard`);
}

const aws = await startLocalAws({ bucket: "assay-bench-jobs", queues: [] });
try {
  const counter = countS3Requests(aws.s3);
  const store = new S3ObjectStore({ client: aws.s3, bucket: aws.bucket });
  for (const shards of sizes) {
    const run = await runShardScaling({ store, counter, shards, unitsPerShard: UNITS_PER_SHARD, workers: WORKERS, tenant: `bench${shards}` });
    scaling.emulator.push(run);
    log(`emulator  ${String(shards).padStart(6)} shards: ${run.requestsPerShard.toFixed(2)} requests/shard, ${run.wallMsPerShard.toFixed(3)} ms/shard`);
  }
} finally {
  await aws.stop();
}

const growth = (runs: readonly ShardScalingRun[]) => runs[runs.length - 1]!.requestsPerShard / runs[0]!.requestsPerShard;
let aggregation: AggregationMemoryResult | null = null;
if (!args["skip-aggregation"]) {
  log(`aggregation: ${aggregationCandidates} candidates × 100 anchors with raw sums…`);
  aggregation = await runAggregationMemory({ candidates: aggregationCandidates, anchors: 100, shardSize: 1000 });
  log(`aggregation: ${(aggregation.pieceBytes / 1e9).toFixed(2)} GB of pieces in ${aggregation.seconds.toFixed(1)} s, peak RSS growth ${aggregation.rssGrowthMB.toFixed(0)} MB`);
}

const record = {
  version: 1,
  bench: "jobs",
  mode,
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "", totalMemoryGiB: totalmem() / 2 ** 30, node: process.version },
  workload: { workers: WORKERS, unitsPerShard: UNITS_PER_SHARD, sizes },
  shardScaling: {
    memory: scaling.memory,
    emulator: scaling.emulator,
    requestsPerShardGrowth: {
      memory: growth(scaling.memory),
      emulator: growth(scaling.emulator),
      target: 1.5,
      held: growth(scaling.memory) <= 1.5 && growth(scaling.emulator) <= 1.5,
    },
  },
  aggregation,
};
const json = JSON.stringify(record, null, 2);
await mkdir(outDir, { recursive: true });
const file = join(outDir, `jobs-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
await writeFile(file, json);
await writeFile(join(outDir, "jobs-latest.json"), json);
process.stdout.write(`${json}\nresults: ${file}\n`);
