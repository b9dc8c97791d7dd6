/**
 * A Rock-Paper-Scissors player as the rounds the model plays (`sir_llm/eval_utils.py`,
 * `streaming_inference_token_entropy_for_rps`). The data's `stem` and `utils.py`'s `rps_dataprocessing` question are
 * never shown; the authors build the prompt from the previous round's user move alone:
 * - round 1: "Let's play a game of Rock-Paper-Scissors. Choose one option from: (A) rock (B) paper (C) scissors. "
 *   (with its trailing space, which stays inside the context: only the space after "ASSISTANT:" moves);
 * - round t > 1: `I chose [${move of round t − 1}]. Analyze my preferences to maximize your winning rate and proceed
 *   to the next round. Choices: (A) rock (B) paper (C) scissors. You choose:`.
 * The options are the letters " A", " B", " C"; the choice is by log-probability alone, and the round's user move
 * decides win, tie or lose (`rps-moves.ts`). The model never learns the last round's move.
 */
import type { RpsUnit } from "./rps-data.js";
import { RPS_MOVES, rpsLetter, type RpsMove } from "./rps-moves.js";
import type { ScriptTurn, UnitScript } from "./script-turn.js";
import { letterOptions, vicunaContext } from "./vicuna-turn.js";

/** The first round's user text. */
export const RPS_OPENING_TEXT = "Let's play a game of Rock-Paper-Scissors. Choose one option from: (A) rock (B) paper (C) scissors. ";

/**
 * A later round's user text, revealing the user's previous move.
 *
 * @example
 * rpsNextRoundText("paper");
 * // "I chose [paper]. Analyze my preferences to maximize your winning rate and proceed to the next round. Choices: (A) rock (B) paper (C) scissors. You choose:"
 */
export function rpsNextRoundText(previousUserMove: RpsMove): string {
  return `I chose [${previousUserMove}]. Analyze my preferences to maximize your winning rate and proceed to the next round. Choices: (A) rock (B) paper (C) scissors. You choose:`;
}

/**
 * The script of one player: one turn per round, no reset.
 *
 * @example
 * rpsScript(unit).turns[1]!.userText; // "I chose [rock]. Analyze my preferences …" when round 1's move was rock
 */
export function rpsScript(unit: RpsUnit): UnitScript {
  const options = letterOptions(RPS_MOVES.map(rpsLetter));
  const turns: ScriptTurn[] = unit.rounds.map((round, i) => {
    const previous = i > 0 ? unit.rounds[i - 1]! : undefined;
    const userText = previous ? rpsNextRoundText(previous.userMove) : RPS_OPENING_TEXT;
    return {
      id: String(round.id),
      line: round.line,
      userText,
      context: vicunaContext(userText),
      options,
      rule: "logprob",
      scoring: { metric: "rps", userMove: round.userMove },
    };
  });
  return { task: "rps", unit: unit.id, template: "vicuna", turns };
}
