/**
 * Variant (c): a NUGGETS job through the local stack's HTTP API (upload, POST, poll the status until `completed`),
 * and afterwards its stored records — scores to check against the engine-only variants, and the timestamps that
 * split the job's wall time into phases.
 */
import { JobManifestSchema, JobPreparedSchema, PieceHeaderSchema } from "../schemas/jobs.js";
import { NuggetsJobSpecSchema, NuggetsPreparedContextSchema } from "../schemas/nuggets-jobs.js";
import { NuggetsZeroShotRecordSchema, type NuggetsExample } from "../schemas/nuggets.js";
import { jobKeys } from "../shared/jobs/job-keys.js";
import { listPieces } from "../shared/jobs/pieces.js";
import type { ObjectStore } from "../shared/store/object-store.js";
import { busyWithin, epochMs, type Interval } from "./nuggets-engine-meter.js";
import type { CandidateOutcome, RunScores } from "./nuggets-engine-runs.js";

/** Where the API is and the key to call it with. */
export interface StackApi {
  readonly apiUrl: string;
  readonly apiKey: string;
}

async function call(api: StackApi, path: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(`${api.apiUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${api.apiKey}`, ...(init.headers as Record<string, string> | undefined) },
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${text.slice(0, 500)}`);
  return text === "" ? null : JSON.parse(text);
}

/** Uploads examples as JSONL; returns the dataset id. */
export async function uploadDataset(api: StackApi, examples: readonly NuggetsExample[]): Promise<string> {
  const body = examples.map((e) => JSON.stringify(e)).join("\n");
  const out = (await call(api, "/v1/datasets", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body })) as {
    id: string;
  };
  return out.id;
}

/** The job the bench submits. */
export interface PipelineJobRequest {
  readonly datasetId: string;
  readonly anchorSetId: string;
  readonly engine: string;
  readonly preset: "paper" | "reference";
  /** `null` keeps the preset's own cap. */
  readonly maxAnchorTokens: number | null;
  readonly shardSize: number;
}

/** When the job was posted and when its status was first seen `completed` (epoch ms), and how many polls that took. */
export interface PipelineJobRun {
  readonly jobId: string;
  readonly postedAt: number;
  readonly completedAt: number;
  readonly polls: number;
}

/** How {@link runPipelineJob} learns that the job is done. */
export interface CompletionWatch {
  /** Status polls at this interval (the fallback when there is no callback). */
  readonly pollMs: number;
  readonly timeoutMs: number;
  /** Sent as the job's `callbackUrl`; with `callbackArrived`, a callback triggers an immediate status check. */
  readonly callbackUrl?: string;
  readonly callbackArrived?: (jobId: string) => Promise<void>;
}

/**
 * POSTs the job and checks `GET /v1/nuggets/jobs/{id}` until it says `completed` (throws if it fails): every
 * `pollMs`, and at once when the job's completion callback arrives. `completedAt` is when that status answer came.
 */
export async function runPipelineJob(
  api: StackApi,
  request: PipelineJobRequest,
  watch: CompletionWatch,
  anchors: Record<string, unknown> = { method: "dataset", datasetId: request.anchorSetId },
): Promise<PipelineJobRun> {
  const postedAt = epochMs();
  const { anchorSetId: _anchorSetId, ...rest } = request;
  const created = (await call(api, "/v1/nuggets/jobs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      ...rest,
      anchors,
      ...(watch.callbackUrl ? { callbackUrl: watch.callbackUrl } : {}),
    }),
  })) as { jobId: string };
  const callback = watch.callbackArrived?.(created.jobId);
  let polls = 0;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<void>((resolve) => (timer = setTimeout(resolve, polls === 0 ? 0 : watch.pollMs)));
    await (callback ? Promise.race([tick, callback]) : tick);
    clearTimeout(timer);
    const status = (await call(api, `/v1/nuggets/jobs/${created.jobId}`)) as { status: string; failures?: unknown[] };
    polls++;
    if (status.status === "completed") return { jobId: created.jobId, postedAt, completedAt: epochMs(), polls };
    if (status.status === "failed" || status.status === "cancelled") {
      throw new Error(`job ${created.jobId} ${status.status}: ${JSON.stringify(status.failures ?? [])}`);
    }
    if (epochMs() - postedAt > watch.timeoutMs) throw new Error(`job ${created.jobId} still ${status.status} after ${watch.timeoutMs} ms`);
  }
}

/** The stored facts of a finished job that the bench reads back (outside the timing). */
export interface PipelineJobRecord {
  readonly scores: RunScores;
  /** `manifest.createdAt` (epoch ms): when the API accepted the job. */
  readonly createdAt: number;
  /** `prepared.preparedAt`: anchors tokenised, zero-shot sums stored. */
  readonly preparedAt: number;
  /** One per stored piece: when its scoring started and ended (epoch ms). */
  readonly pieces: readonly { shard: number; start: number; end: number }[];
}

/** Reads the job's raw scores (in candidate order), zero-shot sums and timestamps from the store. */
export async function readPipelineJob(store: ObjectStore, tenant: string, jobId: string, anchors: number): Promise<PipelineJobRecord> {
  const keys = jobKeys(tenant, jobId);
  const manifest = await store.getJson(keys.manifest, JobManifestSchema);
  const spec = NuggetsJobSpecSchema.parse(manifest.spec);
  const prepared = await store.getJson(keys.prepared, JobPreparedSchema);
  const context = NuggetsPreparedContextSchema.parse(prepared.context);
  const zero = await store.getJson(context.zeroShotKey, NuggetsZeroShotRecordSchema);
  const outcomes = new Map<number, CandidateOutcome>();
  const pieces: { shard: number; start: number; end: number }[] = [];
  for (const info of await listPieces(store, tenant, jobId)) {
    const [header, ...lines] = new TextDecoder().decode((await store.getBytes(info.key)).body).split("\n").filter((l) => l !== "");
    const h = PieceHeaderSchema.parse(JSON.parse(header!));
    const end = Date.parse(h.processedAt);
    pieces.push({ shard: h.shard, start: end - h.elapsedMs, end });
    for (const line of lines) {
      const r = JSON.parse(line) as { index: number; status: string; wins?: number; oneShot?: number[] };
      if (r.status !== "scored") throw new RangeError(`pipeline skipped candidate ${r.index}`);
      if (r.oneShot?.length !== anchors) throw new RangeError(`candidate ${r.index} has ${r.oneShot?.length} sums for ${anchors} anchors`);
      outcomes.set(r.index, { wins: r.wins!, oneShot: r.oneShot });
    }
  }
  const candidates = Array.from({ length: spec.candidates }, (_, i) => {
    const o = outcomes.get(i);
    if (!o) throw new RangeError(`candidate ${i} is missing from the job's pieces`);
    return o;
  });
  return {
    scores: { zeroShot: zero.zeroShot, candidates },
    createdAt: Date.parse(manifest.createdAt),
    preparedAt: Date.parse(prepared.preparedAt),
    pieces,
  };
}

