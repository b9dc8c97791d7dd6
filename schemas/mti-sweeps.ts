/**
 * MTI-Bench sweeps: the unit lines a sweep writes (`results/units.jsonl`), the summary its aggregation computes, and the
 * release gate a CI pipeline submits with it.
 *
 * A unit is one (engine, mode, run, instance) — a pair of instances under Batch Prompting — so Single-Task
 * Inference's chain of calls stays inside one unit. Its line records, per instance, each step's parsed and
 * normalised answer against the gold, and every engine call's wall-clock and token counts.
 */
import { z } from "@hono/zod-openapi";
import { JinjaChatTemplateSpecSchema } from "./chat-templates.js";
import { EngineNameSchema } from "./common.js";
import { DatasetIdSchema } from "./datasets.js";
import { jobRequestCommonFields } from "./jobs.js";

/** The three ways of prompting a multi-step instance (REFERENCE.md §3). */
export const MtiModeSchema = z.enum(["multi", "single", "batch"]);
export type MtiMode = z.infer<typeof MtiModeSchema>;

/** One step of one instance, as scored. */
export const MtiStepResultSchema = z
  .object({
    /** 1-based step number (the `N` of `<taskN>`). */
    step: z.number().int().min(1),
    /** The tag's content, stripped; null when the output had no `<taskN>…<taskN/>`. */
    parsed: z.string().nullable(),
    /** What the authors' `str(eval(…))` would print for `parsed`; null when parsed is null. */
    normalised: z.string().nullable(),
    /** The gold answer as Python prints it. */
    gold: z.string(),
    match: z.boolean(),
    /** Whether the answer was found only through the lenient `</taskN>` closing tag (counted separately). */
    lenient: z.boolean().default(false),
    /** False when the step was not scored (Batch Prompting scored on step 1 only, as the authors do). */
    scored: z.boolean().default(true),
    /** Free-form tasks: ROUGE-L F1 of the answer against the reference (`match` is then false). */
    rougeL: z.number().min(0).max(1).optional(),
  })
  .strict();
export type MtiStepResult = z.infer<typeof MtiStepResultSchema>;

/** One engine call, as measured (under Batch Prompting both instances of the pair list the same call). */
export const MtiCallRecordSchema = z
  .object({
    /** The step the call answered; 0 for Multi-Task Inference's one call for every step. */
    step: z.number().int().min(0),
    seconds: z.number().min(0),
    promptTokens: z.number().int().min(0),
    outputTokens: z.number().int().min(0),
    /** The context left less room than `maxTokens`, so generation was capped to it. */
    capped: z.boolean(),
  })
  .strict();
export type MtiCallRecord = z.infer<typeof MtiCallRecordSchema>;

/** One instance inside a unit. */
export const MtiInstanceResultSchema = z
  .object({
    uid: z.string(),
    task: z.string(),
    steps: z.array(MtiStepResultSchema).min(1),
    /** Wall-clock seconds spent on this instance's engine calls (half of each shared call under Batch Prompting). */
    seconds: z.number().min(0),
    promptTokens: z.number().int().min(0),
    outputTokens: z.number().int().min(0),
    calls: z.number().int().min(0),
    /** Every call this instance took part in, in order: wall-clock, tokens. */
    callLog: z.array(MtiCallRecordSchema),
  })
  .strict();
export type MtiInstanceResult = z.infer<typeof MtiInstanceResultSchema>;

/** A unit's line in `results/units.jsonl`. */
export const MtiUnitLineSchema = z
  .object({
    unit: z.number().int().min(0),
    engine: EngineNameSchema,
    mode: MtiModeSchema,
    run: z.number().int().min(0),
    instances: z.array(MtiInstanceResultSchema).min(1).max(2),
  })
  .strict();
export type MtiUnitLine = z.infer<typeof MtiUnitLineSchema>;

/** The error line of a unit that could not be completed (an engine that refused the prompt, say). */
export const MtiUnitErrorLineSchema = z
  .object({
    unit: z.number().int().min(0),
    engine: EngineNameSchema,
    mode: MtiModeSchema,
    run: z.number().int().min(0),
    uids: z.array(z.string()).min(1).max(2),
    tasks: z.array(z.string()).min(1).max(2),
    error: z.object({ code: z.string(), message: z.string() }).strict(),
  })
  .strict();
