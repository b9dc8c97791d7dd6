/**
 * The body of `assay mti match`: JSON lines `{gold, output, step}` in, one `{parsed, normalised, match}` line out per
 * input line. Every line is checked before anything is written, so a bad input produces no partial output.
 */
import { ValidationError } from "../../errors.js";
import { MtiMatchLineSchema, type MtiMatchResult } from "../../../schemas/mti-match.js";
import { matchStep } from "./exact-match.js";
import { goldAnswerToPythonStr } from "./gold-answer.js";

/** At most this many bad lines are spelled out in an error message. */
const SHOWN_PROBLEMS = 10;

/**
 * Scores JSON lines; blank lines are skipped (but counted, so line numbers match an editor's).
 *
 * @throws ValidationError naming every bad line (up to ten in the message, all in `details.records`).
 * @example
 * matchLines('{"gold":"\\"E\\"","output":"<task1>\'E\'<task1/>","step":1}\n', { lenient: false });
 * // [{ parsed: "'E'", normalised: "E", match: true }]
 */
export function matchLines(text: string, options: { readonly lenient: boolean }): MtiMatchResult[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const results: MtiMatchResult[] = [];
  const problems: { line: number; problems: string[] }[] = [];
  body.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === "") return;
    const line = index + 1;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      problems.push({ line, problems: [`not JSON: ${(error as Error).message}`] });
      return;
    }
    const parsed = MtiMatchLineSchema.safeParse(json);
    if (!parsed.success) {
      problems.push({ line, problems: parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message)) });
      return;
    }
    let goldPythonStr: string;
    try {
      goldPythonStr = goldAnswerToPythonStr(parsed.data.gold);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push({ line, problems: [error.message] });
      return;
    }
    const { parsed: tag, normalised, match } = matchStep({ output: parsed.data.output, goldPythonStr, step: parsed.data.step }, options);
    results.push({ parsed: tag, normalised, match });
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, SHOWN_PROBLEMS).map((p) => `  line ${p.line}: ${p.problems.join("; ")}`);
    const more = problems.length > shown.length ? [`  … and ${problems.length - shown.length} more`] : [];
    const noun = problems.length === 1 ? "bad line" : "bad lines";
    throw new ValidationError([`stdin: ${problems.length} ${noun} (each needs {"gold": "<raw JSON>", "output": "…", "step": N})`, ...shown, ...more].join("\n"), {
      records: problems,
    });
  }
  return results;
}
