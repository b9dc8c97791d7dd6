/**
 * NUGGETS jobs: what a caller submits, what is stored under `t/{tenant}/jobs/{jobId}/`, and what travels on the queue.
 *
 * Storage layout (every object written create-once unless noted):
 * - `manifest.json`            the job as accepted ({@link NuggetsJobManifestSchema})
 * - `prepared.json`            anchors chosen and zero-shot scores referenced; the shard plan ({@link NuggetsJobPreparedSchema})
 * - `anchors.jsonl`            the chosen anchor examples, in anchor order
 * - `pieces/{shard}/{from}-{to}.jsonl`   scores for candidates [from, to) of a shard (a shard may checkpoint in pieces)
 * - `failures/{shard}.json`    the last failure of a shard (overwritten; `final` once it has gone to the DLQ)
 * - `cancel.json`              present once cancelled
 * - `results/scores.jsonl`, `results/summary.json`   the aggregate (summary written last)
 * - `callback.json`            delivery state of the completion callback (compare-and-swap)
 * - `anchors-prepared.json`    the anchors tokenised with their answer spans, so shards never re-tokenise them
 * - `shards-enqueued.json`     marker: every shard message has been sent (a redelivered prepare sends nothing)
 * - `failures/prepare.json`, `failures/aggregate.json`   the last failure of the job's other stages
 * Pieces start with one header line ({@link NuggetsPieceHeaderSchema}: timing, never copied into scores.jsonl); the
 * other lines are the exact lines of `results/scores.jsonl`, so aggregation copies them verbatim.
 * Zero-shot sums are cached per tenant at `t/{tenant}/cache/nuggets-zeroshot/{hash}.json`; an engine's measured
 * throughput at `t/{tenant}/cache/engine-throughput/{engine}.json` ({@link EngineThroughputSchema}).
 */
import { z } from "@hono/zod-openapi";
import { EngineNameSchema } from "./common.js";
import { DatasetIdSchema } from "./datasets.js";
import { NuggetsPresetNameSchema, NuggetsPresetSchema } from "./nuggets.js";

export const JobIdSchema = z
  .string()
  .regex(/^nj_[0-9a-z]{20,32}$/, "job ids look like nj_ followed by lowercase letters and digits")
  .openapi({ example: "nj_01hzx3k9c4w7q2m5n8p0r6t1" });

export const DEFAULT_THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9] as const;

/** Where the anchors come from. */
export const AnchorSpecSchema = z
  .discriminatedUnion("method", [
    z.object({ method: z.literal("dataset"), datasetId: DatasetIdSchema }).strict(),
    z
      .object({
        method: z.literal("random"),
        size: z.number().int().min(1).max(100_000),
        seed: z.number().int().default(0),
        /** Draw from this dataset; default: the candidate pool. */
        fromDatasetId: DatasetIdSchema.optional(),
      })
      .strict(),
    z
      .object({
        method: z.literal("kmeans"),
        k: z.number().int().min(1).max(10_000),
        seed: z.number().int().default(0),
        fromDatasetId: DatasetIdSchema.optional(),
      })
      .strict(),
  ])
  .openapi("AnchorSpec");
export type AnchorSpec = z.infer<typeof AnchorSpecSchema>;

/** `POST /v1/nuggets/jobs`. */
export const CreateNuggetsJobSchema = z
  .object({
    datasetId: DatasetIdSchema,
    anchors: AnchorSpecSchema,
    engine: EngineNameSchema,
    preset: NuggetsPresetNameSchema.default("paper"),
    maxAnchorTokens: z.number().int().positive().nullable().optional(),
    /** Candidates per shard message; default chosen so a shard fits well inside a Lambda's 15 minutes. */
    shardSize: z.number().int().min(1).max(10_000).optional(),
    thresholds: z.array(z.number().min(0).max(1)).min(1).max(20).optional(),
    /** https only; no private or loopback addresses (outside the local stack). */
    callbackUrl: z.url().max(2000).optional(),
    /** Count pairs and tokens and estimate engine time; store nothing, score nothing. */
    dryRun: z.boolean().default(false),
    /** Same key + same tenant = the same job (a retried POST does not start a second job). */
    idempotencyKey: z.string().min(1).max(128).optional(),
  })
  .strict()
  .openapi("CreateNuggetsJob");
export type CreateNuggetsJob = z.infer<typeof CreateNuggetsJobSchema>;

