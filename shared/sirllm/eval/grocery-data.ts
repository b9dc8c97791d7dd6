/**
 * Grocery Shopping (`data/sirllm/grocery_keys/keys.jsonl`): 548 episodes of 22 lines each: the key line (`key_{e}`,
 * "I want you to buy the GROCERY: [x]. "), 20 CommonsenseQA questions (id `{e}`) and the recall question
 * (`answer_{e}`, four options). A unit is one episode: the authors reset memory whenever the number after the last
 * `_` of the id changes (`sir_llm/eval_utils.py`, `streaming_inference_token_entropy_for_keys`: `current_turn =
 * int(q_id.split("_")[-1])`), and count a line as recall when its id contains "answer", as CommonsenseQA when it
 * contains neither "key" nor "answer".
 */
import { GroceryRecordSchema, type GroceryRecord } from "../../../schemas/sirllm-eval.js";
import { SirllmEvalDataError, type DataLineProblem } from "./eval-data-error.js";
import { GROCERY_PAPER_EPISODES, firstUnits, positiveCount } from "./paper-caps.js";
import { parseEvalJsonl } from "./parse-eval-jsonl.js";

const WHAT = "Grocery Shopping file";

/** What a line of an episode is. */
export type GroceryLineKind = "key" | "csqa" | "recall";

/** One line of an episode. */
export interface GroceryLine {
  readonly line: number;
  readonly kind: GroceryLineKind;
  readonly record: GroceryRecord;
}

/** One episode: the key line, the CommonsenseQA questions and the recall question, in file order. */
export interface GroceryUnit {
  /** The episode number as a string: the unit's id. */
  readonly id: string;
  readonly episode: number;
  readonly lines: readonly GroceryLine[];
}

/** Where to cut. */
export interface GroceryUnitOptions {
  /** Episodes kept from the start of the file (default: the paper's 548, all of them). */
  readonly maxEpisodes?: number;
  /** Episodes kept after that (default: all). */
  readonly limit?: number;
}

/**
 * The line's kind from its id, as the authors tell them apart.
 *
 * @example
 * groceryLineKind("answer_3"); // "recall"
 */
export function groceryLineKind(id: string): GroceryLineKind {
  if (id.includes("key")) return "key";
  if (id.includes("answer")) return "recall";
  return "csqa";
}

/**
 * The episodes of a Grocery Shopping file, validated whole (every bad line reported by number). Each episode must be
 * consecutive lines with one episode number, start with its key line and end with its recall question, with only
 * CommonsenseQA questions between: anything else would make the recall question test something other than the key.
 *
 * @example
 * loadGroceryUnits(text).length; // 548 for the authors' file
 */
export function loadGroceryUnits(text: string, options: GroceryUnitOptions = {}): GroceryUnit[] {
  const records = parseEvalJsonl(text, GroceryRecordSchema, WHAT);
  const units = splitEpisodes(records.map(({ line, record }) => ({ line, record, kind: groceryLineKind(record.id) })));
  const maxEpisodes = positiveCount("maxEpisodes", options.maxEpisodes ?? GROCERY_PAPER_EPISODES);
  return firstUnits(units.slice(0, maxEpisodes), options.limit);
}

function splitEpisodes(lines: readonly GroceryLine[]): GroceryUnit[] {
  const episodes: { id: string; episode: number; lines: GroceryLine[] }[] = [];
  const firstLine = new Map<number, number>();
  const problems: DataLineProblem[] = [];
  for (const line of lines) {
    const episode = Number(line.record.id.split("_").at(-1));
    const last = episodes.at(-1);
    if (last && last.episode === episode) {
      last.lines.push(line);
      continue;
    }
    const seen = firstLine.get(episode);
    if (seen !== undefined) {
      problems.push({
        line: line.line,
        message: `episode ${episode} (first at line ${seen}) comes back after another episode; an episode's lines must be consecutive`,
      });
      continue;
    }
    firstLine.set(episode, line.line);
    episodes.push({ id: String(episode), episode, lines: [line] });
  }
  for (const e of episodes) problems.push(...episodeShapeProblems(e));
  if (problems.length > 0) throw new SirllmEvalDataError(WHAT, problems);
  return episodes;
}

function episodeShapeProblems(e: GroceryUnit): DataLineProblem[] {
  const problems: DataLineProblem[] = [];
  const first = e.lines[0]!;
  const last = e.lines.at(-1)!;
  if (first.kind !== "key") problems.push({ line: first.line, message: `episode ${e.episode} must start with its key line (key_${e.episode})` });
  if (last.kind !== "recall" || e.lines.length < 2) {
    problems.push({ line: last.line, message: `episode ${e.episode} must end with its recall question (answer_${e.episode})` });
  }
  e.lines.forEach((l, i) => {
    if (i === 0 || i === e.lines.length - 1) return;
    if (l.kind === "csqa") return;
    const what = l.kind === "key" ? "key line" : "recall question";
    problems.push({ line: l.line, message: `a ${what} in the middle of episode ${e.episode}` });
  });
  return problems;
}
