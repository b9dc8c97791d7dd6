/**
 * SirLLM's three evaluations (REFERENCE.md §2; github.com/Zoeyyao27/SirLLM @ 4c95578): the records of their data
 * files (`data/sirllm/`), the task-specific part of an evaluation request, the outcome a runner records per unit
 * (one dialogue, one episode, one player, under one memory policy) and the tables built from those outcomes.
 * The domain code that reads, scripts and tabulates lives in `shared/sirllm/eval/`.
 */
import { z } from "zod";
import { MemoryPolicyNameSchema } from "./sirllm-memory.js";

/** The three evaluations. */
export const SIRLLM_EVAL_TASKS = ["dailydialog", "grocery", "rps"] as const;
/** `dailydialog` (DailyDialog), `grocery` (Grocery Shopping), `rps` (Rock-Paper-Scissors). */
export const SirllmEvalTaskSchema = z.enum(SIRLLM_EVAL_TASKS, {
  error: () => `expected one of: ${SIRLLM_EVAL_TASKS.join(", ")}`,
});
export type SirllmEvalTask = z.infer<typeof SirllmEvalTaskSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Data records: one JSONL line of the authors' files, as they are (field names included).

/** One lettered option of a multiple-choice record. */
export const EvalChoiceSchema = z.object({ label: z.string().min(1, "label must not be empty"), text: z.string() });
export type EvalChoice = z.infer<typeof EvalChoiceSchema>;

const answerKeyAmongLabels = (r: { answerKey: string; question: { choices: EvalChoice[] } }) =>
  r.question.choices.some((c) => c.label === r.answerKey);
const labelsUnique = (r: { question: { choices: EvalChoice[] } }) =>
  new Set(r.question.choices.map((c) => c.label)).size === r.question.choices.length;

/**
 * A DailyDialog line: `id` is `"{dialogue}_{turn}"` (the authors split it at the first `_` and reset memory whenever the
 * dialogue number changes), four lettered responses and the right one's letter.
 *
 * @example
 * DailyDialogRecordSchema.parse({ id: "0_1", question: { stem: "Hi ", choices: [{ label: "A", text: " Hello " }, { label: "B", text: " No " }] }, answerKey: "A" });
 */
export const DailyDialogRecordSchema = z
  .object({
    id: z.string().regex(/^\d+_\d+$/, 'id must be "{dialogue}_{turn}", two non-negative integers'),
    question: z.object({ stem: z.string(), choices: z.array(EvalChoiceSchema).min(2, "at least 2 choices") }),
    answerKey: z.string(),
  })
  .refine(labelsUnique, { message: "choice labels must be distinct", path: ["question", "choices"] })
  .refine(answerKeyAmongLabels, { message: "answerKey is not one of the choice labels", path: ["answerKey"] });
export type DailyDialogRecord = z.infer<typeof DailyDialogRecordSchema>;

/**
 * A Grocery Shopping line. `id` says what the line is, as the authors read it (`sir_llm/utils.py`,
 * `keys_dataprocessing`; `eval_utils.py`, `streaming_inference_token_entropy_for_keys`): `key_{e}` is the episode's
 * key line, `answer_{e}` its recall question, a bare `{e}` one of its CommonsenseQA questions (`question_concept`
 * comes from CommonsenseQA and is unused).
 */
export const GroceryRecordSchema = z
  .object({
    id: z.string().regex(/^(key_|answer_)?\d+$/, 'id must be "key_{episode}", "answer_{episode}" or "{episode}"'),
    question: z.object({
      stem: z.string(),
      choices: z.array(EvalChoiceSchema).min(1, "at least 1 choice"),
      question_concept: z.string().optional(),
    }),
    answerKey: z.string(),
  })
  .refine(labelsUnique, { message: "choice labels must be distinct", path: ["question", "choices"] })
  .refine(answerKeyAmongLabels, { message: "answerKey is not one of the choice labels", path: ["answerKey"] })
  .refine((r) => r.id.startsWith("key_") || r.question.choices.length >= 2, {
    message: "a question (not a key line) needs at least 2 choices",
    path: ["question", "choices"],
  });
export type GroceryRecord = z.infer<typeof GroceryRecordSchema>;

/** A move's letter in the authors' RPS files: A rock, B paper, C scissors. */
export const RpsLetterSchema = z.enum(["A", "B", "C"]);
export type RpsLetter = z.infer<typeof RpsLetterSchema>;

