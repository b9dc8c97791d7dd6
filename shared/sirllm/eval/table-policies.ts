/**
 * The policy columns of a table: the requested ones, in the requested order, each once.
 */
import { MemoryPolicyNameSchema, type MemoryPolicyName } from "../../../schemas/sirllm-memory.js";
import { ValidationError } from "../../errors.js";

/**
 * `policies`, checked.
 *
 * @example
 * tablePolicies(["sirllm", "streaming"]); // ["sirllm", "streaming"]
 */
export function tablePolicies(policies: readonly MemoryPolicyName[]): MemoryPolicyName[] {
  if (policies.length === 0) throw new ValidationError("a table needs at least one memory policy");
  for (const p of policies) {
    if (!MemoryPolicyNameSchema.safeParse(p).success) throw new ValidationError(`unknown memory policy "${String(p)}"`);
  }
  if (new Set(policies).size !== policies.length) throw new ValidationError(`memory policies repeat: ${policies.join(", ")}`);
  return [...policies];
}
