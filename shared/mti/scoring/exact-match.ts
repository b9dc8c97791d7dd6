/**
 * One step's verdict, the authors' way: parse the step's tag from the output, normalise it, and compare
 * `str(pred) == str(gold)` as strings (src.py @ 05ddd6a, `calculate_accuracy`: `answer[i] == prediction[i]`).
 */
import { normaliseAnswer } from "./normalise-answer.js";
import { parseTaskAnswer } from "./parse-task-answer.js";

/** A step's verdict. `parsed` and `normalised` are null when the output has no answer tag for the step. */
export interface StepMatch {
  readonly parsed: string | null;
  readonly normalised: string | null;
  readonly match: boolean;
  /** The answer was found only through the lenient `</taskN>` closing tag (always false without `lenient`). */
  readonly lenientClose: boolean;
}

/**
 * `str(pred) == str(gold)`; a missing prediction (null) equals nothing.
 *
 * @example
 * exactMatch("[1, 2]", "[1, 2]"); // true
 * exactMatch(null, "-1210"); // false
 */
export function exactMatch(normalisedPrediction: string | null, goldPythonStr: string): boolean {
  return normalisedPrediction !== null && normalisedPrediction === goldPythonStr;
}

/**
 * Scores one step of one output against the gold's Python `str` (see `goldAnswerToPythonStr`).
 *
 * @example
 * matchStep({ output: "<task1>[1,2,4]<task1/>", goldPythonStr: "[1, 2, 4]", step: 1 }, { lenient: false });
 * // { parsed: "[1,2,4]", normalised: "[1, 2, 4]", match: true, lenientClose: false }
 */
export function matchStep(
  input: { readonly output: string; readonly goldPythonStr: string; readonly step: number },
  options: { readonly lenient: boolean },
): StepMatch {
  const parsed = parseTaskAnswer(input.output, input.step, { lenient: options.lenient });
  if (!parsed) return { parsed: null, normalised: null, match: false, lenientClose: false };
  const normalised = normaliseAnswer(parsed.text);
  return { parsed: parsed.text, normalised, match: exactMatch(normalised, input.goldPythonStr), lenientClose: parsed.lenientClose };
}
