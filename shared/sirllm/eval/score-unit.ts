/**
 * A walked script's choices turned into the outcome a runner records for (unit, policy): how many items were right
 * (DailyDialog; Grocery recall and CommonsenseQA apart, as the authors count `correct_key` and `correct`), or each RPS
 * round's result. Pure: the choices come from the runner.
 */
import type { MemoryPolicyName } from "../../../schemas/sirllm-memory.js";
import { SIRLLM_EVAL_RECORD_VERSION, type AccuracyCount, type SirllmUnitOutcome } from "../../../schemas/sirllm-eval.js";
import { ValidationError } from "../../errors.js";
import { RPS_MOVES, rpsResult } from "./rps-moves.js";
import type { UnitScript } from "./script-turn.js";

const RESULT_LETTER = { win: "W", tie: "T", lose: "L" } as const;

/**
 * The outcome of a unit whose every turn was played: `chosen[i]` is the option index chosen at turn i.
 *
 * @example
 * scoreUnit(dailyDialogScript(unit), "sirllm", [3, 1, 0, 2, 2, 1]);
 * // { version: 1, task: "dailydialog", unit: "0", policy: "sirllm", result: { status: "ok", accuracy: { correct: 4, total: 6 } } }
 */
export function scoreUnit(script: UnitScript, policy: MemoryPolicyName, chosen: readonly number[]): SirllmUnitOutcome {
  if (chosen.length !== script.turns.length) {
    throw new ValidationError(`unit ${script.unit} has ${script.turns.length} turns but ${chosen.length} choices`);
  }
  const dailydialog = count();
  const csqa = count();
  const recall = count();
  let rounds = "";
  script.turns.forEach((turn, i) => {
    const c = chosen[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= turn.options.length) {
      throw new ValidationError(`unit ${script.unit}, turn ${i} (id ${turn.id}): choice ${c} is not one of its ${turn.options.length} options`);
    }
    const s = turn.scoring;
    if (s.metric === "rps") rounds += RESULT_LETTER[rpsResult(RPS_MOVES[c]!, s.userMove)];
    else if (s.metric !== "none") {
      const tally = s.metric === "dailydialog" ? dailydialog : s.metric === "csqa" ? csqa : recall;
      tally.total += 1;
      if (c === s.answer) tally.correct += 1;
    }
  });
  const head = { version: SIRLLM_EVAL_RECORD_VERSION, unit: script.unit, policy } as const;
  switch (script.task) {
    case "dailydialog":
      return { ...head, task: "dailydialog", result: { status: "ok", accuracy: dailydialog } };
    case "grocery":
      return { ...head, task: "grocery", result: { status: "ok", recall, csqa } };
    case "rps":
      return { ...head, task: "rps", result: { status: "ok", rounds } };
  }
}

/**
 * The outcome of a unit that could not be completed (a turn memory refused, an engine that failed for good): it is
 * recorded with its reason and counted apart, never scored as wrong answers.
 *
 * @example
 * failedUnit({ task: "grocery", unit: "12" }, "full", "turn 9 (40 tokens) would overflow the context");
 */
export function failedUnit(script: Pick<UnitScript, "task" | "unit">, policy: MemoryPolicyName, reason: string): SirllmUnitOutcome {
  const head = { version: SIRLLM_EVAL_RECORD_VERSION, unit: script.unit, policy } as const;
  // The schema asks for a reason; an empty one would make the record unreadable later.
  const result = { status: "failed", reason: reason === "" ? "unknown" : reason } as const;
  switch (script.task) {
    case "dailydialog":
      return { ...head, task: "dailydialog", result };
    case "grocery":
      return { ...head, task: "grocery", result };
    case "rps":
      return { ...head, task: "rps", result };
  }
}

function count(): AccuracyCount {
  return { correct: 0, total: 0 };
}
