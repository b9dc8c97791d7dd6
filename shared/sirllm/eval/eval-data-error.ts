/**
 * A SirLLM data file that cannot be evaluated. One error per file, naming the file kind and the first problem by its
 * 1-based line, with every bad line in `details.lines`, so a bad line in a 12,056-line file points at that line.
 */
import { ValidationError } from "../../errors.js";

/** One problem at one line of a data file. */
export interface DataLineProblem {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly message: string;
}

/** At most this many problems travel in the error's details; `lines` always lists every bad line. */
export const MAX_REPORTED_DATA_PROBLEMS = 100;

/**
 * A bad DailyDialog, Grocery Shopping or Rock-Paper-Scissors file (400 through the API: the caller sent it).
 *
 * @example
 * throw new SirllmEvalDataError("DailyDialog file", [{ line: 7, message: "answerKey is not one of the choice labels" }]);
 * // message: "DailyDialog file has 1 bad line; the first: line 7: answerKey is not one of the choice labels"
 */
export class SirllmEvalDataError extends ValidationError {
  /** Every bad line, ascending. */
  readonly lines: readonly number[];

  constructor(what: string, problems: readonly DataLineProblem[]) {
    const lines = [...new Set(problems.map((p) => p.line))].sort((a, b) => a - b);
    const first = [...problems].sort((a, b) => a.line - b.line)[0];
    const count = `${lines.length} bad line${lines.length === 1 ? "" : "s"}`;
    super(`${what} has ${count}; the first: ${first ? `line ${first.line}: ${first.message}` : "?"}`, {
      lines,
      problems: problems.slice(0, MAX_REPORTED_DATA_PROBLEMS),
    });
    this.lines = lines;
  }
}
