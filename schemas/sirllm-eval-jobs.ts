/**
 * SirLLM evaluations as a job (`POST /v1/sirllm/evaluations`, kind `sirllm-eval`, ids `se_…`) and as the in-process
 * `assay sirllm eval`: the request, what it resolves to, one line per (unit, policy), and the report both print.
 *
 * A request names one engine and one or several of the three tasks (REFERENCE.md §2); the task fields are those of
 * {@link SirllmEvalRequestSchema} (`policies`, `limit`, `cacheSize`, `sinks`, `decay`, `rps`), applied to every task
 * named, each memory setting defaulting to the paper's for its task. Every result line and the summary record the
 * entropy preset and the memory level they were computed with.
 */
import { z } from "@hono/zod-openapi";
import { EngineNameSchema } from "./common.js";
import { DatasetIdSchema } from "./datasets.js";
import { jobRequestCommonFields } from "./jobs.js";
import {
  RpsPlayersSchema,
  SirllmEvalRequestSchema,
  SirllmEvalTableSchema,
  SirllmEvalTaskSchema,
  SirllmUnitOutcomeSchema,
  type SirllmEvalTask,
} from "./sirllm-eval.js";
import { MemoryPolicyNameSchema } from "./sirllm-memory.js";

/** `paper`: e_i = −log p(x_i | x_<i); `reference`: the authors' previous-token quirk (embedded engine only). */
export const SirllmEntropyPresetSchema = z.enum(["paper", "reference"]);
/** `kv`: a live KV cache per unit, evicted in place (embedded engine only); `token`: kept token ids re-sent every turn. */
export const SirllmMemoryLevelSchema = z.enum(["kv", "token"]);

/** Generated RPS players one job may ask for (each keeps its outcome, ≤ 2 bytes a round, until aggregation). */
export const MAX_GENERATED_RPS_PLAYERS = 1000;

/** RPS player datasets one job may name. */
export const MAX_RPS_PLAYER_DATASETS = 64;

/** The dataset kinds an evaluation reads, by task. */
export const SIRLLM_DATASET_KINDS = { dailydialog: "sirllm-dailydialog", grocery: "sirllm-grocery", rps: "sirllm-rps" } as const;

/** Rounds per window of the RPS table's learning curve unless told. */
export const DEFAULT_RPS_WINDOW = 100;

/** The fields one task's evaluation takes from the request (see {@link SirllmEvalRequestSchema}). */
const TASK_FIELDS = ["policies", "limit", "cacheSize", "sinks", "decay"] as const;

/**
 * `POST /v1/sirllm/evaluations`.
 *
 * @example
 * CreateSirllmEvaluationSchema.parse({ engine: "local", tasks: ["dailydialog", "rps"], policies: ["sirllm", "streaming"], limit: 2,
 *   rps: { players: { generate: { count: 2, seed: 7, rounds: 50 } } } });
 */
