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

/** One rejected record. */
export interface BadRecord {
  readonly line: number;
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
    if ("error" in record) {
      addProblems(bad, record.line, [record.error]);
      continue;
    }
    const parsed = schema.safeParse(record.value);
    if (parsed.success) {
      records.push(parsed.data);
      lines.push(record.line);
    } else {
      const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message));
      addProblems(bad, record.line, problems);
    }
  }
  if (bad.length > 0) {
    throw new ValidationError(`dataset has ${bad.length} bad record${bad.length === 1 ? "" : "s"}`, {
      lines: bad.map((b) => b.line),
      records: bad.slice(0, MAX_DETAILED_BAD_RECORDS),
    });
  }
  if (records.length === 0) throw new ValidationError("dataset has no records");
  return { format, records, lines };
}

/** One entry per bad line, so two problems on one line are listed once. */
function addProblems(bad: BadRecord[], line: number, problems: string[]): void {
  const last = bad[bad.length - 1];
  if (last && last.line === line) last.problems.push(...problems);
  else bad.push({ line, problems });
}

type RawRecord = { line: number; value: unknown } | { line: number; error: string };

function splitJsonl(text: string): RawRecord[] {
  const out: RawRecord[] = [];
  text.split(/\r\n|\n|\r/).forEach((content, i) => {
    if (content.trim() === "") return;
    try {
      out.push({ line: i + 1, value: JSON.parse(content) });
    } catch (e) {
      out.push({ line: i + 1, error: `not valid JSON: ${(e as Error).message}` });
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
  const lineAt = lineIndex(text);
  const open = text.indexOf("[");
  let state: "first" | "value" | "after" = "first";
  let depth = 1;
  let inString = false;
  let pieceStart = -1;
  let lastNonSpace = -1;
  let close = -1;
  const problem = (offset: number, error: string) => out.push({ line: lineAt(offset), error });
  const finishPiece = () => {
    if (pieceStart < 0) return;
    const slice = text.slice(pieceStart, lastNonSpace + 1);
    try {
      out.push({ line: lineAt(pieceStart), value: JSON.parse(slice) });
    } catch (e) {
      out.push({ line: lineAt(pieceStart), error: `not valid JSON: ${(e as Error).message}` });
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
  return out.sort((a, b) => a.line - b.line);
}

/** offset -> 1-based line, by binary search over line starts (a per-record scan would be quadratic on 52k records). */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