export type MtiUnitErrorLine = z.infer<typeof MtiUnitErrorLineSchema>;

/** A mean over runs with its spread (the paper averages 3 runs). */
export const RunStatSchema = z
  .object({
    mean: z.number().nullable(),
    min: z.number().nullable(),
    max: z.number().nullable(),
    /** Sample standard deviation over runs; null with fewer than two runs. */
    sd: z.number().nullable(),
    runs: z.number().int().min(0),
  })
  .strict();
export type RunStat = z.infer<typeof RunStatSchema>;

/** Accuracy of one group of instances (a task, a subset or a whole mode) under one engine and mode. */
export const MtiAccuracySchema = z
  .object({
    /** Instances scored per run (error lines excluded). */
    instances: z.number().int().min(0),
    /** Instances that ended as error lines, summed over runs. */
    errors: z.number().int().min(0),
    /** Per step: fraction of instances whose step is right. */
    stepAccuracy: z.array(RunStatSchema),
    /** Per step: fraction whose steps 1..s are all right. */
    conditionalAccuracy: z.array(RunStatSchema),
    /** Every scored step right. */
    finalAccuracy: RunStatSchema,
    /** Answers found only through the lenient closing tag, summed over runs. */
    lenientAnswers: z.number().int().min(0),
    /** Free-form tasks: mean ROUGE-L per step (empty for exact-match tasks). */
    stepRougeL: z.array(RunStatSchema),
    /** Free-form tasks: mean ROUGE-L over every scored step; null for exact-match tasks. */
    rougeL: RunStatSchema.nullable(),
  })
  .strict();
export type MtiAccuracy = z.infer<typeof MtiAccuracySchema>;

/** Latency of one engine and mode. */
export const MtiLatencySchema = z
  .object({
    instances: z.number().int().min(0),
    calls: z.number().int().min(0),
    /** Mean wall-clock seconds per instance. */
    secondsPerInstance: z.number().nullable(),
    promptTokensPerInstance: z.number().nullable(),
    outputTokensPerInstance: z.number().nullable(),
  })
  .strict();
export type MtiLatency = z.infer<typeof MtiLatencySchema>;

/** Everything measured for one engine and mode. */
export const MtiModeReportSchema = z
  .object({
    engine: EngineNameSchema,
    mode: MtiModeSchema,
    overall: MtiAccuracySchema,
    tasks: z.record(z.string(), MtiAccuracySchema),
    subsets: z.record(z.string(), MtiAccuracySchema),
    latency: MtiLatencySchema,
  })
  .strict();
export type MtiModeReport = z.infer<typeof MtiModeReportSchema>;

/** One check of a gate and how it went. */
export const GateCheckSchema = z
  .object({
    /** Readable, e.g. `final accuracy of multi on tiny ≥ 0.3`. */
    name: z.string(),
    kind: z.enum(["minFinalAccuracy", "maxLatencyRatio", "baselineRegression", "complete"]),
    engine: z.string(),
    /** The measured value; null when the sweep did not measure it (the check then fails). */
    actual: z.number().nullable(),
    /** The bound the value was held to. */
    limit: z.number(),
    passed: z.boolean(),
    reason: z.string().optional(),
  })
  .strict();
export type GateCheck = z.infer<typeof GateCheckSchema>;

export const GateResultSchema = z
  .object({
    verdict: z.enum(["pass", "fail"]),
    checks: z.array(GateCheckSchema),
    failed: z.array(GateCheckSchema),
  })
  .strict();
export type GateResult = z.infer<typeof GateResultSchema>;

