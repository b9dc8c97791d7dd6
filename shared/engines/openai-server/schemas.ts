import { z } from "zod";

/**
 * Request bodies of vLLM's OpenAI-compatible server, as far as the embedded engine's face implements them. Fields
 * vLLM accepts but this face ignores are stripped (vLLM also ignores unknown fields); fields whose meaning this face
 * cannot honour (`n` > 1, `stream`) are refused with 400 rather than silently ignored.
 */
const tokenId = z.number().int().min(0);
const logprobCount = z.number().int().min(-1);

export const CompletionRequestSchema = z.object({
  model: z.string().nullish(),
  prompt: z.union([
    z.string().min(1, "prompt must be non-empty"),
    z.array(z.string().min(1, "prompt must be non-empty")).min(1),
    z.array(tokenId).min(1),
    z.array(z.array(tokenId).min(1, "prompt must be non-empty")).min(1),
  ]),
  echo: z.boolean().nullish(),
  /** Top alternatives per generated (and, with echo, prompt) token; 0 = only the chosen token. */
  logprobs: logprobCount.nullish(),
  /** Top alternatives per prompt token; 0 = only the prompt token itself. */
  prompt_logprobs: logprobCount.nullish(),
  max_tokens: z.number().int().min(0).nullish(),
  temperature: z.number().min(0).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  n: z.literal(1, "only n = 1 is supported").nullish(),
  stream: z.literal(false, "streaming is not supported").nullish(),
  add_special_tokens: z.boolean().nullish(),
  return_token_ids: z.boolean().nullish(),
  /** Report tokens in `logprobs` as `"token_id:<id>"` (lossless where a token's text is not valid UTF-8). */
  return_tokens_as_token_ids: z.boolean().nullish(),
});
export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

export const TokenizeRequestSchema = z.object({
  model: z.string().nullish(),
  prompt: z.string(),
  add_special_tokens: z.boolean().nullish(),
  return_token_strs: z.boolean().nullish(),
});
export type TokenizeRequest = z.infer<typeof TokenizeRequestSchema>;

export const DetokenizeRequestSchema = z.object({
  model: z.string().nullish(),
  tokens: z.array(tokenId),
});
export type DetokenizeRequest = z.infer<typeof DetokenizeRequestSchema>;

export const EmbeddingRequestSchema = z.object({
  model: z.string().nullish(),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  encoding_format: z.literal("float", "only encoding_format \"float\" is supported").nullish(),
  /** vLLM: keep only the first N tokens of each input (here: any N cuts to the engine's context). */
  truncate_prompt_tokens: z.number().int().min(1).nullish(),
});
export type EmbeddingRequest = z.infer<typeof EmbeddingRequestSchema>;
