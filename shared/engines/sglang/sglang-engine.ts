/**
 * The SGLang adapter, over its native API: `/generate` for scoring (radix-cache prefix reuse, see
 * `sglang-wire.ts`) and generation, `/tokenize` and `/detokenize` for the tokenizer (or a companion engine's).
 * This is NUGGETS' fast path: `scoreSuffixes` sends every suffix as its own full prompt in ONE batched call, and
 * SGLang prefills the shared prefix once.
 */
import { CapabilityError, ConfigurationError } from "../../errors.js";
import { scoreSuffixesByFullPrompts, type Engine, type ScoreRequest } from "../engine.js";
import { postJson } from "../openai-compatible/http-json.js";
import { serverRoot } from "../openai-compatible/openai-compatible-engine.js";
import { soleReplica } from "../pool/replica-configs.js";
import {
  buildDetokenizeBody,
  buildTokenizeBody,
  parseDetokenizeResponse,
  parseTokenizeResponse,
} from "../openai-compatible/tokenize-wire.js";
import { sglangConfigSchema, type SglangConfig } from "./sglang-config.js";
import {
  buildSglangGenerateBody,
  buildSglangScoreBody,
  parseSglangGenerateResponse,
  parseSglangScoreResponse,
} from "./sglang-wire.js";

export interface SglangDeps {
  /** Where `apiKeyEnv` is looked up; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Injected in tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Tokenize elsewhere (a server started with `--skip-tokenizer-init` has no tokenizer of its own). */
  readonly tokenizer?: Pick<Engine, "tokenize" | "detokenize">;
}

/**
 * Builds an SGLang engine for one server from its registry configuration. A configuration with several `baseUrls`
 * is a pool: the registry builds one engine per replica (see `replicaConfigs`).
 *
 * @example
 * const engine = createSglangEngine({ name: "gpu-b", kind: "sglang", baseUrl: "http://10.0.0.6:30000",
 *   model: "meta-llama/Llama-2-7b-hf", contextSize: 4096, bosToken: 1 });
 */
export function createSglangEngine(cfg: SglangConfig, deps: SglangDeps = {}): Engine {
  const parsed = sglangConfigSchema.safeParse(cfg);
  if (!parsed.success) {
    throw new ConfigurationError(`invalid SGLang engine config "${cfg.name}"`, { issues: parsed.error.issues });
  }
  const c = parsed.data;
  const root = serverRoot(soleReplica(c.name, "baseUrl", c.baseUrl, c.baseUrls));
  const headers: Record<string, string> = {};
  if (c.apiKeyEnv) {
    const key = (deps.env ?? process.env)[c.apiKeyEnv];
    if (!key) throw new ConfigurationError(`engine "${c.name}": environment variable ${c.apiKeyEnv} is not set`);
    headers.authorization = `Bearer ${key}`;
  }
  const http = { engine: c.name, headers, timeoutMs: c.timeoutMs, fetch: deps.fetch };
  const generateUrl = `${root}/generate`;

  async function score(requests: readonly ScoreRequest[]) {
    if (requests.length === 0) return [];
    const body = await postJson(generateUrl, buildSglangScoreBody(requests), http);
    return parseSglangScoreResponse(body, requests, c.name);
  }

  return {
    name: c.name,
    kind: "sglang",
    model: c.model,
    contextSize: c.contextSize,
    bosToken: c.bosToken ?? null,
    capabilities: { promptLogprobs: true, sharedPrefix: true, generate: true, embeddings: false, kvSequences: false, chat: false },
    async tokenize(text, options) {
      if (deps.tokenizer) return deps.tokenizer.tokenize(text, options);
      const body = await postJson(`${root}/tokenize`, buildTokenizeBody(text, options, c.model), http);
      return parseTokenizeResponse(body, c.name);
    },
    async detokenize(tokens) {
      if (deps.tokenizer) return deps.tokenizer.detokenize(tokens);
      const body = await postJson(`${root}/detokenize`, buildDetokenizeBody(tokens, c.model), http);
      return parseDetokenizeResponse(body, c.name);
    },
    score,
    // Full prompts, one batch: logprob_start_len = prefix.length + from − 1 keeps the prefix below the start, where
    // the radix cache is reused, so the prefix is prefilled once for all suffixes.
    scoreSuffixes: (request) => scoreSuffixesByFullPrompts({ score }, request),
    async generate(requests) {
      if (requests.length === 0) return [];
      const body = await postJson(generateUrl, buildSglangGenerateBody(requests), http);
      return parseSglangGenerateResponse(body, requests.length, c.name);
    },
    async embed() {
      throw new CapabilityError(c.name, "embeddings");
    },
    async close() {
      // Stateless HTTP: nothing to release.
    },
  };
}
