/**
 * NUGGETS jobs: what a caller submits, what the NUGGETS kind stores beside the kernel's records (`schemas/jobs.ts`)
 * and what its routes answer.
 *
 * The kind's own objects, under the job's `prepare/` folder (create-once):
 * - `prepare/anchors.jsonl`            the chosen anchor examples, in anchor order
 * - `prepare/anchors-prepared.json`    the anchors tokenised with their answer spans ({@link NuggetsPreparedAnchorsSchema})
 * - `prepare/embeddings/{from}-{to}.json`   K-Means only: pool embeddings by range, so choosing anchors over a large
 *                                      pool checkpoints across invocations ({@link NuggetsEmbeddingChunkSchema})
 * The unit lines are `results/scores.jsonl` (one per candidate, {@link NuggetsCandidateScoreSchema} or an error line).
 * Zero-shot sums are cached per tenant at `t/{tenant}/cache/nuggets-zeroshot/{hash}.json`.
 */
import { z } from "@hono/zod-openapi";
import { EngineNameSchema } from "./common.js";
import { DatasetIdSchema } from "./datasets.js";
import { CallbackStateSchema, JobStatusSchema, JobStopSchema, ShardFailureSchema, StageFailureSchema, jobRequestCommonFields } from "./jobs.js";
import { NuggetsPresetNameSchema, NuggetsPresetSchema } from "./nuggets.js";

export const NuggetsJobIdSchema = z
  .string()
  .regex(/^nj_[0-9a-z]{20,32}$/, "NUGGETS job ids look like nj_ followed by lowercase letters and digits")
  .openapi({ example: "nj_01hzx3k9c4w7q2m5n8p0r6t1ab" });
/** @deprecated the NUGGETS id schema; kept under its old name for the NUGGETS routes. */
export const JobIdSchema = NuggetsJobIdSchema;

export const DEFAULT_THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9] as const;

/** How far each candidate is scored: every anchor, or until its thresholds are decided. */
export const NuggetsModeSchema = z.enum(["exhaustive", "select"]);
export type NuggetsMode = z.infer<typeof NuggetsModeSchema>;

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
    /**
     * Golden-score thresholds: the summary counts GS > t for each. In `select` mode they are what is decided, and
     * must be given.
     */
    thresholds: z.array(z.number().min(0).max(1)).min(1).max(20).optional(),
    /**
     * `exhaustive` (default): every candidate against every anchor, golden scores to the last anchor. `select`: each
     * candidate only until GS > t is decided for every threshold; the subsets are the exhaustive job's, exactly.
     */
    mode: NuggetsModeSchema.default("exhaustive"),
    /** `select`: the seed each candidate's anchor order is drawn from (with the candidate's content). */
    selectSeed: z.number().int().default(0),
    /**
     * Use one-shot sums an earlier job computed for the same model, preset, anchor cap, anchor set and example
     * (default true); false scores everything again. Results are the same either way.
     */
    reuse: z.boolean().default(true),
    ...jobRequestCommonFields,
    /** Candidates per shard message; default chosen so a shard fits well inside a Lambda's 15 minutes. */
    shardSize: z.number().int().min(1).max(10_000).optional(),
  })
  .strict()
  .openapi("CreateNuggetsJob");
export type CreateNuggetsJob = z.infer<typeof CreateNuggetsJobSchema>;

/** What the NUGGETS kind resolved when it accepted a job (`manifest.spec`). */
export const NuggetsJobSpecSchema = z.object({
  datasetId: DatasetIdSchema,
  candidates: z.number().int().min(1),
  anchors: AnchorSpecSchema,
  /** Anchors the job will have. */
  anchorCount: z.number().int().min(1),
  /** The dataset anchors are drawn from (random / kmeans) or read from (dataset). */
  anchorDatasetId: DatasetIdSchema,
  engine: z.string(),
  /** The engine's model at submission, recorded with the results. */
  model: z.string(),
  preset: NuggetsPresetSchema,
  thresholds: z.array(z.number()),
  mode: NuggetsModeSchema.default("exhaustive"),
  selectSeed: z.number().int().default(0),
  reuse: z.boolean().default(true),
});
export type NuggetsJobSpec = z.infer<typeof NuggetsJobSpecSchema>;

/** The kind's prepared context (`prepared.json` → `context`). */
export const NuggetsPreparedContextSchema = z.object({
  anchors: z.number().int().min(1),
  /** Indices into the dataset the anchors were drawn from (null for an uploaded anchor file: all of it). */
  anchorIndices: z.array(z.number().int()).nullable(),
  zeroShotKey: z.string(),
});
export type NuggetsPreparedContext = z.infer<typeof NuggetsPreparedContextSchema>;

/** `prepare/anchors-prepared.json`: each anchor's tokens (cut to the preset's limit) and answer span, in anchor order. */
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

/** `prepare/embeddings/{from}-{to}.json`: float32 vectors, base64, for pool examples [from, to). */
export const NuggetsEmbeddingChunkSchema = z.object({
  version: z.literal(1),
  from: z.number().int().min(0),
  to: z.number().int().min(1),
  dimensions: z.number().int().min(1),
  float32: z.string(),
});
export type NuggetsEmbeddingChunk = z.infer<typeof NuggetsEmbeddingChunkSchema>;

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
    kind: z.literal("nuggets"),
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
    mode: NuggetsModeSchema,
    /**
     * Pairs whose one-shot sums an earlier job already computed (the one-shot cache), exact for ≤ 2000 candidates,
     * else estimated from a seeded sample; null when the anchors are not known before the job runs (K-Means) or
     * `reuse` is false. The estimate of engine time leaves them out.
     */
    knownPairs: z
      .object({ count: z.number().int(), method: z.enum(["exact", "estimated"]), sampledCandidates: z.number().int() })
      .nullable(),
    estimatedEngineHours: z.number(),
    throughput: ThroughputEstimateSchema,
    shardSize: z.number().int(),
    shards: z.number().int(),
    maxUnitErrors: z.number().int(),
    preset: NuggetsPresetSchema,
  })
  .openapi("NuggetsJobPlan");