export const CreateSirllmEvaluationSchema = z
  .object({
    ...jobRequestCommonFields,
    /** A configured engine, by name. */
    engine: EngineNameSchema,
    /** One task… */
    task: SirllmEvalTaskSchema.optional(),
    /** …or several, each evaluated on its own data with its own table (give `task` or `tasks`). */
    tasks: z.array(SirllmEvalTaskSchema).min(1).max(3).optional(),
    /** Memory policies run side by side on the same units (1–5, distinct). */
    // The bounds of these fields are checked per task by SirllmEvalRequestSchema (below), so each is stated once.
    policies: z.array(MemoryPolicyNameSchema).openapi({ description: "1–5 distinct memory policies, run side by side on the same units" }),
    /** The first N units of each task (dialogues, episodes, players) after the paper's caps. */
    limit: z.number().int().optional().openapi({ description: "≥ 1: the first N units of each task (dialogues, episodes, players) after the paper's caps" }),
    /** Memory settings; each defaults to the paper's for its task (DailyDialog 512/4/0.7, Grocery 1024/4/1, RPS 1024/4/0.9). */
    cacheSize: z.number().int().optional().openapi({ description: "tokens in memory after a turn; default per task: 512 (DailyDialog), 1024 (Grocery, RPS)" }),
    sinks: z.number().int().optional().openapi({ description: "0 ≤ sinks < cacheSize: the unit's first tokens, always kept (default 4)" }),
    decay: z.number().optional().openapi({ description: "0 < decay ≤ 1, once per turn; default per task: 0.7 (DailyDialog), 1 (Grocery), 0.9 (RPS)" }),
    /** RPS only: the authors' three players (`"data"`, the default) or `{generate: {count, seed, rounds}}`. */
    rps: z.object({ players: RpsPlayersSchema.default("data") }).strict().optional(),
    /** Seed of the `random` policy (the others ignore it). */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    entropy: SirllmEntropyPresetSchema.default("paper"),
    /** Default: `kv` on the embedded engine, `token` elsewhere. */
    memoryLevel: SirllmMemoryLevelSchema.optional(),
    /** RPS: rounds per window of the learning curve. */
    rpsWindow: z.number().int().min(1).max(1_000_000).default(DEFAULT_RPS_WINDOW),
    /**
     * Uploaded datasets to read a task's records from instead of the deployment's copy of the authors' files: kinds
     * `sirllm-dailydialog` and `sirllm-grocery` (one file each, JSONL as the authors ship it), `sirllm-rps` (one
     * dataset per player, named by its id; instead of the authors' three).
     */
    datasets: z
      .object({
        dailydialog: DatasetIdSchema.optional(),
        grocery: DatasetIdSchema.optional(),
        rps: z.array(DatasetIdSchema).min(1, "give at least one RPS player dataset").max(MAX_RPS_PLAYER_DATASETS, `at most ${MAX_RPS_PLAYER_DATASETS} RPS player datasets`).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if ((r.task === undefined) === (r.tasks === undefined)) {
      ctx.addIssue({ code: "custom", path: ["tasks"], message: "give task (one) or tasks (several), not both and not neither" });
      return;
    }
    const tasks = evaluationTasks(r);
    if (new Set(tasks).size !== tasks.length) ctx.addIssue({ code: "custom", path: ["tasks"], message: "tasks must be distinct" });
    if (r.rps !== undefined && !tasks.includes("rps")) ctx.addIssue({ code: "custom", path: ["rps"], message: 'rps applies only to task "rps"' });
    for (const task of ["dailydialog", "grocery", "rps"] as const) {
      if (r.datasets?.[task] !== undefined && !tasks.includes(task)) ctx.addIssue({ code: "custom", path: ["datasets", task], message: `a ${task} dataset, but task ${task} is not requested` });
    }
    if (r.datasets?.rps !== undefined && r.rps?.players !== undefined && r.rps.players !== "data") {
      ctx.addIssue({ code: "custom", path: ["datasets", "rps"], message: "RPS players come from datasets or are generated, not both" });
    }
    const players = r.rps?.players;
    if (players !== undefined && players !== "data" && players.generate.count > MAX_GENERATED_RPS_PLAYERS) {
      ctx.addIssue({ code: "custom", path: ["rps", "players", "generate", "count"], message: `at most ${MAX_GENERATED_RPS_PLAYERS} generated players a job` });
    }
    // Each task's part goes through the evaluation schema, so its checks (policies, sinks < cacheSize, …) hold here.
    const seen = new Set<string>();
    for (const task of [...new Set(tasks)]) {
      const parsed = SirllmEvalRequestSchema.safeParse(taskPart(r, task));
      if (parsed.success) continue;
      for (const issue of parsed.error.issues) {
        const key = `${issue.path.join(".")}\0${issue.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        ctx.addIssue({ code: "custom", path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: issue.message });
      }
    }
  })
  .openapi("CreateSirllmEvaluation");
export type CreateSirllmEvaluation = z.infer<typeof CreateSirllmEvaluationSchema>;
export type CreateSirllmEvaluationInput = z.input<typeof CreateSirllmEvaluationSchema>;

/** The tasks a request names, in its order. */
export function evaluationTasks(r: { task?: SirllmEvalTask | undefined; tasks?: readonly SirllmEvalTask[] | undefined }): SirllmEvalTask[] {
  return r.tasks ? [...r.tasks] : r.task ? [r.task] : [];
}

/** One task's part of a request, as {@link SirllmEvalRequestSchema} reads it (defaults not yet applied). */
export function taskPart(r: Partial<Pick<CreateSirllmEvaluation, (typeof TASK_FIELDS)[number] | "rps">>, task: SirllmEvalTask): Record<string, unknown> {
  const part: Record<string, unknown> = { task };
  for (const field of TASK_FIELDS) if (r[field] !== undefined) part[field] = r[field];
  if (task === "rps" && r.rps !== undefined) part.rps = r.rps;
  return part;
}

/** One task as it was resolved: the paper's defaults filled in, and how many units it has. */
export const SirllmEvalTaskSpecSchema = z
  .object({
    task: SirllmEvalTaskSchema,
    cacheSize: z.number().int().min(1),
    sinks: z.number().int().min(0),
    decay: z.number().gt(0).max(1),
    /** The request's `limit`; null for every unit after the paper's caps. */
    limit: z.number().int().min(1).nullable(),
    /** RPS: where the players come from; null for the other tasks. */
    players: RpsPlayersSchema.nullable(),
    /** Units (dialogues, episodes, players) of this task; each runs once per policy. */
    units: z.number().int().min(0),
    /** Where its records came from: `files` (the authors' data), `dataset:<id>`, `datasets:<id>,…` (RPS players). */
    data: z.string(),
  })
  .strict();
export type SirllmEvalTaskSpec = z.infer<typeof SirllmEvalTaskSpecSchema>;

/** The engine an evaluation ran on. */
export const SirllmEvalEngineSchema = z
  .object({ name: EngineNameSchema, kind: z.string(), model: z.string(), contextSize: z.number().int().positive().nullable() })
  .strict();

/** What an evaluation resolved to before it runs (the job's `spec`; the CLI resolves the same). */
export const SirllmEvalSpecSchema = z
  .object({
    engine: SirllmEvalEngineSchema,
    policies: z.array(MemoryPolicyNameSchema).min(1),
    entropy: SirllmEntropyPresetSchema,
    memoryLevel: SirllmMemoryLevelSchema,
    seed: z.number().int().min(0),
    rpsWindow: z.number().int().min(1),
    evaluations: z.array(SirllmEvalTaskSpecSchema).min(1),
    /** Σ units × policies. */
    units: z.number().int().min(0),
  })
  .strict();
export type SirllmEvalSpec = z.infer<typeof SirllmEvalSpecSchema>;

/** What prepare fixes: every task's unit ids, in order (a unit of the job is (task, unit, policy)). */
export const SirllmEvalLayoutSchema = z
  .object({
    policies: z.array(MemoryPolicyNameSchema).min(1),
    tasks: z.array(z.object({ task: SirllmEvalTaskSchema, units: z.array(z.string().min(1)) }).strict()).min(1),
  })
  .strict();
export type SirllmEvalLayout = z.infer<typeof SirllmEvalLayoutSchema>;

/** Engine work of one (unit, policy). */
export const SirllmEvalWorkSchema = z
  .object({
    /** Turns played (all of them, unless the unit failed). */
    turns: z.number().int().min(0),
    /** Tokens that entered memory (contexts and chosen answers). */
    tokens: z.number().int().min(0),
    /** Eviction steps (turns before which something was evicted). */
    evictions: z.number().int().min(0),
    /** Tokens evicted. */
    evictedTokens: z.number().int().min(0),
  })
  .strict();
export type SirllmEvalWork = z.infer<typeof SirllmEvalWorkSchema>;

/**
 * A line of `results/outcomes.jsonl`: the outcome of one (unit, policy) as `SirllmUnitOutcomeSchema` has it, plus
 * where it sits in the job and how it was computed. `error` is present on a line the kernel wrote for a unit that
 * failed outside the runner (its result is then `failed`, with the same message).
 */
export const SirllmEvalUnitLineSchema = z.intersection(
  SirllmUnitOutcomeSchema,
  z.object({
    index: z.number().int().min(0),
    engine: EngineNameSchema,
    entropy: SirllmEntropyPresetSchema,
    memoryLevel: SirllmMemoryLevelSchema,
    work: SirllmEvalWorkSchema,
    error: z.object({ code: z.string(), message: z.string() }).strict().optional(),
  }),
);
export type SirllmEvalUnitLine = z.infer<typeof SirllmEvalUnitLineSchema>;

/** One task's result: its resolved settings and the paper's table, every policy side by side. */
export const SirllmEvalTaskResultSchema = SirllmEvalTaskSpecSchema.extend({ table: SirllmEvalTableSchema });
export type SirllmEvalTaskResult = z.infer<typeof SirllmEvalTaskResultSchema>;

/**
 * The report of an evaluation: what `assay sirllm eval --json` prints, and the heart of the job's summary (the same
 * fields, so the two can be compared field by field).
 */
export const SirllmEvalReportSchema = z
  .object({
    version: z.literal(1),
    engine: z.object({ name: EngineNameSchema, model: z.string() }).strict(),
    policies: z.array(MemoryPolicyNameSchema).min(1),
    entropy: SirllmEntropyPresetSchema,
    memoryLevel: SirllmMemoryLevelSchema,
    seed: z.number().int().min(0),
    evaluations: z.array(SirllmEvalTaskResultSchema),
    /** Summed over every (unit, policy). */
    work: SirllmEvalWorkSchema,
  })
  .strict();
export type SirllmEvalReport = z.infer<typeof SirllmEvalReportSchema>;

/** The report files a finished evaluation writes under `results/`. */
export const SIRLLM_EVAL_FILES = { lines: "outcomes.jsonl", markdown: "report.md" } as const;

/** `results/summary.json` of an evaluation job. */
export const SirllmEvalSummarySchema = SirllmEvalReportSchema.extend({
  jobId: z.string(),
  /** True when the job stopped early and only some units have lines (the tables then cover those). */
  partial: z.boolean(),
  /** (unit, policy) pairs of the job, and those with a line. */
  units: z.number().int().min(0),
  unitsCovered: z.number().int().min(0),
  /** Lines whose result is `failed` (a turn memory refused, an engine that failed for good), over every task. */
  failedUnits: z.number().int().min(0),
  files: z.object({ lines: z.string(), markdown: z.string() }).strict(),
  preparedAt: z.string(),
  finishedAt: z.string(),
})
  .strict()
  .openapi("SirllmEvaluationSummary");
export type SirllmEvalSummary = z.infer<typeof SirllmEvalSummarySchema>;
