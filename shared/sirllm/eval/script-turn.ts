/**
 * A unit's script: the ordered turns one chat session receives, as the authors build them
 * (github.com/Zoeyyao27/SirLLM @ 4c95578, `sir_llm/eval_utils.py`). An engine-driven runner walks it:
 *
 * 1. memory starts empty for every unit (the authors set `past_key_values = None` per dialogue, per episode, and per
 *    player: each RPS player gets a fresh cache and a fresh call);
 * 2. for each turn, memory is evicted once, sized for `context` plus one option's continuation (the authors size it
 *    by the last option's, a loop variable that leaks; every option here has the same letter-sized continuation);
 * 3. each option is scored from that same memory: `context` then the option's `continuation` in one forward pass;
 *    the score is the log-probability of the continuation's first token (`_greedy_generate`: "only choose the first
 *    logits as answer");
 * 4. `chooseOption(turn.rule, scores)` picks one; the context and the chosen continuation enter memory, with the
 *    entropies computed in that pass (`past_key_values = choice_past_key_values[choose_idx]`).
 *
 * Tokenization, as the authors do it: each turn is tokenized on its own with no special tokens (no BOS, no separator
 * between turns); the continuation's tokens are those of `context + continuation` past the tokens of `context`.
 */
import type { SirllmEvalTask } from "../../../schemas/sirllm-eval.js";
import type { RpsMove } from "./rps-moves.js";

/** One option of a turn. */
export interface TurnOption {
  /** The option as the authors' `choices` list names it: the data's letter ("A"…"E"), or "OK" for the Grocery key line. */
  readonly label: string;
  /** What follows `context` when the option is scored and, if chosen, enters memory: " A", or " OK". */
  readonly continuation: string;
}

/**
 * How an option is chosen from the scores (`choose-option.ts`):
 * - `greedy-match-then-logprob` (DailyDialog, Grocery questions): the first option whose continuation is the greedy
 *   decode, else the highest first-token log-probability (`streaming_inference_token_entropy_w_turns`, `…_for_keys`);
 * - `logprob` (RPS): the highest first-token log-probability only (`streaming_inference_token_entropy_for_rps`);
 * - `forced` (the Grocery key line): the single option, " OK", whatever the model prefers.
 */
export type ChoiceRule = "greedy-match-then-logprob" | "logprob" | "forced";

/** What a turn counts towards. */
export type TurnScoring =
  /** A question: `answer` is the index of the right option; `metric` is the table column it counts in. */
  | { readonly metric: "dailydialog" | "csqa" | "recall"; readonly answer: number }
  /** An RPS round: the user's move this round (revealed to the model only in the next round's prompt). */
  | { readonly metric: "rps"; readonly userMove: RpsMove }
  /** Fed and remembered, never scored (the Grocery key line). */
  | { readonly metric: "none" };

/** One turn of a script. */
export interface ScriptTurn {
  /** The data line's id (`"0_3"`, `"key_0"`, `"answer_0"`; an RPS round's number). */
  readonly id: string;
  /** 1-based line in the data file; null for generated data. */
  readonly line: number | null;
  /** The user's text exactly as the authors build it, before chat wrapping. */
  readonly userText: string;
  /** The text fed before an option: `USER: {userText}\n\nASSISTANT:` (`vicuna-turn.ts`). */
  readonly context: string;
  readonly options: readonly TurnOption[];
  readonly rule: ChoiceRule;
  readonly scoring: TurnScoring;
}

/** A unit's whole script: one dialogue, one episode or one player. */
export interface UnitScript {
  readonly task: SirllmEvalTask;
  /** The unit's id, unique within the task: the dialogue or episode number, or the player's name. */
  readonly unit: string;
  /** The chat wrapping of every turn's context (`shared/chat/vicuna-template.ts`). */
  readonly template: "vicuna";
  readonly turns: readonly ScriptTurn[];
}