export type NuggetsJobPlan = z.infer<typeof NuggetsJobPlanSchema>;

/** `results/summary.json`: written last; its presence means the results are whole (or, `partial`, as whole as they get). */
export const NuggetsJobSummarySchema = z
  .object({
    version: z.literal(1),
    jobId: NuggetsJobIdSchema,
    /** `completed`, or `cancelled` / `failed` for a job that stopped early. */
    status: z.enum(["completed", "cancelled", "failed"]),
    /** True when the job stopped before every candidate was scored: these results cover `covered` candidates. */
    partial: z.boolean(),
    engine: z.string(),
    model: z.string(),
    preset: NuggetsPresetSchema,
    candidates: z.number().int(),
    covered: z.number().int(),
    anchors: z.number().int(),
    scored: z.number().int(),
    skipped: z.number().int(),
    /** Candidates whose scoring failed for a reason a retry cannot fix (error lines in scores.jsonl). */
    errors: z.number().int(),
    mode: NuggetsModeSchema.default("exhaustive"),
    /** `select`: the seed of the per-candidate anchor order. */
    selectSeed: z.number().int().nullable().default(null),
    /**
     * (candidate, anchor) comparisons the results rest on (from the engine or the one-shot cache), and what an
     * exhaustive job would have made over the same candidates.
     */
    pairs: z.object({ compared: z.number().int(), exhaustive: z.number().int() }).optional(),
    /** Golden scores in `bins` equal bins over [0, 1] (the last includes 1); null for a `select` job. */
    histogram: z.object({ bins: z.number().int(), counts: z.array(z.number().int()) }).nullable(),
    /** `winsCounts[w]` = candidates that beat the zero-shot on exactly w anchors (GS = w / anchors); null for `select`. */
    winsCounts: z.array(z.number().int()).nullable(),
    /**
     * Candidates with GS strictly greater than each threshold, and how many of them (in or out) a near tie could move
     * across it: their `goldenScoreRange` straddles the threshold (`select`: the verdict is in the line's `uncertain`).
     */
    thresholds: z.array(z.object({ threshold: z.number(), count: z.number().int(), uncertain: z.number().int() })),
    /** Comparisons inside the log-prob tolerance: pairs, and candidates with at least one. */
    nearTies: z.object({ pairs: z.number().int(), candidates: z.number().int() }),
    /** The best candidates by golden score; null for a `select` job (its golden scores are not computed to the end). */
    top: z
      .array(
        z.object({
          index: z.number().int(),
          goldenScore: z.number(),
          wins: z.number().int(),
          instruction: z.string(),
          input: z.string(),
        }),
      )
      .nullable(),
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

/** `GET /v1/nuggets/jobs/{jobId}`: the kernel's status in NUGGETS' terms. */
export const NuggetsJobStatusSchema = z
  .object({
    /** The job's id, as every resource answers it (`jobId` is the same). */
    id: NuggetsJobIdSchema,
    jobId: NuggetsJobIdSchema,
    kind: z.literal("nuggets"),
    status: z.enum(["queued", "preparing", "running", "aggregating", "completed", "failed", "cancelled"]),
    createdAt: z.string(),
    engine: z.string(),
    model: z.string(),
    preset: NuggetsPresetSchema,
    mode: NuggetsModeSchema,
    /** Why the job stopped early: a cancel, or more error lines than `maxUnitErrors`. */
    stop: JobStopSchema.nullable(),
    progress: z.object({
      candidates: z.number().int(),
      /** Candidates done: scored, skipped or error lines. */
      candidatesDone: z.number().int(),
      candidatesScored: z.number().int(),
      candidatesSkipped: z.number().int(),
      candidateErrors: z.number().int(),
      maxUnitErrors: z.number().int(),
      anchors: z.number().int().nullable(),
      /** Pairs the engine actually scored (skipped candidates score none; reused pairs are not counted). */
      pairsScored: z.number().int(),
      /** Pairs taken from the one-shot cache instead of the engine. */
      pairsReused: z.number().int(),
      pairsTotal: z.number().int().nullable(),
      shardsTotal: z.number().int().nullable(),
      shardsDone: z.number().int(),
      /** Shards whose message went to the DLQ (final failures). */
      shardsFailed: z.number().int(),
      pairsPerSecond: z.number().nullable(),
      etaSeconds: z.number().nullable(),
    }),
    /** Measured on this engine for NUGGETS: candidates/s, pairs/s, tokens/s, and per engine replica. */
    throughput: JobStatusSchema.shape.throughput,
    failures: z.array(z.union([ShardFailureSchema, StageFailureSchema])),
    /** True once results exist that cover only part of the candidates (a cancelled or failed job). */
    partialResults: z.boolean(),
    callback: CallbackStateSchema.nullable(),
    links: z.record(z.string(), z.string()),
  })
  .openapi("NuggetsJobStatus");
export type NuggetsJobStatus = z.infer<typeof NuggetsJobStatusSchema>;
