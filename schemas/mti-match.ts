/**
 * `assay mti match` lines: one step of one model output and its gold answer in, one verdict out (REFERENCE.md §3).
 */
import { z } from "zod";

/**
 * An input line. `gold` is the gold answer as raw JSON text, exactly as MTI_BENCH.json spells it, so that `1.0` stays
 * a float ("1.0") and `"E"` a string; `step` picks the `<taskN>` tag to read.
 *
 * @example
 * MtiMatchLineSchema.parse({ gold: "[1, 2, 4]", output: "<task1>[1,2,4]<task1/>", step: 1 });
 */
export const MtiMatchLineSchema = z.object({
  gold: z.string({ error: 'gold must be a string holding the answer\'s raw JSON text, e.g. "1.0", "[1, 2]" or "\\"E\\""' }),
  output: z.string({ error: "output must be a string (the model's generation)" }),
  step: z.number({ error: "step must be a number" }).int("step must be an integer").min(1, "step must be 1 or more"),
});
export type MtiMatchLine = z.infer<typeof MtiMatchLineSchema>;

/** An output line: exactly these three keys. `parsed`/`normalised` are null when the step's tag is missing. */
export const MtiMatchResultSchema = z.strictObject({
  parsed: z.string().nullable(),
  normalised: z.string().nullable(),
  match: z.boolean(),
});
export type MtiMatchResult = z.infer<typeof MtiMatchResultSchema>;
