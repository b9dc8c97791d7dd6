/**
 * Policy settings from untrusted input (a CLI's flags, an API body, a decoded session), checked against the schema.
 */
import { ValidationError } from "../../errors.js";
import { MemoryPolicySettingsSchema, type MemoryPolicySettings } from "../../../schemas/sirllm-memory.js";

/**
 * The settings, or one ValidationError listing every problem as `field: message`.
 *
 * @example
 * parseMemoryPolicySettings({ policy: "sirllm", cacheSize: 4, sinks: 4, decay: 1, seed: 0 });
 * // ValidationError: invalid SirLLM memory settings: sinks: sinks must be smaller than cacheSize …
 */
export function parseMemoryPolicySettings(input: unknown): MemoryPolicySettings {
  const parsed = MemoryPolicySettingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  throw new ValidationError(
    `invalid SirLLM memory settings: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("; ")}`,
    { issues: problems },
  );
}
