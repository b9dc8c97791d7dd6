/**
 * MTI-Bench data (REFERENCE.md §3): the benchmark file (`MTI_BENCH.json`, and `Free_Form_Generation.json` in the same
 * shape), the per-step demonstrations (`cot_breakdown.json`, a lossless rendering of the authors' `cot_breakdown.xlsx`),
 * an optional task → subset map, and what `shared/mti/dataset/` makes of them.
 *
 * The `…FileSchema`s describe the files as they are on disk; the other schemas describe the loaded form, where steps
 * are arrays (step k at index k − 1), contexts keep the file's order and every gold answer keeps its JSON lexeme.
 */
import { z } from "zod";
import { MtiModeSchema } from "./mti-sweeps.js";

export { MtiModeSchema, type MtiMode } from "./mti-sweeps.js";

/**
 * A task id: three digits, "001".."025" (exact match) and "030".."041" (free form). The authors look a task's
 * demonstrations up by `int(tuid)`, so an id is a zero-padded number.
 */
export const MtiTaskIdSchema = z.string().regex(/^\d{3}$/, "task ids are three digits, e.g. 001");
export type MtiTaskId = z.infer<typeof MtiTaskIdSchema>;

/** A context key `s_j`: the j-th context of step s (REFERENCE.md §3). */
export const MTI_CONTEXT_KEY = /^([1-9]\d*)_(\d+)$/;

/**
 * One instance as the file holds it. Checked beyond the shapes: instruction keys are "1".."n" with none missing,
 * every context key is `s_j` with 1 ≤ s ≤ n (a context of a step that does not exist would be silently left out of
 * every prompt), and there is one gold answer per step. Answers are any JSON; their lexemes are kept by the loader.
 */
function instanceFileSchema<A extends z.ZodType>(answer: A) {
  return z
    .object({
      query: z.string(),
      instruction: z.record(z.string(), z.string()),
      context: z.record(z.string(), z.string()),
      answers: z.array(answer),
    })
    .superRefine((inst, ctx) => {
      const keys = Object.keys(inst.instruction);
      const steps = keys.length;
      if (steps === 0) ctx.addIssue({ code: "custom", path: ["instruction"], message: "an instance needs at least one instruction" });
      for (let s = 1; s <= steps; s++) {
        if (!Object.hasOwn(inst.instruction, String(s))) {
          ctx.addIssue({
            code: "custom",
            path: ["instruction"],
            message: `instruction keys are "1".."${steps}" with none missing; "${s}" is missing (keys: ${keys.join(", ")})`,
          });
          break;
        }
      }
      for (const key of Object.keys(inst.context)) {
        const match = MTI_CONTEXT_KEY.exec(key);
        if (!match) {
          ctx.addIssue({ code: "custom", path: ["context", key], message: "context keys look like s_j (step s, then 0, 1, …), e.g. 1_0" });
        } else if (Number(match[1]) > steps) {
          ctx.addIssue({
            code: "custom",
            path: ["context", key],
            message: `belongs to step ${match[1]}, but the instance has ${steps} instruction${steps === 1 ? "" : "s"}`,
          });
        }
      }
      if (inst.answers.length !== steps) {
        ctx.addIssue({ code: "custom", path: ["answers"], message: `${inst.answers.length} gold answers for ${steps} instructions` });
      }
    });
}

/** The whole file: task id → `{instance: {uid: instance}, sample}`, with the checks that span instances. */
function benchFileSchema<A extends z.ZodType>(answer: A) {
  const task = z.object({
    instance: z.record(z.string(), instanceFileSchema(answer)),
    /** The one-shot multi-task demonstration of the task. */
    sample: z.string(),
  });
  return z.record(z.string(), task).superRefine((file, ctx) => {
    if (Object.keys(file).length === 0) ctx.addIssue({ code: "custom", path: [], message: "the file holds no tasks" });
    for (const [id, t] of Object.entries(file)) {
      if (!MtiTaskIdSchema.safeParse(id).success) {
        ctx.addIssue({ code: "custom", path: [id], message: "task ids are three digits, e.g. 001" });
      }
      const uids = Object.keys(t.instance);
      if (uids.length === 0) ctx.addIssue({ code: "custom", path: [id, "instance"], message: "the task has no instances" });
      const steps = uids.length > 0 ? Object.keys(t.instance[uids[0]!]!.instruction).length : 0;
      for (const uid of uids) {
        // The authors score a task with the step count of its first instance (get_score), so all must agree.
        const n = Object.keys(t.instance[uid]!.instruction).length;
        if (n !== steps) {
          ctx.addIssue({ code: "custom", path: [id, "instance", uid, "instruction"], message: `${n} steps where the task's first instance has ${steps}` });
        }
        if (!uid.startsWith(`${id}_`)) {
          ctx.addIssue({ code: "custom", path: [id, "instance", uid], message: `instance ids start with their task id and "_" (${id}_…)` });
        }
      }
    }
  });
}

