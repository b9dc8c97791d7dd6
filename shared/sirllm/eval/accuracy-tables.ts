/**
 * DailyDialog and Grocery Shopping tables: accuracy pooled over every scored item of every scored unit (the authors'
 * `correct / len(prompts)` and `correct_key / total_key_num`, `correct / total_arc_num`), one row per policy. Failed
 * units are counted apart and in no accuracy.
 */
import type { MemoryPolicyName } from "../../../schemas/sirllm-memory.js";
import {
  SIRLLM_EVAL_RECORD_VERSION,
  type AccuracyCell,
  type AccuracyCount,
  type DailyDialogTable,
  type GroceryTable,
} from "../../../schemas/sirllm-eval.js";
import { checkedOutcomes } from "./outcome-ledger.js";
import { tablePolicies } from "./table-policies.js";

/**
 * Counts and their ratio; null when nothing was scored.
 *
 * @example
 * accuracyCell({ correct: 3, total: 4 }); // { correct: 3, total: 4, accuracy: 0.75 }
 */
export function accuracyCell(c: AccuracyCount): AccuracyCell {
  return { correct: c.correct, total: c.total, accuracy: c.total === 0 ? null : c.correct / c.total };
}

/**
 * The DailyDialog table.
 *
 * @example
 * dailyDialogTable(["sirllm", "streaming"], outcomes).rows[0]!.accuracy; // { correct, total, accuracy }
 */
export function dailyDialogTable(policies: readonly MemoryPolicyName[], outcomes: Iterable<unknown>): DailyDialogTable {
  const rows = new Map(tablePolicies(policies).map((policy) => [policy, { policy, units: 0, failedUnits: 0, correct: 0, total: 0 }]));
  for (const o of checkedOutcomes("dailydialog", policies, outcomes)) {
    const row = rows.get(o.policy)!;
    if (o.result.status === "failed") {
      row.failedUnits += 1;
      continue;
    }
    row.units += 1;
    row.correct += o.result.accuracy.correct;
    row.total += o.result.accuracy.total;
  }
  return {
    version: SIRLLM_EVAL_RECORD_VERSION,
    task: "dailydialog",
    rows: [...rows.values()].map((r) => ({ policy: r.policy, units: r.units, failedUnits: r.failedUnits, accuracy: accuracyCell(r) })),
  };
}

/**
 * The Grocery Shopping table: recall accuracy (one question per episode) and CommonsenseQA accuracy.
 *
 * @example
 * groceryTable(["sirllm"], outcomes).rows[0]!.recall.accuracy;
 */
export function groceryTable(policies: readonly MemoryPolicyName[], outcomes: Iterable<unknown>): GroceryTable {
  const rows = new Map(
    tablePolicies(policies).map((policy) => [
      policy,
      { policy, units: 0, failedUnits: 0, recall: { correct: 0, total: 0 }, csqa: { correct: 0, total: 0 } },
    ]),
  );
  for (const o of checkedOutcomes("grocery", policies, outcomes)) {
    const row = rows.get(o.policy)!;
    if (o.result.status === "failed") {
      row.failedUnits += 1;
      continue;
    }
    row.units += 1;
    row.recall.correct += o.result.recall.correct;
    row.recall.total += o.result.recall.total;
    row.csqa.correct += o.result.csqa.correct;
    row.csqa.total += o.result.csqa.total;
  }
  return {
    version: SIRLLM_EVAL_RECORD_VERSION,
    task: "grocery",
    rows: [...rows.values()].map((r) => ({
      policy: r.policy,
      units: r.units,
      failedUnits: r.failedUnits,
      recall: accuracyCell(r.recall),
      csqa: accuracyCell(r.csqa),
    })),
  };
}
