/**
 * How much of each data file the paper evaluates (github.com/Zoeyyao27/SirLLM @ 4c95578), as named defaults. A
 * `--limit`-style cut (first N units) applies after these caps.
 */
import { ValidationError } from "../../errors.js";

/**
 * DailyDialog items evaluated: the first 2,000 of 3,700 (`examples/run_streaming_llama_concate_question_new_eval.py`,
 * `prompts=prompts[:2000]`; `sir_llm/utils.py`, `load_dalydialog`: "we only use 2000 samples in the paper"). The cut
 * is by item, before dialogues are formed, so a dialogue could be cut short; in the authors' file item 2,000 happens
 * to end dialogue 518, so the cap yields 519 whole dialogues.
 */
export const DAILYDIALOG_PAPER_ITEMS = 2000;

/** Grocery Shopping episodes evaluated: all 548 (the authors' script applies no cap to `keys.jsonl`). */
export const GROCERY_PAPER_EPISODES = 548;

/** Rock-Paper-Scissors rounds per player: the first 2,000 of 3,000 (`prompts=prompts[:2000] #only play for 2000 rounds`). */
export const RPS_PAPER_ROUNDS = 2000;

/** Rounds per window in the RPS table's learning curve. */
export const RPS_WINDOW_ROUNDS = 100;

/**
 * The first `limit` units (all of them without a limit).
 *
 * @example
 * firstUnits(["a", "b", "c"], 2); // ["a", "b"]
 */
export function firstUnits<T>(units: readonly T[], limit?: number): T[] {
  if (limit === undefined) return [...units];
  return units.slice(0, positiveCount("limit", limit));
}

/**
 * `value` if it is a positive integer; a ValidationError naming `name` otherwise.
 *
 * @example
 * positiveCount("maxItems", 2000); // 2000
 */
export function positiveCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ValidationError(`${name} must be a positive integer, got ${value}`);
  return value;
}
