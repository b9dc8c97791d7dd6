/**
 * The job kernel's records: what every job kind shares. A kind adds its own request fields, its `spec` (what the
 * kind resolved when the job was accepted), its `prepared` context and its summary; the kernel owns the envelope.
 *
 * Storage layout under `t/{tenant}/jobs/{jobId}/` (every object create-once unless noted):
 * - `manifest.json`                    the job as accepted ({@link JobManifestSchema})
 * - `prepared.json`                    units, shard plan and the kind's prepared context ({@link JobPreparedSchema})
 * - `shards-enqueued.json`             marker: every shard message was sent ({@link ShardsEnqueuedSchema})
 * - `prepare/…`                        a kind's prepare checkpoints (e.g. K-Means embeddings by range)
 * - `pieces/{shard}/{from}-{to}.jsonl` unit lines for units [from, to) of a shard, numbers zero-padded so keys sort
 *                                      numerically; first line a {@link PieceHeaderSchema}
 * - `progress/{block}.json`            which shards are complete, with their outcome counts (compare-and-swap)
 * - `failures/{shard}.json`, `failures/prepare.json`, `failures/aggregate.json`   the last failure of a message
 *                                      (overwritten; `final` once the queue dead-letters it)
 * - `stop.json`                        present once the job was cancelled or passed its unit-error threshold
 * - `results/cut.json`                 the pieces aggregation reads, fixed by the first aggregator
 * - `results/{linesFile}`              every unit's line in unit order (streamed, multipart)
 * - `results/{file}`                   the kind's report files
 * - `results/summary.json`             written last: its presence means the results are whole
 * - `callback.json`                    delivery state of the completion callback (compare-and-swap)
 * Beside the jobs: `t/{tenant}/job-index/{inverted time}-{jobId}.json` (listing, newest first) and
 * `t/{tenant}/cache/throughput/{kind}/{costKey}.json` (measured unit cost per kind and engine).
 */
import { z } from "@hono/zod-openapi";

/** A job id: the kind's prefix, `_`, then 26 lowercase hex digits (older NUGGETS ids may be 20–32 characters). */
export const JobIdSchema = z
  .string()
  .regex(/^[a-z]{2,8}_[0-9a-z]{20,32}$/, "job ids look like nj_ followed by lowercase letters and digits")
  .openapi({ example: "nj_01hzx3k9c4w7q2m5n8p0r6t1ab" });

/** The largest unit index and shard number the key layout pads for. */
export const MAX_UNITS = 1e12;
export const MAX_SHARDS = 1e6;

/** Request fields every kind accepts, beside its own. */
export const jobRequestCommonFields = {
  /** Units per shard message; default chosen from the kind's measured unit cost so a shard fits well inside a worker's time. */
  shardSize: z.number().int().min(1).max(1_000_000).optional(),
  /** Units that may end as error lines before the job fails (a unit that can never succeed is a result, not a crash). */
  maxUnitErrors: z.number().int().min(0).optional(),
  /** https only; no private or loopback addresses (outside the local stack). */
  callbackUrl: z.url().max(2000).optional(),
  /** Same key + same tenant = the same job (a retried POST does not start a second job). */
  idempotencyKey: z.string().min(1).max(128).optional(),
  /** Plan the job (units, engine time, shards) and store nothing. */
  dryRun: z.boolean().default(false),
};
export type JobRequestCommon = {
  shardSize?: number | undefined;
  maxUnitErrors?: number | undefined;
  callbackUrl?: string | undefined;
  idempotencyKey?: string | undefined;
  dryRun: boolean;
};

/** `manifest.json`: the job as accepted. Immutable. */
export const JobManifestSchema = z.object({
  version: z.literal(2),
  jobId: JobIdSchema,
  kind: z.string(),
  tenant: z.string(),
  createdAt: z.string(),
  /** The request as validated (defaults applied, `dryRun` and `idempotencyKey` dropped). */
  request: z.record(z.string(), z.unknown()),
  /** What the kind resolved at submission (engine model, preset, counts…), validated by the kind's schema. */
  spec: z.record(z.string(), z.unknown()),
  /** Units the job will have when known at submission (prepare fixes the number). */
  unitsHint: z.number().int().min(0).nullable(),
  /** Throughput is measured and kept per kind and this key (the engine, or the engines, a unit calls). */
  costKey: z.string(),
  /** The model(s) behind `costKey` at submission: a measurement taken on another model is not reused. */
  model: z.string(),
  /** The kind's guess of units per second, used to size shards until (kind, costKey) has been measured. */
  assumedUnitsPerSecond: z.number().positive(),
  maxUnitErrors: z.number().int().min(0),
  callbackUrl: z.string().nullable(),
  /** Hash of the request: a repeated idempotency key with a different body is a conflict. */
  requestHash: z.string(),
});
export type JobManifest = z.infer<typeof JobManifestSchema>;

