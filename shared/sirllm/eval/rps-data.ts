/**
 * Rock-Paper-Scissors players (`data/sirllm/rock_paper_scissors/rock_paper_scissors_dominant_{move}.jsonl`): each
 * file is one player's 3,000 rounds, of which the paper plays the first 2,000 without ever resetting memory
 * (`examples/run_streaming_llama_concate_question_new_eval.py`: `for domi in ["rock","paper","scissors"]`, a fresh
 * cache per file, `prompts=prompts[:2000]`). A unit is one player.
 */
import { RpsRecordSchema, type RpsRecord } from "../../../schemas/sirllm-eval.js";
import { ValidationError } from "../../errors.js";
import { SirllmEvalDataError } from "./eval-data-error.js";
import { RPS_PAPER_ROUNDS, firstUnits, positiveCount } from "./paper-caps.js";
import { parseEvalJsonl } from "./parse-eval-jsonl.js";
import { rpsMoveOf, type RpsMove } from "./rps-moves.js";

/** One round: the user's move, from a data line or generated. */
export interface RpsRound {
  /** The record's id (the round number, from 0 in the authors' files). */
  readonly id: number;
  /** 1-based line in the file; null for a generated round. */
  readonly line: number | null;
  readonly userMove: RpsMove;
}

/** One player: the unit. */
export interface RpsUnit {
  /** The player's name: the unit's id (`dominant_rock` for the authors' files, `seed7_player0_dominant_rock` generated). */
  readonly id: string;
  readonly rounds: readonly RpsRound[];
}

/** One player's file. */
export interface RpsPlayerFile {
  /** The player's name, unique among the files. */
  readonly name: string;
  readonly text: string;
}

/** Where to cut. */
export interface RpsUnitOptions {
  /** Rounds kept from the start of each player's file (default: the paper's 2,000). */
  readonly maxRounds?: number;
  /** Players kept, in the order given (default: all). */
  readonly limit?: number;
}

/** The player names of the authors' three files, in the order their script plays them. */
export const RPS_DATA_PLAYERS = ["dominant_rock", "dominant_paper", "dominant_scissors"] as const;

/**
 * The authors' file name for one of their players.
 *
 * @example
 * rpsDataFileName("dominant_paper"); // "rock_paper_scissors_dominant_paper.jsonl"
 */
export function rpsDataFileName(player: (typeof RPS_DATA_PLAYERS)[number]): string {
  return `rock_paper_scissors_${player}.jsonl`;
}

/**
 * The players of some RPS files, each validated whole (bad lines reported by number, with the player's name) and cut
 * to `maxRounds` rounds. Round ids must count 0, 1, 2, … in order: the prompt of round t reveals the move of round
 * t − 1, so a missing or shuffled round would leak the wrong move.
 *
 * @example
 * loadRpsUnits([{ name: "dominant_rock", text }]).map((u) => u.rounds.length); // [2000]
 */
export function loadRpsUnits(files: readonly RpsPlayerFile[], options: RpsUnitOptions = {}): RpsUnit[] {
  const names = new Set<string>();
  for (const f of files) {
    // Unit ids must be unique, or two players' outcomes would collide in a table.
    if (names.has(f.name)) throw new ValidationError(`two Rock-Paper-Scissors files for player "${f.name}"`);
    names.add(f.name);
  }
  return firstUnits(files, options.limit).map((f) => {
    const what = `Rock-Paper-Scissors file of player "${f.name}"`;
    const lines = parseEvalJsonl(f.text, RpsRecordSchema, what);
    return rpsUnitFromRecords(f.name, lines, options.maxRounds, what);
  });
}

/**
 * A player from records shaped like the authors' lines (read from a file or generated), cut to `maxRounds`.
 *
 * @example
 * rpsUnitFromRecords("p", generated.records.map((record) => ({ line: null, record }))).rounds.length;
 */
export function rpsUnitFromRecords(
  name: string,
  records: readonly { readonly line: number | null; readonly record: RpsRecord }[],
  maxRounds: number = RPS_PAPER_ROUNDS,
  what = `Rock-Paper-Scissors rounds of player "${name}"`,
): RpsUnit {
  const problems = records.flatMap(({ line, record }, i) =>
    record.id === i ? [] : [{ line: line ?? i + 1, message: `round id ${record.id} where ${i} was expected (ids count 0, 1, 2, … in order)` }],
  );
  if (problems.length > 0) throw new SirllmEvalDataError(what, problems);
  const kept = records.slice(0, positiveCount("maxRounds", maxRounds));
  return { id: name, rounds: kept.map(({ line, record }) => ({ id: record.id, line, userMove: rpsMoveOf(record.user_choice) })) };
}

/**
 * Records as JSONL, one per line (the authors' field names and order; JSON.stringify's spacing).
 *
 * @example
 * formatRpsJsonl(player.records); // '{"id":0,"question":{…},"user_choice":"A","answerKey":"B"}\n…'
 */
export function formatRpsJsonl(records: readonly RpsRecord[]): string {
  return records.map((r) => JSON.stringify(r) + "\n").join("");
}
