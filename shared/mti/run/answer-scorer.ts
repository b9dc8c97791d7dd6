/**
 * The scorer a sweep's units use: find the answer in the output, normalise it as the authors' `eval` would (without
 * executing anything) and compare it with the gold answer as Python prints it (REFERENCE.md §3).
 */
import { goldAnswerToPythonStr } from "../scoring/gold-answer.js";
import { normaliseAnswer } from "../scoring/normalise-answer.js";
import { parseTaskAnswer, type ParsedTaskAnswer } from "../scoring/parse-task-answer.js";
import type { MtiAnswerScorer } from "./run-unit.js";

/**
 * The `occurrence`-th (0-based) `<task{tag}>…` answer of an output: the first, or — for the second instance of a
 * batch pair at steps ≥ 2, where both instructions ask for the same tag — the first one after the earlier answers.
 *
 * @example
 * nthTaskAnswer("<task2>a<task2/> <task2>b<task2/>", 2, 1, false); // { text: "b", lenientClose: false }
 */
export function nthTaskAnswer(output: string, tag: number, occurrence: number, lenient: boolean): ParsedTaskAnswer | null {
  let rest = output;
  for (let i = 0; i < occurrence; i++) {
    const close = new RegExp(`<task${tag}>[\\s\\S]*?${lenient ? `(?:<task${tag}/>|</task${tag}>)` : `<task${tag}/>`}`).exec(rest);
    if (close === null) return null;
    rest = rest.slice(close.index + close[0].length);
  }
  return parseTaskAnswer(rest, tag, { lenient });
}

/** {@link MtiAnswerScorer} with the authors' parsing, normalisation and exact match. */
export const authorsAnswerScorer: MtiAnswerScorer = (output, { tag, occurrence }, gold, lenient) => {
  const parsed = nthTaskAnswer(output, tag, occurrence, lenient);
  const goldStr = goldAnswerToPythonStr(gold.raw);
  const normalised = parsed === null ? null : normaliseAnswer(parsed.text);
  return {
    parsed: parsed?.text ?? null,
    normalised,
    gold: goldStr,
    match: normalised !== null && normalised === goldStr,
    lenient: parsed?.lenientClose ?? false,
  };
};
