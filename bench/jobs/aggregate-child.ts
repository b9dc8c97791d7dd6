/**
 * Runs one NUGGETS aggregation against the emulator in a fresh process and reports how much this process's memory
 * grew while it did: the resident set sampled every 20 ms, from just before the aggregation to its end.
 * Arguments: endpoint bucket tenant jobId. Prints one JSON line.
 */
import { EngineRegistry } from "../../shared/engines/registry.js";
import { handleAggregate } from "../../shared/jobs/aggregate.js";
import { jobKeys } from "../../shared/jobs/job-keys.js";
import { createLocalS3Client } from "../../shared/local/local-clients.js";
import { NuggetsJobSummarySchema } from "../../schemas/nuggets-jobs.js";
import { nuggetsKind } from "../../shared/nuggets/jobs/index.js";
import { S3ObjectStore } from "../../shared/store/s3-object-store.js";

const [endpoint, bucket, tenant, jobId] = process.argv.slice(2) as [string, string, string, string];
const s3 = createLocalS3Client({ endpoint });
const store = new S3ObjectStore({ client: s3, bucket });
const deps = { store, engines: EngineRegistry.fromConfigs([]), queue: { send: async () => {} } };
const mb = (bytes: number) => bytes / (1024 * 1024);

globalThis.gc?.();
const baseline = process.memoryUsage();
let peakRss = baseline.rss;
let peakHeap = baseline.heapUsed;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 20);
const started = performance.now();
await handleAggregate(deps, nuggetsKind, tenant, jobId);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
const end = process.memoryUsage();
peakRss = Math.max(peakRss, end.rss);
peakHeap = Math.max(peakHeap, end.heapUsed);
const summary = await store.getJson(jobKeys(tenant, jobId).summary, NuggetsJobSummarySchema);
const scores = await store.head(jobKeys(tenant, jobId).result("scores.jsonl"));
process.stdout.write(
  `${JSON.stringify({
    seconds,
    baselineRssMB: mb(baseline.rss),
    peakRssMB: mb(peakRss),
    rssGrowthMB: mb(peakRss - baseline.rss),
    heapGrowthMB: mb(peakHeap - baseline.heapUsed),
    scored: summary.scored,
    scoresBytes: scores?.size ?? 0,
  })}\n`,
);
s3.destroy();
