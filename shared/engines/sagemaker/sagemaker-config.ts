/**
 * Configuration of a SageMaker endpoint in the registry (mirrors the sagemaker branch of `EngineConfigSchema` in
 * schemas/engines.ts). `format` says what the container speaks: "vllm" for LMI/vLLM containers (the vLLM
 * completions body with token-id prompts), "tgi" for Hugging Face TGI containers (text in, `details.prefill` out).
 * Tokenisation always happens elsewhere: `tokenizerEngine` names a configured engine with the same tokenizer.
 */
import { z } from "zod";

export const sagemakerConfigSchema = z.object({
  name: z.string().min(1),
  kind: z.literal("sagemaker"),
  endpointName: z.string().min(1),
  /** For an endpoint with several inference components. */
  inferenceComponentName: z.string().min(1).optional(),
  region: z.string().optional(),
  format: z.enum(["vllm", "tgi"]),
  model: z.string().min(1),
  contextSize: z.number().int().positive(),
  bosToken: z.number().int().nonnegative().nullable().optional(),
  timeoutMs: z.number().int().min(100).optional(),
  /** vLLM format only: false if the container rejects `max_tokens: 0`. */
  maxTokensZero: z.boolean().optional(),
  tokenizerEngine: z.string().min(1),
});

export type SagemakerConfig = z.infer<typeof sagemakerConfigSchema>;
