/**
 * The vLLM adapter: the OpenAI-compatible base with vLLM's configuration. Token-id prompts, `echo` +
 * `max_tokens: 0` + `prompt_logprobs: 0` for scoring; `/tokenize` and `/detokenize` at the server root.
 * `scoreSuffixes` scores full prompts: vLLM bypasses its prefix cache whenever prompt log-probs are asked for.
 */
import { ConfigurationError } from "../../errors.js";
import type { Engine } from "../engine.js";
import { createOpenAICompatibleEngine } from "../openai-compatible/openai-compatible-engine.js";
import { soleReplica } from "../pool/replica-configs.js";
import { vllmConfigSchema, type VllmConfig } from "./vllm-config.js";

export interface VllmDeps {
  /** Where `apiKeyEnv` is looked up; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Injected in tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/**
 * Builds a vLLM engine for one server from its registry configuration (validated here too). A configuration with
 * several `baseUrls` is a pool: the registry builds one engine per replica (see `replicaConfigs`).
 *
 * @example
 * const engine = createVllmEngine({ name: "gpu-a", kind: "vllm", baseUrl: "http://10.0.0.5:8000",
 *   model: "meta-llama/Llama-2-7b-hf", contextSize: 4096, bosToken: 1 });
 */
export function createVllmEngine(cfg: VllmConfig, deps: VllmDeps = {}): Engine {
  const parsed = vllmConfigSchema.safeParse(cfg);
  if (!parsed.success) {
    throw new ConfigurationError(`invalid vLLM engine config "${cfg.name}"`, { issues: parsed.error.issues });
  }
  const c = parsed.data;
  let apiKey: string | undefined;
  if (c.apiKeyEnv) {
    apiKey = (deps.env ?? process.env)[c.apiKeyEnv];
    if (!apiKey) throw new ConfigurationError(`engine "${c.name}": environment variable ${c.apiKeyEnv} is not set`);
  }
  return createOpenAICompatibleEngine({
    name: c.name,
    kind: "vllm",
    model: c.model,
    contextSize: c.contextSize,
    bosToken: c.bosToken ?? null,
    baseUrl: soleReplica(c.name, "baseUrl", c.baseUrl, c.baseUrls),
    apiKey,
    timeoutMs: c.timeoutMs,
    maxTokensZero: c.maxTokensZero ?? true,
    // Whether the served model is a pooling model is the server's business: a generative one answers 4xx, with its
    // own message, which surfaces unchanged.
    embeddings: true,
    fetch: deps.fetch,
  });
}