/** `prepared.json`: written once the kind's prepare is done; shards are enqueued after it. */
export const JobPreparedSchema = z.object({
  version: z.literal(2),
  units: z.number().int().min(0).max(MAX_UNITS),
  shardSize: z.number().int().min(1),
  shards: z.number().int().min(0).max(MAX_SHARDS),
  /** How the shard size was chosen. */
  sizing: z.object({
    source: z.enum(["request", "history", "assumed"]),
    unitsPerSecond: z.number().positive().nullable(),
    targetShardSeconds: z.number().positive(),
  }),
  preparedAt: z.string(),
  /** The kind's prepared context (validated by the kind's schema). */
  context: z.record(z.string(), z.unknown()),
});
export type JobPrepared = z.infer<typeof JobPreparedSchema>;

/** `shards-enqueued.json`. */
export const ShardsEnqueuedSchema = z.object({ version: z.literal(1), shards: z.number().int().min(0) });

/** Counters by name (outcomes such as `scored`, `skipped`, `error`; work such as `pairs`, `tokens`). */
export const CountsSchema = z.record(z.string(), z.number());
export type Counts = z.infer<typeof CountsSchema>;

/** What one engine replica did while a piece was processed (deltas of its counters). */
export const ReplicaDeltaSchema = z.object({
  requests: z.number().int().min(0),
  failures: z.number().int().min(0),
  busyMs: z.number().min(0),
  circuit: z.enum(["closed", "open", "half-open"]),
});
export type ReplicaDelta = z.infer<typeof ReplicaDeltaSchema>;

/** A replica's measured throughput on a kind (moving averages); ids only, never an address. */
export const ReplicaThroughputSchema = z
  .object({
    id: z.string(),
    requestsPerSecond: z.number().min(0),
    /** Share of its calls that failed. */
    failureRate: z.number().min(0).max(1),
    /** Share of the time it had a call in flight. */
    busyFraction: z.number().min(0),
    /** As last seen: "open" = ejected by its circuit breaker. */
    circuit: z.enum(["closed", "open", "half-open"]),
  })
  .openapi("ReplicaThroughput");
export type ReplicaThroughput = z.infer<typeof ReplicaThroughputSchema>;

/** First line of every piece. Kept out of the results file so that stays a function of the unit lines alone. */
export const PieceHeaderSchema = z.object({
  piece: z.literal(2),
  shard: z.number().int().min(0),
  from: z.number().int().min(0),
  to: z.number().int().min(1),
  processedAt: z.string(),
  elapsedMs: z.number().min(0),
  /** Units by outcome (`error` for error lines). */
  outcomes: CountsSchema,
  /** The kind's work counters (e.g. NUGGETS: pairs and tokens scored). */
  work: CountsSchema,
  /** Per engine replica, what it did meanwhile (engines that report replica statistics). */
  replicas: z.record(z.string(), ReplicaDeltaSchema).optional(),
});
export type PieceHeader = z.infer<typeof PieceHeaderSchema>;

/** `progress/{block}.json`: shards of one block (4096) that are complete, and what they hold. */
export const ProgressBlockSchema = z.object({
  version: z.literal(1),
  block: z.number().int().min(0),
  /** Shards in this block. */
  shards: z.number().int().min(1),
  /** Bit i set = shard block × 4096 + i is complete (base64). */
  done: z.string(),
  doneCount: z.number().int().min(0),
  units: z.number().int().min(0),
  outcomes: CountsSchema,
  work: CountsSchema,
  elapsedMs: z.number().min(0),
  /** The latest piece time of the shards counted here (not the clock: a redelivery writes the same bytes). */
  lastAt: z.string().nullable(),
});
export type ProgressBlock = z.infer<typeof ProgressBlockSchema>;

/** `stop.json`: why a job stopped before every unit was processed. */
export const JobStopSchema = z.object({
  version: z.literal(1),
  reason: z.enum(["cancelled", "unit-errors"]),
  at: z.string(),
  message: z.string(),
});
export type JobStop = z.infer<typeof JobStopSchema>;

const FailureCommon = {
  version: z.literal(1),
  attempts: z.number().int().min(1),
  /** True once the message has exhausted its receives and sits in the DLQ. */
  final: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }),
  at: z.string(),
};

/** A shard's failure, as the job reports it. */
export const ShardFailureSchema = z.object({ ...FailureCommon, shard: z.number().int().min(0) }).openapi("ShardFailure");
export type ShardFailure = z.infer<typeof ShardFailureSchema>;

/** A failure of a job-wide stage. */
export const StageFailureSchema = z
  .object({ ...FailureCommon, stage: z.enum(["prepare", "aggregate"]) })
  .openapi("StageFailure");
export type StageFailure = z.infer<typeof StageFailureSchema>;

