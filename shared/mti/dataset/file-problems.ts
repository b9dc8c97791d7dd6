/**
 * How a bad MTI-Bench file is reported: one {@link ValidationError} whose message names the first problem by task,
 * instance and field, and whose details list every problem (up to a cap), so a 7.9 MB file with one typo points at
 * the typo.
 */
import type { z } from "zod";
import { ValidationError } from "../../errors.js";

/** One problem in a file: where (readable) and what. */
export interface FileProblem {
  readonly where: string;
  readonly message: string;
}

/** At most this many problems travel in the error's details; the message always says how many there were. */
export const MAX_REPORTED_PROBLEMS = 100;

/** Turns a zod issue path into words; each file kind says how its paths read. */
export type DescribePath = (path: readonly PropertyKey[]) => string;

/**
 * Where a problem sits in a benchmark file: `task 002, instance 002_2854, context.1x`.
 *
 * @example
 * describeBenchPath(["002", "instance", "002_2854", "answers"]); // "task 002, instance 002_2854, answers"
 */
export const describeBenchPath: DescribePath = (path) => {
  if (path.length === 0) return "the file";
  const [task, section, uid, ...rest] = path.map(String);
  if (section === "instance" && uid !== undefined) {
    return `task ${task}, instance ${uid}${rest.length > 0 ? `, ${rest.join(".")}` : ""}`;
  }
  return `task ${task}${section === undefined ? "" : `, ${[section, uid, ...rest].filter((p) => p !== undefined).join(".")}`}`;
};

/**
 * Where a problem sits in `cot_breakdown.json`: `rows[3] (task 004), step#2` — rows counted from 0, as in the file.
 *
 * @example
 * describeDemosPath(["rows", 3, "step#2"], ["001", "002", "003", "004"]); // "rows[3] (task 004), step#2"
 */
export function describeDemosPath(path: readonly PropertyKey[], tuids: readonly (string | undefined)[] = []): string {
  if (path.length === 0) return "the file";
  const [section, row, ...rest] = path;
  if (section === "rows" && typeof row === "number") {
    const tuid = tuids[row];
    return `rows[${row}]${tuid === undefined ? "" : ` (task ${tuid})`}${rest.length > 0 ? `, ${rest.map(String).join(".")}` : ""}`;
  }
  return path.map(String).join(".");
}

/** The problems of a failed zod parse, in words. */
export function problemsOf(error: z.ZodError, describe: DescribePath): FileProblem[] {
  return error.issues.map((issue) => ({ where: describe(issue.path), message: issue.message }));
}

/**
 * The error for a file with problems: `3 problems; the first: task 002, instance 002_2854, answers: 2 gold answers
 * for 3 instructions`. `what` names the file kind ("MTI-Bench file").
 */
export function fileProblemsError(what: string, problems: readonly FileProblem[]): ValidationError {
  const first = problems[0];
  const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
  return new ValidationError(`${what} has ${count}; the first: ${first ? `${first.where}: ${first.message}` : "?"}`, {
    problems: problems.slice(0, MAX_REPORTED_PROBLEMS),
  });
}

/**
 * JSON.parse, with a syntax error turned into a {@link ValidationError} (a leading byte-order mark is dropped first, as
 * editors on Windows write one).
 */
export function parseJsonText(text: string, what: string): { body: string; value: unknown } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { body, value: JSON.parse(body) as unknown };
  } catch (cause) {
    throw new ValidationError(`${what} is not valid JSON: ${(cause as Error).message}`, null, { cause });
  }
}
