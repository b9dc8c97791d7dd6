/**
 * NUGGETS records: an instruction example, the scoring presets, and what is stored per candidate and per anchor set.
 * Every stored record carries a `version` and the `preset` that produced it (REFERENCE.md §1).
 */
import { z } from "zod";

/**
 * One instruction example as datasets carry it (Alpaca shape). Extra fields are dropped. `input` may be absent or
 * empty; both render the template without the `Input:` block.
 *
 * @example
 * NuggetsExampleSchema.parse({ instruction: "Add 2 and 3.", output: "5" });
 */
export const NuggetsExampleSchema = z.object({
  instruction: z.string().refine((s) => s.trim().length > 0, { message: "instruction must not be blank" }),
  input: z.string().optional(),
  output: z.string(),
});
export type NuggetsExample = z.infer<typeof NuggetsExampleSchema>;

/** The named presets: `paper` (assay's default) and `reference` (the authors' code, quirks included). */
export const NuggetsPresetNameSchema = z.enum(["paper", "reference"]);
export type NuggetsPresetName = z.infer<typeof NuggetsPresetNameSchema>;

/**
 * What a preset decides. `maxAnchorTokens` caps the anchor's query+output tokens (answer tokens past it are dropped);
 * null means only the engine's context limits it.
 */
export const NuggetsPresetSchema = z.object({
  name: NuggetsPresetNameSchema,
  /** BOS in front of the zero-shot prompt (BOS + anchor). */
  zeroShotBos: z.boolean(),
  /** BOS in front of the one-shot prompt (BOS + candidate + anchor). */
  oneShotBos: z.boolean(),
  maxAnchorTokens: z.number().int().positive().nullable(),
});
export type NuggetsPreset = z.infer<typeof NuggetsPresetSchema>;

/**
 * How a caller picks a preset: a name, optionally with `maxAnchorTokens` overridden.
 */
export const NuggetsPresetChoiceSchema = z.object({
  preset: NuggetsPresetNameSchema.default("paper"),
  maxAnchorTokens: z.number().int().positive().nullable().optional(),
});
export type NuggetsPresetChoice = z.infer<typeof NuggetsPresetChoiceSchema>;

const presetFields = {
  version: z.literal(1),
  preset: NuggetsPresetNameSchema,
  /** The anchor cap actually used (a preset's default or an override), so an override is visible in the result. */
  maxAnchorTokens: z.number().int().positive().nullable(),
};

/**
 * The golden score of one candidate (one line of a results shard). `oneShot[j]` is the raw sum of log-probs of
 * anchor j's output tokens with the candidate in front; `wins` counts anchors where it beats the zero-shot sum
 * strictly. A candidate whose one-shot prompt would not fit the engine's context is `skipped` with its reason, never
 * scored on a cut prompt.
 */
export const NuggetsCandidateScoreSchema = z.discriminatedUnion("status", [
  z.object({
    ...presetFields,
    status: z.literal("scored"),
    /** Position of the candidate in its dataset. */
    index: z.number().int().nonnegative(),
    goldenScore: z.number().min(0).max(1),
    wins: z.number().int().nonnegative(),
    anchors: z.number().int().positive(),
    /**
     * The golden score if every near tie went either way: [clear wins, clear wins + near ties] / anchors. Log-prob sums
     * are not reproducible to the last digit (another CPU, GPU or batch split moves them), so a comparison inside the
     * tolerance (`LOGPROB_SUM_TOLERANCE`) could be decided the other way elsewhere.
     */
    goldenScoreRange: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
    /** The anchors (indices) whose one-shot and zero-shot sums are within the tolerance of each other. */
    nearTies: z.array(z.number().int().nonnegative()),
    oneShot: z.array(z.number()),
  }),
  z.object({
    ...presetFields,
    status: z.literal("skipped"),
    index: z.number().int().nonnegative(),
    anchors: z.number().int().positive(),
    reason: z.string(),
  }),
]);
export type NuggetsCandidateScore = z.infer<typeof NuggetsCandidateScoreSchema>;

/**
 * A `select`-mode line: the candidate was scored only until every requested threshold was decided (see
 * `shared/nuggets/select/`). `decisions["0.8"]` is "above" when GS > 0.8 holds whichever way the unscored anchors
 * go, "below" when it cannot; the subset a select job returns is exactly the exhaustive job's.
 */
export const NuggetsDecidedScoreSchema = z.object({
  ...presetFields,
  status: z.literal("decided"),
  index: z.number().int().nonnegative(),
  anchors: z.number().int().positive(),
  /** Keys are the thresholds as JSON prints them (`"0.8"`). */
  decisions: z.record(z.string(), z.enum(["above", "below"])),
  /** Thresholds whose verdict only the strict comparison could give (near ties straddled it on every anchor). */
  uncertain: z.array(z.string()),
  /** [w / m, (w + unscored) / m]: where the golden score lies, w the strict wins among the anchors scored. */
  bounds: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
  /** Anchors compared (by the engine, from the one-shot cache, or with an empty span: 0 = 0). */
  anchorsScored: z.number().int().nonnegative(),
  /** Strict wins among the anchors scored. */
  wins: z.number().int().nonnegative(),
  /** Near ties among the anchors scored. */
  nearTies: z.array(z.number().int().nonnegative()),
  /** The seed the per-candidate anchor order was drawn from. */
  seed: z.number().int(),
  /** Present when every anchor was scored: the exhaustive golden score and its range. */
  goldenScore: z.number().min(0).max(1).optional(),
  goldenScoreRange: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).optional(),
  /** One-shot sums, null for anchors not scored. */
  oneShot: z.array(z.number().nullable()),
});
export type NuggetsDecidedScore = z.infer<typeof NuggetsDecidedScoreSchema>;

/**
 * Zero-shot sums for one (model, anchor set, preset): computed once, reused for every candidate.
 * `zeroShot[j]` is anchor j's sum; `spanTokens[j]` how many output tokens were scored (0 = an empty span, a tie).
 */
export const NuggetsZeroShotRecordSchema = z.object({
  ...presetFields,
  model: z.string(),
  zeroShot: z.array(z.number()),
  spanTokens: z.array(z.number().int().nonnegative()),
});
export type NuggetsZeroShotRecord = z.infer<typeof NuggetsZeroShotRecordSchema>;

/** How an anchor set was chosen; stored beside it so it can be drawn again. */
export const NuggetsAnchorSelectionSchema = z.discriminatedUnion("method", [
  z.object({ method: z.literal("file") }),
  z.object({ method: z.literal("random"), size: z.number().int().positive(), seed: z.number().int() }),
  z.object({ method: z.literal("kmeans"), k: z.number().int().positive(), seed: z.number().int() }),
]);
export type NuggetsAnchorSelection = z.infer<typeof NuggetsAnchorSelectionSchema>;