/** The move that beats each move's letter (paper beats rock, scissors paper, rock scissors). */
const BEATING_LETTER: Readonly<Record<RpsLetter, RpsLetter>> = { A: "B", B: "C", C: "A" };

/**
 * A Rock-Paper-Scissors round: the user's move (`user_choice`) and the move that beats it (`answerKey`). The choices
 * must be exactly rock/paper/scissors lettered A/B/C, because the authors' prompt hard-codes "(A) rock (B) paper
 * (C) scissors"; `stem` is never shown to the model (the authors build their own prompt), so any text passes.
 *
 * @example
 * RpsRecordSchema.parse({ id: 0, question: { stem: "Please play a game of Rock-Paper-Scissors.", choices: RPS_CHOICES }, user_choice: "B", answerKey: "C" });
 */
export const RpsRecordSchema = z
  .object({
    id: z.number().int("id must be an integer").min(0, "id must be ≥ 0"),
    question: z.object({
      stem: z.string(),
      choices: z.tuple(
        [
          z.object({ text: z.literal("rock"), label: z.literal("A") }),
          z.object({ text: z.literal("paper"), label: z.literal("B") }),
          z.object({ text: z.literal("scissors"), label: z.literal("C") }),
        ],
        { error: () => "choices must be exactly (A) rock, (B) paper, (C) scissors, as the authors' prompt says" },
      ),
    }),
    user_choice: RpsLetterSchema,
    answerKey: RpsLetterSchema,
  })
  .refine((r) => r.answerKey === BEATING_LETTER[r.user_choice], {
    message: "answerKey must be the move that beats user_choice (A→B, B→C, C→A)",
    path: ["answerKey"],
  });
export type RpsRecord = z.infer<typeof RpsRecordSchema>;

/** The RPS choices exactly as the authors' files carry them. */
export const RPS_CHOICES: Readonly<RpsRecord["question"]["choices"]> = [
  { text: "rock", label: "A" },
  { text: "paper", label: "B" },
  { text: "scissors", label: "C" },
];

// ---------------------------------------------------------------------------------------------------------------
// The request's task-specific part.

/** Memory settings of the paper's runs, per task (the authors' README: `--start_size 4 --recent_size 0`). */
export const PAPER_MEMORY_SETTINGS = {
  // --token_entropy_size 508 --decay_ratio 0.7: 4 + 508 + 0 = 512.
  dailydialog: { cacheSize: 512, sinks: 4, decay: 0.7 },
  // --token_entropy_size 1020 --decay_ratio 1: 4 + 1020 + 0 = 1024.
  grocery: { cacheSize: 1024, sinks: 4, decay: 1 },
  // --token_entropy_size 1020 --decay_ratio 0.9: 4 + 1020 + 0 = 1024.
  rps: { cacheSize: 1024, sinks: 4, decay: 0.9 },
} as const satisfies Record<SirllmEvalTask, { cacheSize: number; sinks: number; decay: number }>;

/** Rounds a generated RPS player plays unless told otherwise: the paper's 2,000. */
export const RPS_DEFAULT_GENERATED_ROUNDS = 2000;

const policiesField = z
  .array(MemoryPolicyNameSchema)
  .min(1, "name at least one memory policy")
  .max(5, "at most 5 memory policies")
  .refine((p) => new Set(p).size === p.length, "memory policies must be distinct");

const limitField = z.number().int("limit must be an integer").min(1, "limit must be at least 1").optional();

function memoryFields(task: SirllmEvalTask) {
  const d = PAPER_MEMORY_SETTINGS[task];
  return {
    cacheSize: z.number().int("cacheSize must be an integer").min(1, "cacheSize must be at least 1").default(d.cacheSize),
    sinks: z.number().int("sinks must be an integer").min(0, "sinks must be ≥ 0").default(d.sinks),
    decay: z.number().gt(0, "decay must be > 0").max(1, "decay must be ≤ 1").default(d.decay),
  };
}

const sinksBelowCache = {
  check: (r: { sinks: number; cacheSize: number }) => r.sinks < r.cacheSize,
  message: "sinks must be smaller than cacheSize (sinks always stay, so a cache of only sinks has no room for a turn)",
};

// `rps` belongs to the RPS task only; elsewhere it is refused rather than silently dropped.
const noRpsField = z.undefined({ error: () => 'rps applies only to task "rps"' }).optional();

