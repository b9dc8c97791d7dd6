/**
 * JSONL lines of a SirLLM data file, each checked against its record schema. The authors read these files with
 * `json.loads` per line (`sir_llm/utils.py`); here every line is checked first so that a bad line is reported by
 * number instead of surfacing as a wrong prompt later.
 */
import type { z } from "zod";
import { SirllmEvalDataError, type DataLineProblem } from "./eval-data-error.js";

/** A record and the 1-based line it came from. */
export interface NumberedRecord<T> {
  readonly line: number;
  readonly record: T;
}

/**
 * Every non-blank line parsed and validated; throws one {@link SirllmEvalDataError} listing every bad line.
 *
 * @example
 * parseEvalJsonl('{"id": 0}\n', RpsRecordSchema, "Rock-Paper-Scissors file");
 * // SirllmEvalDataError: Rock-Paper-Scissors file has 1 bad line; the first: line 1: question: …
 */
export function parseEvalJsonl<S extends z.ZodType>(text: string, schema: S, what: string): NumberedRecord<z.infer<S>>[] {
  // Editors on Windows write a byte-order mark; it is not part of the first record.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: NumberedRecord<z.infer<S>>[] = [];
  const problems: DataLineProblem[] = [];
  body.split(/\r\n|\n|\r/).forEach((content, i) => {
    const line = i + 1;
    if (content.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (e) {
      problems.push({ line, message: `not valid JSON: ${(e as Error).message}` });
      return;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) records.push({ line, record: parsed.data });
    else {
      const issues = parsed.error.issues.map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message));
      problems.push({ line, message: issues.join("; ") });
    }
  });
  if (problems.length > 0) throw new SirllmEvalDataError(what, problems);
  if (records.length === 0) throw new SirllmEvalDataError(what, [{ line: 1, message: "no records" }]);
  return records;
}