/** `manifest.json`: the job as accepted. Immutable. */
export const NuggetsJobManifestSchema = z.object({
  version: z.literal(1),
  jobId: JobIdSchema,
  tenant: z.string(),
  createdAt: z.string(),
  datasetId: DatasetIdSchema,
  candidates: z.number().int().min(1),
  anchors: AnchorSpecSchema,
  engine: z.string(),
  /** The engine's model at submission, recorded with the results. */
  model: z.string(),
  preset: NuggetsPresetSchema,
  shardSize: z.number().int().min(1),
  shards: z.number().int().min(1),
  thresholds: z.array(z.number()),
  callbackUrl: z.string().nullable(),
  /** Hash of the request that created the job: a repeated idempotency key with a different body is a conflict. */
  requestHash: z.string().optional(),
});
export type NuggetsJobManifest = z.infer<typeof NuggetsJobManifestSchema>;

/** `prepared.json`: written once anchors and zero-shot scores exist; shards are enqueued after it. */
export const NuggetsJobPreparedSchema = z.object({
  version: z.literal(1),
  anchors: z.number().int().min(1),
  /** Indices into the dataset the anchors were drawn from (null for an uploaded anchor file: all of it). */
  anchorIndices: z.array(z.number().int()).nullable(),
  zeroShotKey: z.string(),
  preparedAt: z.string(),
});
export type NuggetsJobPrepared = z.infer<typeof NuggetsJobPreparedSchema>;

/** A shard's failure, as the job reports it. */
export const ShardFailureSchema = z.object({
  version: z.literal(1),
  shard: z.number().int().min(0),
  attempts: z.number().int().min(1),
  /** True once the message has exhausted its receives and sits in the DLQ. */
  final: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }),
  at: z.string(),
});
export type ShardFailure = z.infer<typeof ShardFailureSchema>;

/** Queue messages: ids and ranges only; the data stays in S3. */
export const NuggetsMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("prepare"), tenant: z.string(), jobId: JobIdSchema }),
  z.object({
    type: z.literal("shard"),
    tenant: z.string(),
    jobId: JobIdSchema,
    shard: z.number().int().min(0),
    /** Candidate range [from, to) still to score; a checkpointed remainder starts later than the shard. */
    from: z.number().int().min(0),
    to: z.number().int().min(1),
  }),
  z.object({ type: z.literal("aggregate"), tenant: z.string(), jobId: JobIdSchema }),
]);
export type NuggetsMessage = z.infer<typeof NuggetsMessageSchema>;

/** `anchors-prepared.json`: each anchor's tokens (cut to the preset's limit) and answer span, in anchor order. */
export const NuggetsPreparedAnchorsSchema = z.object({
  version: z.literal(1),
  anchors: z.array(
    z.object({
      tokens: z.array(z.number().int()),
      spanStart: z.number().int().min(0),
      spanEnd: z.number().int().min(0),
      queryTokens: z.number().int().min(0),
      fullTokens: z.number().int().min(0),
    }),
  ),
});
export type NuggetsPreparedAnchors = z.infer<typeof NuggetsPreparedAnchorsSchema>;

/** `shards-enqueued.json`: written after every shard message was sent. */
export const NuggetsShardsEnqueuedSchema = z.object({ version: z.literal(1), shards: z.number().int().min(1) });

/** `cancel.json`. */
export const NuggetsCancelSchema = z.object({ version: z.literal(1), cancelledAt: z.string() });

/** First line of every piece: when and how fast it was scored (kept out of scores.jsonl so that stays reproducible). */
export const NuggetsPieceHeaderSchema = z.object({
  piece: z.literal(1),
  shard: z.number().int().min(0),
  from: z.number().int().min(0),
  to: z.number().int().min(1),
  scoredAt: z.string(),
  elapsedMs: z.number().min(0),
  pairs: z.number().int().min(0),
  tokens: z.number().int().min(0),
});
export type NuggetsPieceHeader = z.infer<typeof NuggetsPieceHeaderSchema>;

/** `failures/prepare.json` / `failures/aggregate.json`: a failure of a job-wide stage. */
export const StageFailureSchema = z.object({
  version: z.literal(1),
  stage: z.enum(["prepare", "aggregate"]),
  attempts: z.number().int().min(1),
  final: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }),
  at: z.string(),
});
export type StageFailure = z.infer<typeof StageFailureSchema>;

/** `callback.json`: delivery state of the completion callback; changed only by compare-and-swap. */
export const CallbackStateSchema = z.object({
  version: z.literal(1),
  /** `sending`: claimed by a worker until `claimedAt` + lease; `rejected`: the receiver answered 4xx (not retried). */
  status: z.enum(["sending", "delivered", "failed", "rejected"]),
  attempts: z.number().int().min(0),
  claimedAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  responseStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
});
export type CallbackState = z.infer<typeof CallbackStateSchema>;

