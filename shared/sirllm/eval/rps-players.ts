/**
 * Seeded Rock-Paper-Scissors players shaped like the authors' files, so an evaluation can run on players the model
 * cannot have seen. The authors ship no generator; their three files show the distribution (over 3,000 rounds each):
 * the favourite move ≈ 0.50 (1490, 1493, 1543 rounds), the move that beats the favourite ≈ 0.30 (945, 893, 855), the
 * remaining move ≈ 0.20 (565, 614, 602), drawn independently each round, and `answerKey` is always the move that
 * beats the user's. Against such a player always countering the favourite wins 0.50 (ties 0.30), uniform play 1/3.
 */
import { RPS_CHOICES, type RpsRecord } from "../../../schemas/sirllm-eval.js";
import { mulberry32 } from "../../random/mulberry32.js";
import { positiveCount } from "./paper-caps.js";
import { rpsUnitFromRecords, type RpsUnit } from "./rps-data.js";
import { RPS_MOVES, beatingMove, rpsLetter, type RpsMove } from "./rps-moves.js";

/** Probability of the favourite move, of the move that beats it, and of the remaining move. */
export const RPS_PLAYER_PROBABILITIES = { favourite: 0.5, beatsFavourite: 0.3, other: 0.2 } as const;

/** The stem of the authors' lines (never shown to the model, kept so generated lines look like theirs). */
export const RPS_DATA_STEM = "Please play a game of Rock-Paper-Scissors.";

/** What to generate. */
export interface RpsGenerateOptions {
  readonly count: number;
  /** 0 ≤ seed < 2^32. */
  readonly seed: number;
  readonly rounds: number;
}

/** One generated player. */
export interface GeneratedRpsPlayer {
  /** `seed{seed}_player{i}_dominant_{favourite}`. */
  readonly name: string;
  readonly favourite: RpsMove;
  /** Lines as in the authors' files: ids 0, 1, …; `user_choice` and `answerKey` letters. */
  readonly records: readonly RpsRecord[];
}

/**
 * `count` players. Player i favours rock, paper, scissors in turn (i mod 3, like the authors' three files) and draws
 * from its own stream, seeded by the i-th draw of `mulberry32(seed)`: a player does not change when `count` or
 * `rounds` do, and a shorter game is a prefix of a longer one.
 *
 * @example
 * generateRpsPlayers({ count: 3, seed: 7, rounds: 2000 }).map((p) => p.name);
 * // ["seed7_player0_dominant_rock", "seed7_player1_dominant_paper", "seed7_player2_dominant_scissors"]
 */
export function generateRpsPlayers(options: RpsGenerateOptions): GeneratedRpsPlayer[] {
  const count = positiveCount("count", options.count);
  const rounds = positiveCount("rounds", options.rounds);
  const seeds = mulberry32(options.seed);
  return Array.from({ length: count }, (_, i) => {
    const favourite = RPS_MOVES[i % 3]!;
    const next = mulberry32(Math.floor(seeds() * 2 ** 32));
    const records = Array.from({ length: rounds }, (_, id) => rpsRecord(id, drawMove(favourite, next())));
    return { name: `seed${options.seed}_player${i}_dominant_${favourite}`, favourite, records };
  });
}

/**
 * Generated players as units, ready for `rpsScript`.
 *
 * @example
 * generatedRpsUnits(generateRpsPlayers({ count: 1, seed: 0, rounds: 10 }))[0]!.rounds.length; // 10
 */
export function generatedRpsUnits(players: readonly GeneratedRpsPlayer[]): RpsUnit[] {
  return players.map((p) => rpsUnitFromRecords(p.name, p.records.map((record) => ({ line: null, record })), p.records.length));
}

/**
 * The user's move for a uniform draw `u` in [0, 1).
 *
 * @example
 * drawMove("rock", 0.6); // "paper": 0.5 ≤ u < 0.8 is the move that beats the favourite
 */
export function drawMove(favourite: RpsMove, u: number): RpsMove {
  const { favourite: pf, beatsFavourite: pb } = RPS_PLAYER_PROBABILITIES;
  if (u < pf) return favourite;
  const beats = beatingMove(favourite);
  if (u < pf + pb) return beats;
  return beatingMove(beats);
}

function rpsRecord(id: number, user: RpsMove): RpsRecord {
  return {
    id,
    // Fresh objects per record, so that no caller can change every record's choices through one of them.
    question: { stem: RPS_DATA_STEM, choices: [{ ...RPS_CHOICES[0] }, { ...RPS_CHOICES[1] }, { ...RPS_CHOICES[2] }] },
    user_choice: rpsLetter(user),
    answerKey: rpsLetter(beatingMove(user)),
  };
}