/**
 * `MTI_BENCH.json` (REFERENCE.md §3): `{tuid: {"instance": {"<tuid>_<n>": {query, instruction: {"1","2"[,"3"]},
 * context: {"1_0","1_1","2_0",…}, answers: [gold per step]}}, "sample": "…"}}`.
 *
 * @example
 * MtiBenchFileSchema.parse(JSON.parse(readFileSync("mti_bench_slice.json", "utf8")));
 */
export const MtiBenchFileSchema = benchFileSchema(z.json());
export type MtiBenchFile = z.infer<typeof MtiBenchFileSchema>;

/** `Free_Form_Generation.json`: the same shape, every gold answer a reference text (no tags). */
export const MtiFreeFormFileSchema = benchFileSchema(z.string());
export type MtiFreeFormFile = z.infer<typeof MtiFreeFormFileSchema>;

/**
 * A gold answer: `raw` is its JSON text exactly as the file spells it (`1.0`, `1e-05`, `"E"`, `[1, 2, 4]`), so a
 * scorer can print it as Python's `str()` would; `value` is what JSON.parse makes of it (1.0 and 1 are the same
 * number there, which is why `raw` exists).
 */
export const MtiGoldSchema = z.object({ raw: z.string(), value: z.json() });
export type MtiGold = z.infer<typeof MtiGoldSchema>;

/** One context passage: its key `s_j`, the step s it belongs to, and its text. */
export const MtiContextSchema = z.object({
  key: z.string().regex(MTI_CONTEXT_KEY),
  step: z.number().int().min(1),
  text: z.string(),
});
export type MtiContext = z.infer<typeof MtiContextSchema>;

/**
 * A loaded instance. `instructions[k - 1]` is step k's instruction; `contexts` are in the file's key order (the
 * order the authors' Python iterates a dict); `answers[k - 1]` is step k's gold.
 */
export const MtiInstanceSchema = z.object({
  uid: z.string(),
  task: MtiTaskIdSchema,
  query: z.string(),
  instructions: z.array(z.string()).min(1),
  contexts: z.array(MtiContextSchema),
  answers: z.array(MtiGoldSchema),
});
export type MtiInstance = z.infer<typeof MtiInstanceSchema>;

/** A loaded task: its multi-task demonstration and its instances in file order. */
export const MtiTaskSchema = z.object({
  task: MtiTaskIdSchema,
  sample: z.string(),
  instances: z.array(MtiInstanceSchema).min(1),
});
export type MtiTask = z.infer<typeof MtiTaskSchema>;

/** A loaded benchmark file: its tasks in file order. */
export const MtiDatasetSchema = z.object({ tasks: z.array(MtiTaskSchema).min(1) });
export type MtiDataset = z.infer<typeof MtiDatasetSchema>;

/** One demonstration cell; the xlsx's empty cells (a 2-step task's step#3) are "" in the JSON rendering. */
const DemoCellSchema = z.string().nullable().optional();

/**
 * `cot_breakdown.json`: the rows of the authors' `cot_breakdown.xlsx` (header `tuid, step#1, step#2, step#3`), with
 * `tuid` zero-padded to match the benchmark's keys. `step#k` is step k's one-shot demonstration: the instruction, a
 * passage, a worked answer ending in `<taskk>…<taskk/>`.
 */
export const MtiCotBreakdownFileSchema = z.object({
  _note: z.string().optional(),
  rows: z
    .array(
      z.object({
        tuid: MtiTaskIdSchema,
        tuid_cell: z.string().optional(),
        tuid_cell_type: z.string().optional(),
        "step#1": z.string().min(1, "a task needs at least its step#1 demonstration"),
        "step#2": DemoCellSchema,
        "step#3": DemoCellSchema,
      }),
    )
    .min(1, "the file holds no rows"),
});
export type MtiCotBreakdownFile = z.infer<typeof MtiCotBreakdownFileSchema>;

/** Loaded demonstrations: task id → its per-step demonstrations (`[k - 1]` is `step#k`; empty cells dropped). */
export const MtiDemosSchema = z.record(MtiTaskIdSchema, z.array(z.string().min(1)).min(1));
export type MtiDemos = z.infer<typeof MtiDemosSchema>;

/** The paper's two groups of tasks; the data does not label them, so a map is supplied. */
export const MtiSubsetSchema = z.enum(["MULTI-STEP", "MULTI-PART"]);
export type MtiSubset = z.infer<typeof MtiSubsetSchema>;

/**
 * Optional task → subset map used to group results, e.g. `{"001": "MULTI-STEP", "003": "MULTI-PART"}`. Tasks it does
 * not name belong to no subset.
 */
export const MtiSubsetMapSchema = z.record(MtiTaskIdSchema, MtiSubsetSchema);
export type MtiSubsetMap = z.infer<typeof MtiSubsetMapSchema>;

/**
 * One line of `assay mti prompts`: the first-call prompt of an instance, or of a pair under Batch Prompting (uid
 * `"k0,k1"`; a lone instance keeps its own uid). Keys in this order.
 */
export const MtiPromptLineSchema = z
  .object({
    uid: z.string(),
    mode: MtiModeSchema,
    prompt: z.string(),
  })
  .strict();
export type MtiPromptLine = z.infer<typeof MtiPromptLineSchema>;
