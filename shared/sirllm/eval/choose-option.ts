/**
 * The authors' choice among scored options (github.com/Zoeyyao27/SirLLM @ 4c95578, `sir_llm/eval_utils.py`). Nothing
 * is sampled. For DailyDialog and Grocery (`streaming_inference_token_entropy_w_turns`, `…_for_keys`):
 * `if True in answers: choose_idx = answers.index(True) else: choose_idx = answer_logits.index(max(answer_logits))`,
 * where `answers[i]` says whether the greedy decode of option i's continuation, spaces removed, equals the
 * continuation, spaces removed, and `answer_logits[i]` is the log-probability of its first token. For RPS
 * (`streaming_inference_token_entropy_for_rps`) only the second half. Ties go to the earliest option (`list.index`).
 */
import { ValidationError } from "../../errors.js";
import type { ChoiceRule } from "./script-turn.js";

/** What an engine measured for one option. */
export interface OptionScore {
  /** log p(first token of the continuation | memory, context). */
  readonly logprob: number;
  /**
   * Whether the greedy (argmax) tokens at the continuation's positions decode, spaces removed, to the continuation,
   * spaces removed. Only `greedy-match-then-logprob` reads it; absent counts as false, which leaves the log-probability
   * rule, the same choice unless the argmax is a differently spaced spelling of the option's letter.
   */
  readonly greedyMatch?: boolean;
}

/**
 * The index of the chosen option.
 *
 * @example
 * chooseOption("logprob", [{ logprob: -2 }, { logprob: -0.5 }, { logprob: -0.5 }]); // 1: the earliest of the tied best
 * chooseOption("greedy-match-then-logprob", [{ logprob: -0.1 }, { logprob: -3, greedyMatch: true }]); // 1
 */
export function chooseOption(rule: ChoiceRule, scores: readonly OptionScore[]): number {
  if (scores.length === 0) throw new ValidationError("no option scores to choose from");
  if (scores.some((s) => Number.isNaN(s.logprob))) throw new ValidationError("an option's log-probability is NaN");
  if (rule === "forced") {
    if (scores.length !== 1) throw new ValidationError(`a forced turn has exactly one option, got ${scores.length} scores`);
    return 0;
  }
  if (rule === "greedy-match-then-logprob") {
    const matched = scores.findIndex((s) => s.greedyMatch === true);
    if (matched >= 0) return matched;
  }
  let best = 0;
  // Strictly greater: Python's `index(max(...))` keeps the first of equal maxima.
  scores.forEach((s, i) => {
    if (s.logprob > scores[best]!.logprob) best = i;
  });
  return best;
}
