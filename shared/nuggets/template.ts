/**
 * The NUGGETS prompt template (REFERENCE.md §1) — not the Stanford Alpaca template:
 * - with input: `Instruction:\n{instruction}\nInput:\n{input}\nResponse:\n{output}`
 * - without:    `Instruction:\n{instruction}\nResponse:\n{output}`
 * Every field is stripped first, as the authors' `dataset_preprocess` does with Python's `str.strip()`.
 */
import type { NuggetsExample } from "../../schemas/nuggets.js";

// Python's str.isspace() set, which differs from JS's trim(): Python strips \x1c-\x1f and \x85, JS strips \ufeff.
const PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");

/**
 * Python's `s.strip()` with no argument.
 *
 * @example
 * pyStrip("\x1f hi \ufeff"); // "hi \ufeff" (JS trim() would give "\x1f hi")
 */
export function pyStrip(s: string): string {
  return s.replace(PY_STRIP, "");
}

/** An example rendered: `query` is the text up to and including `Response:\n`; `full` is query + output. */
export interface RenderedExample {
  readonly query: string;
  readonly full: string;
}

/**
 * Render an example with the NUGGETS template. An input that is absent or blank after stripping selects the
 * template without the `Input:` block (the authors test `input != ""` after stripping).
 *
 * @example
 * renderExample({ instruction: "Add.", input: "2 3", output: "5" }).full;
 * // "Instruction:\nAdd.\nInput:\n2 3\nResponse:\n5"
 */
export function renderExample(example: NuggetsExample): RenderedExample {
  const instruction = pyStrip(example.instruction);
  const input = pyStrip(example.input ?? "");
  const output = pyStrip(example.output);
  const query =
    input !== ""
      ? `Instruction:\n${instruction}\nInput:\n${input}\nResponse:\n`
      : `Instruction:\n${instruction}\nResponse:\n`;
  return { query, full: query + output };
}
