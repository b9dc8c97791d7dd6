/**
 * Configuration of an SGLang engine in the registry (mirrors the sglang branch of `EngineConfigSchema` in
 * schemas/engines.ts). `baseUrl` is the server root, e.g. `http://10.0.0.6:30000`: `/generate`, `/tokenize` and
 * `/detokenize` all live there.
 */
import { z } from "zod";

export const sglangConfigSchema = z.object({
  name: z.string().min(1),
  kind: z.literal("sglang"),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .refine((u) => !/\/v1\/*$/.test(u), { message: "give the server root without /v1" }),
  model: z.string().min(1),
  /** Name of the environment variable holding the key given to `--api-key`. */
  apiKeyEnv: z.string().min(1).optional(),
  contextSize: z.number().int().positive(),
  bosToken: z.number().int().nonnegative().nullable().optional(),
  timeoutMs: z.number().int().min(100).optional(),
});

export type SglangConfig = z.infer<typeof sglangConfigSchema>;