/** An engine's throughput as measured from completed shards (moving average). */
export const EngineThroughputSchema = z.object({
  version: z.literal(1),
  engine: z.string(),
  model: z.string(),
  pairsPerSecond: z.number().positive(),
  tokensPerSecond: z.number().positive(),
  samples: z.number().int().min(1),
  updatedAt: z.string(),
});
export type EngineThroughput = z.infer<typeof EngineThroughputSchema>;

/** Throughput an estimate used, and where it came from. */
export const ThroughputEstimateSchema = z.object({
  pairsPerSecond: z.number().positive(),
  tokensPerSecond: z.number().positive().nullable(),
  source: z.enum(["history", "probe", "assumed"]),
});
export type ThroughputEstimate = z.infer<typeof ThroughputEstimateSchema>;

/** A dry run's answer: what the job would cost. Nothing is stored. */
export const NuggetsJobPlanSchema = z
  .object({
    dryRun: z.literal(true),
    candidates: z.number().int(),
    anchors: z.number().int(),
    pairs: z.number().int(),
    /** Tokens the engine prefills over all one-shot prompts (BOS + candidate + anchor, per pair). */
    tokens: z.object({
      count: z.number().int(),
      method: z.enum(["exact", "estimated"]),
      /** Candidates tokenised to estimate from (all of them when exact). */
      sampledCandidates: z.number().int(),
      sampledAnchors: z.number().int(),
    }),
    /** Candidates whose one-shot prompt would not fit the context (exact or estimated, as `tokens.method`). */
    skippedCandidates: z.number().int(),
    estimatedEngineHours: z.number(),
    throughput: ThroughputEstimateSchema,
    shardSize: z.number().int(),
    shards: z.number().int(),
    preset: NuggetsPresetSchema,
  })
  .openapi("NuggetsJobPlan");
export type NuggetsJobPlan = z.infer<typeof NuggetsJobPlanSchema>;

/** `results/summary.json`: written last; its presence means the job is complete. */
export const NuggetsJobSummarySchema = z
  .object({
    version: z.literal(1),
    jobId: JobIdSchema,
    engine: z.string(),
    model: z.string(),
    preset: NuggetsPresetSchema,
    candidates: z.number().int(),
    anchors: z.number().int(),
    scored: z.number().int(),
    skipped: z.number().int(),
    /** Golden scores in `bins` equal bins over [0, 1] (the last includes 1). */
    histogram: z.object({ bins: z.number().int(), counts: z.array(z.number().int()) }),
    /** `winsCounts[w]` = candidates that beat the zero-shot on exactly w anchors (GS = w / anchors). */
    winsCounts: z.array(z.number().int()),
    /** Candidates with GS strictly greater than each threshold. */
    thresholds: z.array(z.object({ threshold: z.number(), count: z.number().int() })),
    top: z.array(
      z.object({
        index: z.number().int(),
        goldenScore: z.number(),
        wins: z.number().int(),
        instruction: z.string(),
        input: z.string(),
      }),
    ),
    timings: z.object({
      preparedAt: z.string(),
      /** The latest piece's time: taken from the inputs so a re-run writes the same bytes. */
      finishedAt: z.string(),
      wallSeconds: z.number(),
      /** Sum over pieces of the time spent scoring. */
      engineSeconds: z.number(),
      pairsPerSecond: z.number().nullable(),
    }),
  })
  .openapi("NuggetsJobSummary");
export type NuggetsJobSummary = z.infer<typeof NuggetsJobSummarySchema>;

/** `GET /v1/nuggets/jobs/{jobId}`: derived from the stored objects, never from counters. */
export const NuggetsJobStatusSchema = z
  .object({
    jobId: JobIdSchema,
    status: z.enum(["queued", "preparing", "running", "aggregating", "completed", "failed", "cancelled"]),
    createdAt: z.string(),
    engine: z.string(),
    model: z.string(),
    preset: NuggetsPresetSchema,
    progress: z.object({
      candidates: z.number().int(),
      candidatesScored: z.number().int(),
      anchors: z.number().int().nullable(),
      pairsScored: z.number().int(),
      pairsTotal: z.number().int().nullable(),
      shardsTotal: z.number().int(),
      shardsDone: z.number().int(),
      /** Shards whose message went to the DLQ (final failures). */
      shardsFailed: z.number().int(),
      pairsPerSecond: z.number().nullable(),
      etaSeconds: z.number().nullable(),
    }),
    failures: z.array(z.union([ShardFailureSchema, StageFailureSchema])),
    callback: CallbackStateSchema.nullable(),
    links: z.record(z.string(), z.string()),
  })
  .openapi("NuggetsJobStatus");
export type NuggetsJobStatus = z.infer<typeof NuggetsJobStatusSchema>;