/** Generated RPS players (`shared/sirllm/eval/rps-players.ts`): how many, from which seed, how many rounds each. */
export const RpsGenerateSchema = z.object({
  count: z.number().int("count must be an integer").min(1, "count must be at least 1"),
  // 32 bits: mulberry32 reads its seed modulo 2^32, so a wider seed would only alias.
  seed: z.number().int("seed must be an integer").min(0, "seed must be ≥ 0").max(0xffffffff, "seed must be < 2^32"),
  rounds: z.number().int("rounds must be an integer").min(1, "rounds must be at least 1").default(RPS_DEFAULT_GENERATED_ROUNDS),
});
export type RpsGenerate = z.infer<typeof RpsGenerateSchema>;

/** Where the RPS players come from: the authors' three files, or generated ones. */
export const RpsPlayersSchema = z.union([z.literal("data"), z.object({ generate: RpsGenerateSchema })]);
export type RpsPlayers = z.infer<typeof RpsPlayersSchema>;

/**
 * The task-specific part of a SirLLM evaluation request. `policies` are run side by side on the same units; `limit`
 * keeps the first N units (dialogues, episodes, players) after the paper's item caps; `cacheSize`, `sinks` and
 * `decay` default to the paper's settings for the task ({@link PAPER_MEMORY_SETTINGS}).
 *
 * @example
 * SirllmEvalRequestSchema.parse({ task: "rps", policies: ["sirllm", "streaming"], rps: { players: { generate: { count: 3, seed: 7 } } } });
 * // → { task: "rps", policies: [...], cacheSize: 1024, sinks: 4, decay: 0.9, rps: { players: { generate: { count: 3, seed: 7, rounds: 2000 } } } }
 */
export const SirllmEvalRequestSchema = z.discriminatedUnion("task", [
  z
    .object({ task: z.literal("dailydialog"), policies: policiesField, limit: limitField, ...memoryFields("dailydialog"), rps: noRpsField })
    .refine(sinksBelowCache.check, { message: sinksBelowCache.message, path: ["sinks"] }),
  z
    .object({ task: z.literal("grocery"), policies: policiesField, limit: limitField, ...memoryFields("grocery"), rps: noRpsField })
    .refine(sinksBelowCache.check, { message: sinksBelowCache.message, path: ["sinks"] }),
  z
    .object({
      task: z.literal("rps"),
      policies: policiesField,
      limit: limitField,
      ...memoryFields("rps"),
      rps: z.object({ players: RpsPlayersSchema.default("data") }).default({ players: "data" }),
    })
    .refine(sinksBelowCache.check, { message: sinksBelowCache.message, path: ["sinks"] }),
]);
/** The request part as sent (defaults may be missing). */
export type SirllmEvalRequestInput = z.input<typeof SirllmEvalRequestSchema>;
/** The request part with the paper's defaults filled in. */
export type SirllmEvalRequest = z.infer<typeof SirllmEvalRequestSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Per-unit outcomes (what a runner records) and the tables built from them.

/** Version of the outcome and table records below. */
export const SIRLLM_EVAL_RECORD_VERSION = 1;

/** Right answers out of scored questions. */
export const AccuracyCountSchema = z
  .object({ correct: z.number().int().min(0), total: z.number().int().min(0) })
  .refine((c) => c.correct <= c.total, { message: "correct must be ≤ total", path: ["correct"] });
export type AccuracyCount = z.infer<typeof AccuracyCountSchema>;

/** A unit that could not be completed (a turn refused by memory, an engine error): recorded, counted, not scored. */
export const UnitFailureSchema = z.object({ status: z.literal("failed"), reason: z.string().min(1) });
export type UnitFailure = z.infer<typeof UnitFailureSchema>;

const outcomeHead = { version: z.literal(SIRLLM_EVAL_RECORD_VERSION), unit: z.string().min(1), policy: MemoryPolicyNameSchema };

/** One dialogue under one policy. */
export const DailyDialogUnitOutcomeSchema = z.object({
  ...outcomeHead,
  task: z.literal("dailydialog"),
  result: z.discriminatedUnion("status", [z.object({ status: z.literal("ok"), accuracy: AccuracyCountSchema }), UnitFailureSchema]),
});
/** One episode under one policy: its recall question and its CommonsenseQA questions, counted apart. */
export const GroceryUnitOutcomeSchema = z.object({
  ...outcomeHead,
  task: z.literal("grocery"),
  result: z.discriminatedUnion("status", [
    z.object({ status: z.literal("ok"), recall: AccuracyCountSchema, csqa: AccuracyCountSchema }),
    UnitFailureSchema,
  ]),
});
/**
 * One player under one policy. `rounds` holds one letter per round, in order (`W` win, `T` tie, `L` lose), so a
 * table can cut it into windows of any size; 2,000 rounds are 2,000 bytes.
 */
