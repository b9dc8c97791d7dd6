/**
 * Rock-Paper-Scissors moves, their letters in the authors' files (A rock, B paper, C scissors) and the round rule
 * (`sir_llm/eval_utils.py`, `streaming_inference_token_entropy_for_rps`): the model wins when its choice is
 * `answerKey`, the move that beats the user's; ties when it equals the user's move; loses otherwise.
 */
import type { RpsLetter } from "../../../schemas/sirllm-eval.js";

/** The three moves, in the order of their letters. */
export const RPS_MOVES = ["rock", "paper", "scissors"] as const;
/** A move, as the authors' prompts name it ("I chose [paper]"). */
export type RpsMove = (typeof RPS_MOVES)[number];

/** A round's result for the model. */
export type RpsResult = "win" | "tie" | "lose";

const LETTERS: Readonly<Record<RpsMove, RpsLetter>> = { rock: "A", paper: "B", scissors: "C" };
const MOVES: Readonly<Record<RpsLetter, RpsMove>> = { A: "rock", B: "paper", C: "scissors" };
const BEATEN_BY: Readonly<Record<RpsMove, RpsMove>> = { rock: "paper", paper: "scissors", scissors: "rock" };

/**
 * The move's letter.
 *
 * @example
 * rpsLetter("paper"); // "B"
 */
export function rpsLetter(move: RpsMove): RpsLetter {
  return LETTERS[move];
}

/**
 * The letter's move.
 *
 * @example
 * rpsMoveOf("C"); // "scissors"
 */
export function rpsMoveOf(letter: RpsLetter): RpsMove {
  return MOVES[letter];
}

/**
 * The move that beats `move`.
 *
 * @example
 * beatingMove("rock"); // "paper"
 */
export function beatingMove(move: RpsMove): RpsMove {
  return BEATEN_BY[move];
}

/**
 * The model's result when it plays `model` against the user's `user`.
 *
 * @example
 * rpsResult("paper", "rock"); // "win"
 */
export function rpsResult(model: RpsMove, user: RpsMove): RpsResult {
  if (model === beatingMove(user)) return "win";
  if (model === user) return "tie";
  return "lose";
}
