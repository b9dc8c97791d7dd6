/**
 * Records of a dataset file: a JSON array or JSONL of records, each checked against a schema. Either every record is
 * good and the records come back, or a {@link ValidationError} lists every bad record by its 1-based line number (for
 * a JSON array, the line where the record starts) and nothing is returned to store.
 */
import type { z } from "zod";
import { ValidationError } from "../errors.js";

/** Parsed records: `lines[i]` is the line where `records[i]` starts. */
export interface ParsedRecords<T> {
  readonly format: "json" | "jsonl";
  readonly records: T[];
  readonly lines: number[];
}

/** One rejected record (or a syntax problem between records, which has no index). */
export interface BadRecord {
  /** 0-based position of the record in the file's records; null for a problem that is not inside a record. */
  readonly index: number | null;
  /** 1-based line (and, in a JSON array, column) where the record starts. */
  readonly line: number;
  readonly column?: number;
  readonly problems: string[];
}

/** At most this many bad records carry their problems in the error; every bad line number is always listed. */
export const MAX_DETAILED_BAD_RECORDS = 100;

/**
 * Parse dataset text against a record schema. JSON when the first non-blank character is `[`, else JSONL (blank lines
 * skipped).
 *
 * @example
 * parseRecords('{"instruction":"a","output":"b"}\n{"output":"c"}', NuggetsExampleSchema);
 * // throws ValidationError; details.lines = [2]
 */
export function parseRecords<S extends z.ZodType>(text: string, schema: S): ParsedRecords<z.infer<S>> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const format = body.trimStart().startsWith("[") ? "json" : "jsonl";
  const raw = format === "json" ? splitJsonArray(body) : splitJsonl(body);
  const records: z.infer<S>[] = [];
  const lines: number[] = [];
  const bad: BadRecord[] = [];
  for (const record of raw) {
    const where = { index: record.index, line: record.line, ...(record.column === undefined ? {} : { column: record.column }) };
    if ("error" in record) {
      bad.push({ ...where, problems: [record.error] });
      continue;
    }
    const parsed = schema.safeParse(record.value);
    if (parsed.success) {
      records.push(parsed.data);
      lines.push(record.line);
    } else {
      // One entry per record, never merged with another on the same line (a compact array is all on line 1).
      const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
      bad.push({ ...where, problems });
    }
  }
  if (bad.length > 0) {
    throw new ValidationError(`dataset has ${bad.length} bad record${bad.length === 1 ? "" : "s"}; the first: ${describeBad(bad[0]!)}`, {
      lines: [...new Set(bad.map((b) => b.line))],
      records: bad.slice(0, MAX_DETAILED_BAD_RECORDS),
    });
  }
  if (records.length === 0) throw new ValidationError("dataset has no records");
  return { format, records, lines };
}

/** "record 3 (line 1, column 80): output: expected string". */
export function describeBad(b: BadRecord): string {
  const at = `line ${b.line}${b.column === undefined ? "" : `, column ${b.column}`}`;
  return `${b.index === null ? at : `record ${b.index} (${at})`}: ${b.problems.join("; ")}`;
}

type RawRecord = ({ value: unknown } | { error: string }) & { line: number; column?: number; index: number | null };

function splitJsonl(text: string): RawRecord[] {
  const out: RawRecord[] = [];
  let index = 0;
  text.split(/\r\n|\n|\r/).forEach((content, i) => {
    if (content.trim() === "") return;
    try {
      out.push({ line: i + 1, index: index++, value: JSON.parse(content) });
    } catch (e) {
      out.push({ line: i + 1, index: index++, error: `not valid JSON: ${(e as Error).message}` });
    }
  });
  return out;
}

/**
 * A JSON array's elements with the line each starts on. `JSON.parse` of the whole text would stop at the first syntax
 * error and often without a position, so a small scanner splits the outer array into its elements (tracking strings
 * and nesting) and each element is parsed on its own: every bad record is found, each with its line.
 */
function splitJsonArray(text: string): RawRecord[] {
  const out: RawRecord[] = [];
  const { lineAt, columnAt } = lineIndex(text);
  const open = text.indexOf("[");
  let index = 0;
  let state: "first" | "value" | "after" = "first";
  let depth = 1;
  let inString = false;
  let pieceStart = -1;
  let lastNonSpace = -1;
  let close = -1;
  const problem = (offset: number, error: string) => out.push({ line: lineAt(offset), column: columnAt(offset), index: null, error });
  const finishPiece = () => {
    if (pieceStart < 0) return;
    const slice = text.slice(pieceStart, lastNonSpace + 1);
    const where = { line: lineAt(pieceStart), column: columnAt(pieceStart), index: index++ };
    try {
      out.push({ ...where, value: JSON.parse(slice) });
    } catch (e) {
      out.push({ ...where, error: `not valid JSON: ${(e as Error).message}` });
    }
    pieceStart = -1;
  };
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      lastNonSpace = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\n" || c === "\r") continue;
    if (depth === 1) {
      if (c === ",") {
        if (state === "after") finishPiece();
        else problem(i, "no record before this ','");
        state = "value";
        continue;
      }
      if (c === "]") {
        if (state === "value") problem(i, "trailing ',' before the closing ']'");
        finishPiece();
        close = i;
        break;
      }
      if (state === "after") {
        problem(i, "missing ',' between records");
        finishPiece();
      }
      pieceStart = i;
      state = "after";
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    lastNonSpace = i;
  }
  if (close < 0) {
    finishPiece();
    problem(text.length, "the array is never closed");
  } else if (text.slice(close + 1).trim() !== "") {
    problem(close + 1 + (text.slice(close + 1).length - text.slice(close + 1).trimStart().length), "text after the array");
  }
  return out.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
}

/** offset -> 1-based line and column, by binary search over line starts (a per-record scan would be quadratic). */
function lineIndex(text: string): { lineAt(offset: number): number; columnAt(offset: number): number } {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  const lineAt = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  return { lineAt, columnAt: (offset) => offset - starts[lineAt(offset) - 1]! + 1 };
}