/** One phase of a job's wall time, with how much of it the engine was busy. */
export interface PhaseTiming {
  readonly ms: number;
  readonly engineBusyMs: number;
}

/** A job's wall time split where the pipeline hands work on. Each phase's engine-idle time is overhead. */
export interface PipelinePhases {
  /** POST sent → manifest stored (API, validation, S3 write, enqueue `prepare`). */
  readonly accept: PhaseTiming;
  /** Manifest stored → `prepared.json` stored (queue hop, anchors, zero-shot on the engine, S3 writes). */
  readonly prepare: PhaseTiming;
  /** `prepared.json` → the first shard starts scoring (shard messages sent, queue hop, job context loaded). */
  readonly dispatch: PhaseTiming;
  /** First shard starts → last piece stored (scoring; pieces written). */
  readonly shards: PhaseTiming;
  /** Last piece stored → status first seen `completed` (aggregate message hop, merge, summary, status polling). */
  readonly finish: PhaseTiming;
  readonly total: PhaseTiming;
}

/**
 * Splits [postedAt, completedAt] at the records' timestamps. Record times have millisecond resolution and come from
 * the same clock, so phases are clamped to be non-negative and to add up to the total.
 */
export function pipelinePhases(run: Pick<PipelineJobRun, "postedAt" | "completedAt">, record: Omit<PipelineJobRecord, "scores">, busy: readonly Interval[]): PipelinePhases {
  const clamp = (t: number, lo: number) => Math.min(run.completedAt, Math.max(lo, t));
  const created = clamp(record.createdAt, run.postedAt);
  const prepared = clamp(record.preparedAt, created);
  const firstStart = clamp(Math.min(...record.pieces.map((p) => p.start)), prepared);
  const lastEnd = clamp(Math.max(...record.pieces.map((p) => p.end)), firstStart);
  const phase = (from: number, to: number): PhaseTiming => ({ ms: to - from, engineBusyMs: busyWithin(busy, from, to) });
  return {
    accept: phase(run.postedAt, created),
    prepare: phase(created, prepared),
    dispatch: phase(prepared, firstStart),
    shards: phase(firstStart, lastEnd),
    finish: phase(lastEnd, run.completedAt),
    total: phase(run.postedAt, run.completedAt),
  };
}
