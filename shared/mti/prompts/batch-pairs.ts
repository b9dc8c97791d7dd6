/**
 * Which instances share a call under Batch Prompting: a task's instances in file order, paired (k0,k1), (k2,k3), …
 * as the authors' `reconstruct_batch_instruction` does (`[(keys[i], keys[i+1]) for i in range(0, len(keys)-1, 2)]`,
 * src.py of guijinSON/MTI-Bench @ 05ddd6a). With an odd count the authors drop the last instance; assay keeps it as
 * `lone`, prompted by itself (see `batch-prompt.ts`), so no instance goes unanswered. A caller that wants the
 * authors' numbers exactly skips `lone`.
 */
import type { MtiInstance } from "../../../schemas/mti.js";

/** How a task's instances are grouped under Batch Prompting. */
export interface MtiBatchPlan {
  readonly pairs: readonly (readonly [MtiInstance, MtiInstance])[];
  /** The last instance of an odd count, or null. */
  readonly lone: MtiInstance | null;
}

/**
 * Pair a task's instances in order.
 *
 * @example
 * pairInstances([a, b, c]); // { pairs: [[a, b]], lone: c }
 */
export function pairInstances(instances: readonly MtiInstance[]): MtiBatchPlan {
  const pairs: (readonly [MtiInstance, MtiInstance])[] = [];
  for (let i = 0; i + 1 < instances.length; i += 2) pairs.push([instances[i]!, instances[i + 1]!]);
  return { pairs, lone: instances.length % 2 === 1 ? instances[instances.length - 1]! : null };
}

/**
 * The uid a pair is known by: `"k0,k1"`.
 *
 * @example
 * pairUid([a, b]); // "013_1769,013_1100"
 */
export function pairUid(pair: readonly [MtiInstance, MtiInstance]): string {
  return `${pair[0].uid},${pair[1].uid}`;
}
