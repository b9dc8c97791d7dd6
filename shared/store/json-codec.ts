/**
 * Parsing and serialising the JSON and JSON Lines objects the store holds. Every read is validated against a zod
 * schema; a failure is a ValidationError naming the key (and the line, for JSON Lines).
 */
import type { z } from "zod";
import { ValidationError } from "../errors.js";

/** Content types the store writes. */
export const JSON_CONTENT_TYPE = "application/json";
export const JSONL_CONTENT_TYPE = "application/x-ndjson";

function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}

/** Validates a value against a schema, naming `where` in the error. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: { key: string; line?: number }): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const at = where.line === undefined ? where.key : `${where.key} line ${where.line}`;
  throw new ValidationError(`${at} does not match its schema`, { ...where, issues: describeIssues(result.error) });
}

function parseText(text: string, where: { key: string; line?: number }): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const at = where.line === undefined ? where.key : `${where.key} line ${where.line}`;
    throw new ValidationError(`${at} is not valid JSON`, { ...where, reason: (cause as Error).message });
  }
}

/** Parses and validates one JSON document. */
export function parseJson<S extends z.ZodType>(key: string, text: string, schema: S): z.infer<S> {
  return validate(schema, parseText(text, { key }), { key });
}

/** Parses and validates one JSON Lines line (1-based `line`). */
export function parseJsonLine<S extends z.ZodType>(key: string, line: number, text: string, schema: S): z.infer<S> {
  return validate(schema, parseText(text, { key, line }), { key, line });
}

/**
 * Parses a whole JSON Lines text. Blank lines (and a trailing newline) are skipped; line numbers count them.
 *
 * @example
 * parseJsonl("k", '{"a":1}\n{"a":2}\n', z.object({ a: z.number() })); // [{a: 1}, {a: 2}]
 */
export function parseJsonl<S extends z.ZodType>(key: string, text: string, schema: S): z.infer<S>[] {
  const rows: z.infer<S>[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() !== "") rows.push(parseJsonLine(key, index + 1, line, schema));
  });
  return rows;
}

/** Serialises records as JSON Lines, one per line, newline-terminated. */
export function serializeJsonl(rows: readonly unknown[]): string {
  return rows.map((row) => JSON.stringify(row)).join("\n") + (rows.length > 0 ? "\n" : "");
}
