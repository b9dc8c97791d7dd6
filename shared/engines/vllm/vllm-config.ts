/**
 * Configuration of a vLLM engine in the registry. `baseUrl` is the server ROOT (`http://host:8000`), not the
 * `/v1` URL: vLLM serves `/tokenize` and `/detokenize` at the root and `/v1/completions` below it, so the adapter
 * adds `/v1` itself and refuses a `baseUrl` that already ends in `/v1`.
 */
import { z } from "zod";

// Mirrors the vLLM branch of `EngineConfigSchema` (schemas/engines.ts); extra registry keys (concurrency, retry) are
// accepted and ignored here because the registry applies them around the adapter.

export const vllmConfigSchema = z.object({
  name: z.string().min(1),
  kind: z.literal("vllm"),
  /** Server root, e.g. `http://10.0.0.5:8000` (no `/v1`). */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .refine((u) => !/\/v1\/*$/.test(u), { message: "give the server root without /v1 (assay adds /v1 itself)" }),
  /** The served model name (`--served-model-name`, else the model path). */
  model: z.string().min(1),
  /** Name of the environment variable holding the API key (`vllm serve --api-key`); the key itself never sits in config. */
  apiKeyEnv: z.string().min(1).optional(),
  contextSize: z.number().int().positive(),
  bosToken: z.number().int().nonnegative().nullable().optional(),
  timeoutMs: z.number().int().min(100).optional(),
  /** false for servers that reject `max_tokens: 0` with `echo`: 1 is sent and the extra token ignored. */
  maxTokensZero: z.boolean().optional(),
});

export type VllmConfig = z.infer<typeof vllmConfigSchema>;
