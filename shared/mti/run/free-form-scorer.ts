/**
 * The scorer of MTI-Bench's free-form tasks: each step's answer, found by `segmentAnswer`'s rule, scored by ROUGE-L
 * against the reference. `match` stays false (there is no exact answer); reports average `rougeL` per step.
 */
import { rougeL } from "../free-form/rouge-l.js";
import { segmentAnswer } from "../free-form/segment-steps.js";
import type { MtiAnswerScorer } from "./run-unit.js";

/** A free-form gold is a JSON string: its value is the reference text. */
function referenceOf(raw: string, value: unknown): string {
  return typeof value === "string" ? value : raw;
}

export const freeFormAnswerScorer: MtiAnswerScorer = (output, at, gold, lenient) => {
  const found = segmentAnswer(output, at, lenient);
  const reference = referenceOf(gold.raw, gold.value);
  return {
    parsed: found.how === "none" ? null : found.text,
    normalised: found.how === "none" ? null : found.text,
    gold: reference,
    match: false,
    lenient: found.lenient,
    rougeL: rougeL(found.how === "none" ? "" : found.text, reference),
  };
};
