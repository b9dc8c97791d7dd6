/**
 * The outcomes a table may count: of the table's task, of a requested policy, and each (policy, unit) once. A
 * redelivered outcome would otherwise count twice; it is refused, loudly, rather than silently skipped, because two
 * records for one unit mean the runner wrote twice and the second might differ.
 */
import type { MemoryPolicyName } from "../../../schemas/sirllm-memory.js";
import { SirllmUnitOutcomeSchema, type SirllmEvalTask, type SirllmUnitOutcome } from "../../../schemas/sirllm-eval.js";
import { ValidationError } from "../../errors.js";

/**
 * The outcomes of `task`, checked one by one as they stream past (memory: one key per unit seen).
 *
 * @example
 * for (const o of checkedOutcomes("rps", ["sirllm"], outcomes)) …
 */
export function* checkedOutcomes<T extends SirllmEvalTask>(
  task: T,
  policies: readonly MemoryPolicyName[],
  outcomes: Iterable<unknown>,
): Generator<Extract<SirllmUnitOutcome, { task: T }>> {
  const seen = new Set<string>();
  const wanted = new Set(policies);
  let index = 0;
  for (const raw of outcomes) {
    const parsed = SirllmUnitOutcomeSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message));
      throw new ValidationError(`outcome ${index} is not a SirLLM unit outcome: ${problems.join("; ")}`, { index, problems });
    }
    const o = parsed.data;
    if (o.task !== task) throw new ValidationError(`outcome ${index} (unit ${o.unit}) is for task "${o.task}", not "${task}"`);
    if (!wanted.has(o.policy)) {
      const have = policies.join(", ");
      throw new ValidationError(`outcome ${index} (unit ${o.unit}) is for policy "${o.policy}", which the table does not have (${have})`);
    }
    const key = `${o.policy}\u0000${o.unit}`;
    if (seen.has(key)) {
      throw new ValidationError(`unit ${o.unit} under policy "${o.policy}" has two outcomes`, { unit: o.unit, policy: o.policy });
    }
    seen.add(key);
    index += 1;
    yield o as Extract<SirllmUnitOutcome, { task: T }>;
  }
}
