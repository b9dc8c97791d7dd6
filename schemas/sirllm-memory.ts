/**
 * SirLLM memory: the policy settings a session keeps, and the input of `assay sirllm simulate` (REFERENCE.md §2).
 * The policies themselves live in `shared/sirllm/memory/`.
 */
import { z } from "zod";

/** The memory policies, in the order the state codec numbers them (append only: the number is stored). */
export const MEMORY_POLICY_NAMES = ["sirllm", "streaming", "random", "interval", "full"] as const;

/**
 * `sirllm` keeps the highest-entropy tokens; `streaming`, `random` and `interval` are the paper's baselines under the
 * same budget; `full` never evicts and refuses a turn that would overflow the context.
 */
export const MemoryPolicyNameSchema = z.enum(MEMORY_POLICY_NAMES, {
  error: () => `expected one of: ${MEMORY_POLICY_NAMES.join(", ")}`,
});
export type MemoryPolicyName = z.infer<typeof MemoryPolicyNameSchema>;

/**
 * One token's entropy, −log p: finite and ≥ 0. Negative values are rejected rather than clamped, because the likely
 * cause is log-probabilities passed where entropies were meant, which would silently invert the ranking. Memory
 * stores entropies as float32, so a value that overflows float32 is rejected too.
 */
export const EntropySchema = z
  .number()
  .min(0, "entropies are −log p, so ≥ 0 (were log-probabilities passed instead?)")
  .refine((e) => Number.isFinite(Math.fround(e)), "entropy overflows float32");

/**
 * What a memory session is configured with; kept in the session (the state codec stores it). `cacheSize` counts
 * tokens in memory after a turn is appended; `sinks` are the first tokens of the session, always kept; `decay`
 * multiplies every stored entropy once per turn; `seed` drives `random` (the other policies ignore it).
 *
 * @example
 * MemoryPolicySettingsSchema.parse({ policy: "sirllm", cacheSize: 1024, sinks: 4, decay: 1, seed: 0 });
 */
export const MemoryPolicySettingsSchema = z
  .object({
    policy: MemoryPolicyNameSchema,
    cacheSize: z.number().int("cacheSize must be an integer").min(1, "cacheSize must be at least 1"),
    sinks: z.number().int("sinks must be an integer").min(0, "sinks must be ≥ 0"),
    decay: z.number().gt(0, "decay must be > 0").max(1, "decay must be ≤ 1"),
    // 32 bits: mulberry32 reads its seed modulo 2^32, so a wider seed would only alias.
    seed: z.number().int("seed must be an integer").min(0, "seed must be ≥ 0").max(0xffffffff, "seed must be < 2^32"),
  })
  .refine((s) => s.sinks < s.cacheSize, {
    message: "sinks must be smaller than cacheSize (sinks always stay, so a cache of only sinks has no room for a turn)",
    path: ["sinks"],
  });
export type MemoryPolicySettings = z.infer<typeof MemoryPolicySettingsSchema>;

/**
 * stdin of `assay sirllm simulate`: each turn is its tokens' entropies, in order. An empty turn is allowed (it only
 * decays memory).
 *
 * @example
 * SirllmSimulateInputSchema.parse({ turns: [[2.1, 0.3], [5.0]] });
 */
export const SirllmSimulateInputSchema = z.object({
  turns: z.array(z.array(EntropySchema)),
});
export type SirllmSimulateInput = z.infer<typeof SirllmSimulateInputSchema>;