export const RpsUnitOutcomeSchema = z.object({
  ...outcomeHead,
  task: z.literal("rps"),
  result: z.discriminatedUnion("status", [
    z.object({ status: z.literal("ok"), rounds: z.string().regex(/^[WTL]*$/, "rounds must be W, T and L letters") }),
    UnitFailureSchema,
  ]),
});

/**
 * What a runner records per (unit, policy).
 *
 * @example
 * SirllmUnitOutcomeSchema.parse({ version: 1, task: "dailydialog", unit: "0", policy: "sirllm", result: { status: "ok", accuracy: { correct: 4, total: 6 } } });
 */
export const SirllmUnitOutcomeSchema = z.discriminatedUnion("task", [
  DailyDialogUnitOutcomeSchema,
  GroceryUnitOutcomeSchema,
  RpsUnitOutcomeSchema,
]);
export type SirllmUnitOutcome = z.infer<typeof SirllmUnitOutcomeSchema>;
export type DailyDialogUnitOutcome = z.infer<typeof DailyDialogUnitOutcomeSchema>;
export type GroceryUnitOutcome = z.infer<typeof GroceryUnitOutcomeSchema>;
export type RpsUnitOutcome = z.infer<typeof RpsUnitOutcomeSchema>;

/** An accuracy cell: the counts and their ratio (null when nothing was scored). */
export const AccuracyCellSchema = z.object({
  correct: z.number().int().min(0),
  total: z.number().int().min(0),
  accuracy: z.number().min(0).max(1).nullable(),
});
export type AccuracyCell = z.infer<typeof AccuracyCellSchema>;

const unitCounts = {
  policy: MemoryPolicyNameSchema,
  /** Units scored. */
  units: z.number().int().min(0),
  /** Units recorded as failed; they are in no rate. */
  failedUnits: z.number().int().min(0),
};

/** DailyDialog: accuracy over every scored item, per policy. */
export const DailyDialogTableSchema = z.object({
  version: z.literal(SIRLLM_EVAL_RECORD_VERSION),
  task: z.literal("dailydialog"),
  rows: z.array(z.object({ ...unitCounts, accuracy: AccuracyCellSchema })),
});
export type DailyDialogTable = z.infer<typeof DailyDialogTableSchema>;

/** Grocery Shopping: recall accuracy (one question per episode) and CommonsenseQA accuracy, per policy. */
export const GroceryTableSchema = z.object({
  version: z.literal(SIRLLM_EVAL_RECORD_VERSION),
  task: z.literal("grocery"),
  rows: z.array(z.object({ ...unitCounts, recall: AccuracyCellSchema, csqa: AccuracyCellSchema })),
});
export type GroceryTable = z.infer<typeof GroceryTableSchema>;

/** Win/tie/lose counts over some rounds and their rates (null when there were no rounds). */
export const RpsCountsSchema = z.object({
  rounds: z.number().int().min(0),
  win: z.number().int().min(0),
  tie: z.number().int().min(0),
  lose: z.number().int().min(0),
  winRate: z.number().min(0).max(1).nullable(),
  tieRate: z.number().min(0).max(1).nullable(),
  loseRate: z.number().min(0).max(1).nullable(),
});
export type RpsCounts = z.infer<typeof RpsCountsSchema>;

/** Rock-Paper-Scissors: rates over all rounds of all players, and per window of rounds (`from`, `to` 1-based). */
export const RpsTableSchema = z.object({
  version: z.literal(SIRLLM_EVAL_RECORD_VERSION),
  task: z.literal("rps"),
  windowSize: z.number().int().min(1),
  rows: z.array(
    z.object({
      ...unitCounts,
      overall: RpsCountsSchema,
      windows: z.array(RpsCountsSchema.extend({ from: z.number().int().min(1), to: z.number().int().min(1) })),
    }),
  ),
});
export type RpsTable = z.infer<typeof RpsTableSchema>;

/** Any of the three tables. */
export const SirllmEvalTableSchema = z.discriminatedUnion("task", [DailyDialogTableSchema, GroceryTableSchema, RpsTableSchema]);
export type SirllmEvalTable = z.infer<typeof SirllmEvalTableSchema>;