/** What a release gate requires. Every check applies to every engine of the sweep unless it names one. */
export const MtiGateSchema = z
  .object({
    /** Final accuracy (mean over runs) at least `min`, for a mode overall, or one subset, or one task. */
    minFinalAccuracy: z
      .array(
        z
          .object({
            mode: MtiModeSchema,
            min: z.number().min(0).max(1),
            subset: z.string().min(1).max(100).optional(),
            task: z.string().min(1).max(100).optional(),
            engine: EngineNameSchema.optional(),
          })
          .strict()
          .refine((c) => c.subset === undefined || c.task === undefined, "a check names a subset or a task, not both"),
      )
      .max(200)
      .default([]),
    /** Seconds per instance of `mode` divided by those of `relativeTo` at most `max` (e.g. multi / single ≤ 0.9). */
    maxLatencyRatio: z
      .array(
        z
          .object({ mode: MtiModeSchema, relativeTo: MtiModeSchema, max: z.number().positive(), engine: EngineNameSchema.optional() })
          .strict()
          .refine((c) => c.mode !== c.relativeTo, "a latency ratio compares two different modes"),
      )
      .max(50)
      .default([]),
    /**
     * A finished sweep to compare with: each mode's final accuracy (overall and per subset) may fall by at most
     * `maxRegression` (absolute, 0.05 = five points) below the baseline's for the same engine name, or for the
     * baseline's only engine when it has one.
     */
    baseline: z
      .object({ sweepId: z.string().min(1).max(64), maxRegression: z.number().min(0).max(1) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((g) => g.minFinalAccuracy.length + g.maxLatencyRatio.length > 0 || g.baseline !== undefined, "a gate needs at least one check");
export type MtiGate = z.infer<typeof MtiGateSchema>;
export type MtiGateInput = z.input<typeof MtiGateSchema>;

/** Sampling settings of every generation call of a sweep (the paper: temperature 0.7, top_p 1, up to 2048 tokens). */
export const MtiDecodingSchema = z
  .object({
    temperature: z.number().min(0).max(2).default(0.7),
    topP: z.number().gt(0).max(1).default(1),
    /** New tokens per call; a call whose prompt leaves less room than this in the engine's context is refused. */
    maxTokens: z.number().int().min(1).max(8192).default(2048),
    /** Base seed; each call's seed is derived from it, the run, the unit and the call, so a redelivered unit repeats. */
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  })
  .strict();
export type MtiDecoding = z.infer<typeof MtiDecodingSchema>;

/**
 * How a prompt's text is wrapped before tokenisation: `tulu` (the paper), `none`, or the model's own chat template
 * given as Jinja (from its tokenizer_config.json or GGUF metadata), rendered as one user turn with the generation prompt.
 */
export const MtiSweepTemplateSchema = z.union([z.enum(["tulu", "none"]), JinjaChatTemplateSpecSchema]);
export type MtiSweepTemplate = z.infer<typeof MtiSweepTemplateSchema>;

/** `POST /v1/mti/sweeps`. */
export const CreateMtiSweepSchema = z
  .object({
    ...jobRequestCommonFields,
    /** Configured engines, by name (never a URL). Each gets every cell of the sweep. */
    engines: z.array(EngineNameSchema).min(1).max(8),
    /** An uploaded dataset of kind `mti-bench` (MTI_BENCH.json, exact match) or `mti-free-form` (ROUGE-L per step). */
    datasetId: DatasetIdSchema,
    /** An uploaded dataset of kind `mti-demos` (cot_breakdown.json): Single-Task Inference's per-step demonstrations. */
    demosDatasetId: DatasetIdSchema,
    modes: z.array(MtiModeSchema).min(1).max(3).default(["multi", "single", "batch"]),
    /** Task ids ("001"…); default every task of the dataset. */
    tasks: z.array(z.string().regex(/^\d{3}$/, "task ids are three digits, e.g. 001")).min(1).max(100).optional(),
    /** The first N instances of each task in file order; default all. */
    instancesPerTask: z.number().int().min(1).max(100_000).optional(),
    /** Repetitions of every cell; accuracy is reported as the mean and spread over runs (the paper: 3). */
    runs: z.number().int().min(1).max(10).default(1),
    decoding: MtiDecodingSchema.default(MtiDecodingSchema.parse({})),
    template: MtiSweepTemplateSchema.default("tulu"),
    /** Batch Prompting scored on step 1 only (the authors' code) or on every step. */
    batchScoring: z.enum(["step1", "all"]).default("step1"),
    /** Also accept `</taskN>` as the closing tag (such answers are counted separately). */
    lenient: z.boolean().default(false),
    /** Task → subset (e.g. MULTI-STEP / MULTI-PART); results are also grouped by subset. */
    subsets: z.record(z.string().regex(/^\d{3}$/), z.string().min(1).max(100)).optional(),
    gate: MtiGateSchema.optional(),
  })
  .strict()
  .openapi("CreateMtiSweep");
export type CreateMtiSweep = z.infer<typeof CreateMtiSweepSchema>;
export type CreateMtiSweepInput = z.input<typeof CreateMtiSweepSchema>;

/** What a sweep resolved when it was accepted (stored in the manifest). */
export const MtiSweepSpecSchema = z
  .object({
    engines: z.array(z.object({ name: EngineNameSchema, model: z.string(), contextSize: z.number().int().positive().nullable() }).strict()).min(1),
    datasetId: DatasetIdSchema,
    /** `mti-bench` (exact match) or `mti-free-form` (ROUGE-L). */
    datasetKind: z.enum(["mti-bench", "mti-free-form"]),
    demosDatasetId: DatasetIdSchema,
    /** The tasks swept, in dataset order. */
    tasks: z.array(z.string()).min(1),
    /** Instances swept over all tasks (per engine, mode and run). */
    instances: z.number().int().min(1),
    units: z.number().int().min(1),
  })
  .strict();
export type MtiSweepSpec = z.infer<typeof MtiSweepSpecSchema>;

/** The prepared layout: engines, modes, runs and each task's chosen instances (see `shared/mti/jobs/unit-layout.ts`). */
export const MtiSweepLayoutSchema = z
  .object({
    engines: z.array(EngineNameSchema).min(1),
    modes: z.array(MtiModeSchema).min(1),
    runs: z.number().int().min(1),
    tasks: z.array(z.object({ task: z.string(), uids: z.array(z.string()).min(1) }).strict()).min(1),
  })
  .strict();
export type MtiSweepLayout = z.infer<typeof MtiSweepLayoutSchema>;

/** The report files a finished sweep writes under `results/`. */
export const MTI_REPORT_FILES = {
  csv: "report.csv",
  markdown: "report.md",
  junit: "junit.xml",
  accuracyChart: "accuracy.svg",
  latencyChart: "latency.svg",
} as const;

/** `results/summary.json` of a sweep. */
export const MtiSweepSummarySchema = z
  .object({
    version: z.literal(1),
    sweepId: z.string(),
    /** True when the sweep stopped early and only some units have lines. */
    partial: z.boolean(),
    units: z.number().int().min(0),
    unitsCovered: z.number().int().min(0),
    unitErrors: z.number().int().min(0),
    engines: z.array(z.object({ name: z.string(), model: z.string() }).strict()),
    modes: z.array(MtiModeSchema),
    runs: z.number().int().min(1),
    tasks: z.array(z.string()),
    /** How answers were scored: exact match (`mti-bench`) or ROUGE-L per step (`mti-free-form`). */
    scoring: z.enum(["exact-match", "rouge-l"]),
    template: z.string(),
    decoding: MtiDecodingSchema,
    batchScoring: z.enum(["step1", "all"]),
    lenient: z.boolean(),
    reports: z.array(MtiModeReportSchema),
    speedRatios: z.array(
      z.object({ engine: z.string(), singleOverMulti: z.number().nullable(), singleOverBatch: z.number().nullable() }).strict(),
    ),
    /** The gate's verdict; null when the sweep had no gate. A partial sweep's gate fails. */
    gate: GateResultSchema.nullable(),
    /** Report files under `results/`, by format. */
    files: z.object({ lines: z.string(), csv: z.string(), markdown: z.string(), junit: z.string(), accuracyChart: z.string(), latencyChart: z.string() }).strict(),
    preparedAt: z.string(),
    finishedAt: z.string(),
  })
  .strict()
  .openapi("MtiSweepSummary");
export type MtiSweepSummary = z.infer<typeof MtiSweepSummarySchema>;
