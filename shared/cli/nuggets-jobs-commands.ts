import { createWriteStream, existsSync, writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { ValidationError } from "../errors.js";
import { ApiClient, apiTarget } from "./api-client.js";
import { parseSeed, parseThresholdList } from "./nuggets-score.js";

interface ApiOptions {
  api?: string;
  key?: string;
}

const withApiOptions = (command: Command): Command =>
  command
    .option("--api <url>", "the assay API (default $ASSAY_API_URL)")
    .option("--key <key>", "an API key (default $ASSAY_API_KEY)");

/** `dataset:ds_…` ids are used as they are; anything else is a file to upload. */
async function datasetId(client: ApiClient, value: string, name: string): Promise<string> {
  if (/^ds_[0-9a-f]{24}$/.test(value)) return value;
  if (!existsSync(value)) throw new ValidationError(`${value} is neither a dataset id nor a file`);
  return client.uploadDataset(value, { name });
}

/**
 * `--anchors FILE|ds_…`, `random:SIZE[:SEED]` or `kmeans:K[:SEED]`.
 *
 * @example parseAnchorSpec("kmeans:100:0") // { method: "kmeans", k: 100, seed: 0 }
 */
export function parseAnchorSpec(value: string): { method: "random" | "kmeans"; n: number; seed: number } | { method: "dataset"; source: string } {
  const match = /^(random|kmeans):(\d+)(?::(-?\d+))?$/.exec(value);
  if (!match) return { method: "dataset", source: value };
  return { method: match[1] as "random" | "kmeans", n: Number(match[2]), seed: Number(match[3] ?? 0) };
}

interface JobStatus {
  jobId: string;
  status: string;
  progress: {
    candidates: number;
    candidatesScored: number;
    pairsScored: number;
    /** Absent from servers older than the one-shot cache. */
    pairsReused?: number;
    pairsTotal: number | null;
    shardsTotal: number | null;
    shardsDone: number;
    shardsFailed: number;
    pairsPerSecond: number | null;
    etaSeconds: number | null;
  };
  failures: { shard?: number; stage?: string; error: { message: string } }[];
}

/** One line a person can read. */
export function describeStatus(s: JobStatus): string {
  const p = s.progress;
  const reused = p.pairsReused ?? 0;
  const pairs = p.pairsTotal ? `${p.pairsScored + reused}/${p.pairsTotal} pairs` : `${p.candidatesScored}/${p.candidates} candidates`;
  const cache = reused > 0 ? `, ${reused} pairs from the cache` : "";
  const rate = p.pairsPerSecond ? `, ${p.pairsPerSecond.toFixed(1)} pairs/s` : "";
  const eta = p.etaSeconds && s.status === "running" ? `, ETA ${Math.ceil(p.etaSeconds)} s` : "";
  const failed = p.shardsFailed ? `, ${p.shardsFailed} shard(s) failed` : "";
  return `${s.jobId} ${s.status}: ${pairs}, shards ${p.shardsDone}/${p.shardsTotal ?? "?"}${failed}${cache}${rate}${eta}`;
}

const FINAL = new Set(["completed", "failed", "cancelled"]);

async function watch(client: ApiClient, jobId: string, intervalMs = 2000): Promise<JobStatus> {
  for (;;) {
    const status = await client.json<JobStatus>("GET", `/v1/nuggets/jobs/${jobId}`);
    process.stderr.write(`${describeStatus(status)}\n`);
    if (FINAL.has(status.status)) return status;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Writes a streamed response body to a file, or to stdout. */
async function download(res: Response, out: string | undefined): Promise<void> {
  const target = out ? createWriteStream(out) : process.stdout;
  if (!res.body) return;
  await pipeline(res.body as unknown as NodeJS.ReadableStream, target as Writable, { end: Boolean(out) });
}

/** `assay nuggets submit | status | results | cancel | retry`: the job API from a terminal or a CI step. */
export function registerNuggetsJobCommands(nuggets: Command): void {
  withApiOptions(
    nuggets
      .command("submit")
      .description("upload a dataset (if a file) and start a golden-score job on the API")
      .requiredOption("--dataset <file|id>", "the candidate pool: a JSON/JSONL file or a dataset id")
      .requiredOption("--anchors <spec>", "a file or dataset id, random:SIZE[:SEED] or kmeans:K[:SEED]")
      .requiredOption("--engine <name>", "a configured engine (see GET /v1/engines)")
      .option("--preset <name>", "paper (default) or reference", "paper")
      .option("--max-anchor-tokens <n>", "cap anchors at N tokens", (v) => Number(v))
      .option("--shard-size <n>", "candidates per shard", (v) => Number(v))
      .option("--thresholds <list>", "comma-separated GS thresholds to count", (v) => v.split(",").map(Number))
      .option("--select <T[,T…]>", "mode select: decide GS > T for each threshold, scoring each candidate only as far as that takes", parseThresholdList)
      .option("--select-seed <n>", "seed of each candidate's anchor order under --select", parseSeed)
      .option("--no-reuse", "score every pair again instead of reusing sums an earlier job computed")
      .option("--callback <url>", "POST a signed summary here when done")
      .option("--idempotency-key <key>", "a retried submit with the same key returns the same job")
      .option("--dry-run", "only estimate pairs, tokens and engine-hours")
      .option("--wait", "follow the job until it ends; exit 1 unless it completed")
      .option("--id-only", "print only the job's id (for scripts: JOB=$(assay nuggets submit … --id-only))"),
  ).action(async (opts: ApiOptions & Record<string, unknown>) => {
    const client = new ApiClient(apiTarget(opts));
    if (opts.select !== undefined && opts.thresholds !== undefined) {
      throw new ValidationError("give --select (the thresholds to decide) or --thresholds (to count), not both");
    }
    const anchorsSpec = parseAnchorSpec(String(opts.anchors));
    const body = {
      datasetId: await datasetId(client, String(opts.dataset), "candidates"),
      anchors:
        anchorsSpec.method === "dataset"
          ? { method: "dataset", datasetId: await datasetId(client, anchorsSpec.source, "anchors") }
          : anchorsSpec.method === "random"
            ? { method: "random", size: anchorsSpec.n, seed: anchorsSpec.seed }
            : { method: "kmeans", k: anchorsSpec.n, seed: anchorsSpec.seed },
      engine: opts.engine,
      preset: opts.preset,
      ...(opts.maxAnchorTokens !== undefined ? { maxAnchorTokens: opts.maxAnchorTokens } : {}),
      ...(opts.shardSize !== undefined ? { shardSize: opts.shardSize } : {}),
      ...(opts.thresholds !== undefined ? { thresholds: opts.thresholds } : {}),
      ...(opts.select !== undefined ? { mode: "select", thresholds: opts.select } : {}),
      ...(opts.selectSeed !== undefined ? { selectSeed: opts.selectSeed } : {}),
      ...(opts.reuse === false ? { reuse: false } : {}),
      ...(opts.callback !== undefined ? { callbackUrl: opts.callback } : {}),
      ...(opts.idempotencyKey !== undefined ? { idempotencyKey: opts.idempotencyKey } : {}),
      ...(opts.dryRun ? { dryRun: true } : {}),
    };
    const answer = await client.json<JobStatus & Record<string, unknown>>("POST", "/v1/nuggets/jobs", { json: body });
    const idOnly = Boolean(opts.idOnly) && !opts.dryRun;
    if (!idOnly) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    if (opts.wait && !opts.dryRun) {
      const final = await watch(client, answer.jobId);
      if (final.status !== "completed") process.exitCode = 1;
    }
    if (idOnly) process.stdout.write(`${answer.jobId}\n`);
  });

  withApiOptions(
    nuggets
      .command("status <jobId>")
      .description("a job's status and progress")
      .option("--watch", "follow until the job ends; exit 1 unless it completed"),
  ).action(async (jobId: string, opts: ApiOptions & { watch?: boolean }) => {
    const client = new ApiClient(apiTarget(opts));
    if (opts.watch) {
      const final = await watch(client, jobId);
      process.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
      if (final.status !== "completed") process.exitCode = 1;
      return;
    }
    const status = await client.json<JobStatus>("GET", `/v1/nuggets/jobs/${jobId}`);
    process.stderr.write(`${describeStatus(status)}\n`);
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  });

  withApiOptions(
    nuggets
      .command("results <jobId>")
      .description("the distribution summary (default), or downloads: scores, a subset, the histogram")
      .option("--scores <file>", "write scores.jsonl here ('-' for stdout)")
      .option("--raw", "with --scores: keep the per-anchor sums")
      .option("--threshold <t>", "write the subset GS > t (with --out)")
      .option("--top-percent <p>", "write the best p% (with --out)")
      .option("--out <file>", "where a subset goes ('-' for stdout)")
      .option("--svg <file>", "write the histogram as SVG"),
  ).action(async (jobId: string, opts: ApiOptions & Record<string, string | boolean | undefined>) => {
    const client = new ApiClient(apiTarget(opts));
    const base = `/v1/nuggets/jobs/${jobId}`;
    const file = (v: unknown) => (v === "-" ? undefined : String(v));
    if (opts.scores) {
      await download(await client.request("GET", `${base}/scores${opts.raw ? "?raw=true" : ""}`), file(opts.scores));
    }
    if (opts.threshold !== undefined || opts.topPercent !== undefined) {
      const query = opts.threshold !== undefined ? `threshold=${opts.threshold}` : `topPercent=${opts.topPercent}`;
      await download(await client.request("GET", `${base}/subset?${query}`), file(opts.out ?? "-"));
    }
    if (opts.svg) writeFileSync(String(opts.svg), await (await client.request("GET", `${base}/results/histogram.svg`)).text());
    if (!opts.scores && opts.threshold === undefined && opts.topPercent === undefined && !opts.svg) {
      process.stdout.write(`${JSON.stringify(await client.json("GET", `${base}/results`), null, 2)}\n`);
    }
  });

  withApiOptions(nuggets.command("cancel <jobId>").description("stop a job")).action(async (jobId: string, opts: ApiOptions) => {
    const client = new ApiClient(apiTarget(opts));
    process.stdout.write(`${JSON.stringify(await client.json("POST", `/v1/nuggets/jobs/${jobId}/cancel`), null, 2)}\n`);
  });

  withApiOptions(nuggets.command("retry <jobId>").description("re-enqueue the shards that went to the DLQ")).action(
    async (jobId: string, opts: ApiOptions) => {
      const client = new ApiClient(apiTarget(opts));
      process.stdout.write(`${JSON.stringify(await client.json("POST", `/v1/nuggets/jobs/${jobId}/retry`), null, 2)}\n`);
    },
  );
}