/** `results/cut.json`: the pieces the results are made of, in unit order, and how many leading lines each skips. */
export const ResultsCutSchema = z.object({
  version: z.literal(1),
  partial: z.boolean(),
  units: z.number().int().min(0),
  pieces: z.array(z.object({ key: z.string(), from: z.number().int(), to: z.number().int(), skip: z.number().int().min(0) })),
});
export type ResultsCut = z.infer<typeof ResultsCutSchema>;

/** `callback.json`: delivery state of the completion callback; changed only by compare-and-swap. */
export const CallbackStateSchema = z
  .object({
    version: z.literal(1),
    /** `sending`: claimed by a worker until `claimedAt` + lease; `rejected`: the receiver answered 4xx (not retried). */
    status: z.enum(["sending", "delivered", "failed", "rejected"]),
    attempts: z.number().int().min(0),
    claimedAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    responseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
  })
  .openapi("CallbackState");
export type CallbackState = z.infer<typeof CallbackStateSchema>;

/** The measured cost of a kind's units on one engine (moving averages). */
export const ThroughputRecordSchema = z.object({
  version: z.literal(2),
  kind: z.string(),
  costKey: z.string(),
  model: z.string(),
  unitsPerSecond: z.number().positive(),
  /** Work counters per second (NUGGETS: pairs, tokens). */
  rates: CountsSchema,
  /** Per engine replica (engines that report replica statistics). */
  replicas: z.array(ReplicaThroughputSchema).optional(),
  samples: z.number().int().min(1),
  updatedAt: z.string(),
});
export type ThroughputRecord = z.infer<typeof ThroughputRecordSchema>;

/** What `retry` re-enqueued. */
export const RetryResultSchema = z
  .object({ shards: z.array(z.number().int()), stages: z.array(z.string()), messages: z.number().int() })
  .openapi("RetryResult");

/** One entry of `t/{tenant}/job-index/`. */
export const JobIndexEntrySchema = z.object({
  version: z.literal(1),
  jobId: JobIdSchema,
  kind: z.string(),
  createdAt: z.string(),
});
export type JobIndexEntry = z.infer<typeof JobIndexEntrySchema>;

/** Queue messages: ids and ranges only; the data stays in S3. */
export const JobMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("prepare"), kind: z.string(), tenant: z.string(), jobId: JobIdSchema }),
  z.object({
    type: z.literal("shard"),
    kind: z.string(),
    tenant: z.string(),
    jobId: JobIdSchema,
    shard: z.number().int().min(0),
    /** Unit range [from, to) still to process; a checkpointed remainder starts later than the shard. */
    from: z.number().int().min(0),
    to: z.number().int().min(1),
  }),
  z.object({ type: z.literal("aggregate"), kind: z.string(), tenant: z.string(), jobId: JobIdSchema }),
]);
export type JobMessage = z.infer<typeof JobMessageSchema>;
export type ShardMessage = Extract<JobMessage, { type: "shard" }>;

export const JobStatusNameSchema = z.enum(["queued", "preparing", "running", "aggregating", "completed", "failed", "cancelled"]);
export type JobStatusName = z.infer<typeof JobStatusNameSchema>;

/** `GET /v1/jobs/{id}`: derived from what is stored, never from counters a redelivery could inflate. */
export const JobStatusSchema = z
  .object({
    /** Every resource answers its own id as `id` (the same as `jobId` here); fields naming another resource are `<resource>Id`. */
    id: JobIdSchema,
    jobId: JobIdSchema,
    kind: z.string(),
    status: JobStatusNameSchema,
    createdAt: z.string(),
    costKey: z.string(),
    model: z.string(),
    /** Why the job stopped early (cancel, or more error lines than `maxUnitErrors`). */
    stop: JobStopSchema.nullable(),
    progress: z.object({
      /** Null until prepared when the kind could not count its units at submission. */
      units: z.number().int().nullable(),
      unitsDone: z.number().int(),
      /** Units done, by outcome (`error`: error lines). */
      outcomes: CountsSchema,
      unitErrors: z.number().int(),
      maxUnitErrors: z.number().int(),
      shardsTotal: z.number().int().nullable(),
      shardsDone: z.number().int(),
      /** Shards whose message went to the DLQ (final failures). */
      shardsFailed: z.number().int(),
      work: CountsSchema,
      unitsPerSecond: z.number().nullable(),
      etaSeconds: z.number().nullable(),
    }),
    /** Measured on this kind and engine: units per second, work per second (per replica where the engine reports it). */
    throughput: z
      .object({
        unitsPerSecond: z.number(),
        rates: CountsSchema,
        replicas: z.array(ReplicaThroughputSchema),
        samples: z.number().int(),
        updatedAt: z.string(),
      })
      .nullable(),
    failures: z.array(z.union([ShardFailureSchema, StageFailureSchema])),
    /** True once results exist that cover only part of the units (a cancelled or failed job). */
    partialResults: z.boolean(),
    callback: CallbackStateSchema.nullable(),
    links: z.record(z.string(), z.string()),
  })
  .openapi("JobStatus");
export type JobStatus = z.infer<typeof JobStatusSchema>;
