/**
 * One entry point for a table of any of the three tasks, for a runner that holds the request.
 */
import type { MemoryPolicyName } from "../../../schemas/sirllm-memory.js";
import type { SirllmEvalTable, SirllmEvalTask } from "../../../schemas/sirllm-eval.js";
import { dailyDialogTable, groceryTable } from "./accuracy-tables.js";
import { RPS_WINDOW_ROUNDS } from "./paper-caps.js";
import { rpsTable } from "./rps-table.js";

/** What the table is of. */
export interface EvalTableSpec {
  readonly task: SirllmEvalTask;
  /** The columns, in this order. */
  readonly policies: readonly MemoryPolicyName[];
  /** RPS only: rounds per window (default 100). */
  readonly windowSize?: number;
}

/**
 * The task's table from its unit outcomes (an iterable, so outcomes can stream from storage).
 *
 * @example
 * buildEvalTable({ task: "grocery", policies: ["sirllm", "streaming"] }, outcomes);
 */
export function buildEvalTable(spec: EvalTableSpec, outcomes: Iterable<unknown>): SirllmEvalTable {
  switch (spec.task) {
    case "dailydialog":
      return dailyDialogTable(spec.policies, outcomes);
    case "grocery":
      return groceryTable(spec.policies, outcomes);
    case "rps":
      return rpsTable(spec.policies, outcomes, spec.windowSize ?? RPS_WINDOW_ROUNDS);
  }
}
