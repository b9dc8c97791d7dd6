/**
 * DailyDialog (`data/sirllm/dailydialog/dailydialog.jsonl`): 3,700 items, each a dialogue's utterance with four
 * candidate responses. A unit is one dialogue: the authors reset memory whenever the number before the `_` of the id
 * changes (`sir_llm/eval_utils.py`, `streaming_inference_token_entropy_w_turns`: `current_turn =
 * int(q_id.split("_")[0])`; `if current_turn != previous_turn: past_key_values = None`), so a dialogue is a run of
 * consecutive items with the same number. The paper's cap (the first 2,000 items) is applied before the split.
 */
import { DailyDialogRecordSchema, type DailyDialogRecord } from "../../../schemas/sirllm-eval.js";
import { SirllmEvalDataError, type DataLineProblem } from "./eval-data-error.js";
import { DAILYDIALOG_PAPER_ITEMS, firstUnits, positiveCount } from "./paper-caps.js";
import { parseEvalJsonl } from "./parse-eval-jsonl.js";

const WHAT = "DailyDialog file";

/** One item of a dialogue. */
export interface DailyDialogItem {
  readonly line: number;
  readonly record: DailyDialogRecord;
}

/** One dialogue: its number (the id's first part) and its items, in file order. */
export interface DailyDialogUnit {
  /** The dialogue number as a string: the unit's id. */
  readonly id: string;
  readonly dialogue: number;
  readonly items: readonly DailyDialogItem[];
}

/** Where to cut. */
export interface DailyDialogUnitOptions {
  /** Items kept from the start of the file before dialogues are formed (default: the paper's 2,000). */
  readonly maxItems?: number;
  /** Dialogues kept after that (default: all). */
  readonly limit?: number;
}

/**
 * The dialogues of a DailyDialog file. The whole file is validated (every bad line is reported, by number), then cut
 * to `maxItems` items and split into dialogues, then to `limit` dialogues. A dialogue whose number comes back after
 * another dialogue is refused: the authors would silently start it over as a new dialogue.
 *
 * @example
 * loadDailyDialogUnits(text).length; // 519 for the authors' file: the first 2,000 items
 */
export function loadDailyDialogUnits(text: string, options: DailyDialogUnitOptions = {}): DailyDialogUnit[] {
  const items = parseEvalJsonl(text, DailyDialogRecordSchema, WHAT);
  const runs = splitDialogues(items);
  const maxItems = positiveCount("maxItems", options.maxItems ?? DAILYDIALOG_PAPER_ITEMS);
  const units: DailyDialogUnit[] = [];
  let left = maxItems;
  for (const run of runs) {
    if (left <= 0) break;
    units.push(run.items.length <= left ? run : { ...run, items: run.items.slice(0, left) });
    left -= run.items.length;
  }
  return firstUnits(units, options.limit);
}

function splitDialogues(items: readonly DailyDialogItem[]): DailyDialogUnit[] {
  const units: { id: string; dialogue: number; items: DailyDialogItem[] }[] = [];
  const firstLine = new Map<number, number>();
  const problems: DataLineProblem[] = [];
  for (const item of items) {
    const dialogue = Number(item.record.id.split("_")[0]);
    const last = units.at(-1);
    if (last && last.dialogue === dialogue) {
      last.items.push(item);
      continue;
    }
    const seen = firstLine.get(dialogue);
    if (seen !== undefined) {
      problems.push({
        line: item.line,
        message: `dialogue ${dialogue} (first at line ${seen}) comes back after another dialogue; a dialogue's items must be consecutive`,
      });
      continue;
    }
    firstLine.set(dialogue, item.line);
    units.push({ id: String(dialogue), dialogue, items: [item] });
  }
  if (problems.length > 0) throw new SirllmEvalDataError(WHAT, problems);
  return units;
}
