/**
 * The shared base for engines that speak vLLM's OpenAI-compatible HTTP API: `/v1/completions` (scoring with
 * `prompt_logprobs`, generation), `/v1/embeddings`, and the root-level `/tokenize` and `/detokenize`. The vLLM
 * adapter is this base plus its config; assay's embedded-engine server exposes the same subset.
 *
 * The `openai` npm client does the completions and embeddings calls (its own retries are off: `withResilience`
 * owns retries). vLLM-only fields ride along in the body object: the client sends whatever fields the params
 * object holds, and a typed variable (not a fresh literal) carries them past TypeScript's excess-property check.
 */
import OpenAI from "openai";
import type { CompletionCreateParamsNonStreaming } from "openai/resources/completions";
import { ConfigurationError } from "../../errors.js";
import {
  scoreSuffixesByFullPrompts,
  type Engine,
  type EngineKind,
  type GenerateRequest,
  type GenerateResult,
  type ScoreRequest,
} from "../engine.js";
import { classifyError, extractErrorMessage } from "../http-errors.js";
import {
  buildScoreBody,
  generateByParamGroups,
  parseEmbeddingsResponse,
  parseScoreResponse,
  type CompletionsBody,
} from "./completions-wire.js";
import { postJson } from "./http-json.js";
import {
  buildDetokenizeBody,
  buildTokenizeBody,
  parseDetokenizeResponse,
  parseTokenizeResponse,
} from "./tokenize-wire.js";

export interface OpenAICompatibleOptions {
  readonly name: string;
  readonly kind: EngineKind;
  readonly model: string;
  readonly contextSize: number;
  readonly bosToken: number | null;
  /** The server root, e.g. `http://10.0.0.5:8000` — NOT ending in `/v1` (see {@link serverRoot}). */
  readonly baseUrl: string;
  readonly apiKey?: string | undefined;
  readonly timeoutMs?: number | undefined;
  /** false: the server rejects `max_tokens: 0`, send 1 and ignore the extra token. */
  readonly maxTokensZero: boolean;
  /** Whether the served model answers `/v1/embeddings` (a pooling model). */
  readonly embeddings: boolean;
  /** Injected in tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/**
 * Normalises a configured base URL to the server root: trailing slashes go; a trailing `/v1` is refused, because
 * `/tokenize` lives at the root and guessing which one was meant is how requests end up at `/v1/v1/completions`.
 *
 * @example serverRoot("http://gpu:8000/") // "http://gpu:8000"
 */
export function serverRoot(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigurationError(`engine baseUrl "${baseUrl}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(`engine baseUrl "${baseUrl}" must be http(s)`);
  }
  const root = baseUrl.replace(/\/+$/, "");
  if (/\/v1$/.test(root)) {
    throw new ConfigurationError(
      `engine baseUrl "${baseUrl}" ends in /v1: give the server root (e.g. http://host:8000); assay adds /v1 itself`,
    );
  }
  return root;
}

/**
 * Wraps fetch so every non-2xx JSON body reaches the `openai` client in OpenAI's `{"error": {"message"}}` envelope.
 * Old vLLM and SGLang answer `{"object": "error", "message": …}` and FastAPI `{"detail": …}`; the client only reads
 * `body.error`, so without this the endpoint's own message would be lost ("400 status code (no body)").
 */
export function envelopeErrors(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    if (res.ok) return res;
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const err = (parsed as { error?: unknown } | undefined)?.error;
    const already = !!err && typeof err === "object" && typeof (err as { message?: unknown }).message === "string";
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    headers.set("content-type", "application/json");
    const body = already ? text : JSON.stringify({ error: { message: extractErrorMessage(text) ?? `HTTP ${res.status}` } });
    return new Response(body, { status: res.status, statusText: res.statusText, headers });
  };
}

/** Builds an {@link Engine} over an OpenAI-compatible server with vLLM's extensions. */
export function createOpenAICompatibleEngine(opts: OpenAICompatibleOptions): Engine {
  const root = serverRoot(opts.baseUrl);
  const baseFetch = opts.fetch ?? fetch;
  const client = new OpenAI({
    // The client refuses to start without a key; servers without auth ignore the header.
    apiKey: opts.apiKey ?? "EMPTY",
    baseURL: `${root}/v1`,
    organization: null,
    project: null,
    maxRetries: 0,
    ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
    fetch: envelopeErrors(baseFetch),
  });
  const headers: Record<string, string> = opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {};
  const http = { engine: opts.name, headers, timeoutMs: opts.timeoutMs, fetch: baseFetch };

  async function completions(body: CompletionsBody): Promise<unknown> {
    // CompletionsBody is a superset of the client's params; the extra vLLM fields are sent as they are.
    const params: CompletionCreateParamsNonStreaming = body;
    try {
      return await client.completions.create(params);
    } catch (err) {
      throw classifyError(err, { engine: opts.name, endpoint: "POST /v1/completions" });
    }
  }

  async function score(requests: readonly ScoreRequest[]) {
    if (requests.length === 0) return [];
    const body = buildScoreBody(requests, opts.model, opts.maxTokensZero);
    return parseScoreResponse(await completions(body), requests, opts.name);
  }

  // maxTokens 0 is answered without a round trip (older servers reject max_tokens 0 anyway).
  const generate = (requests: readonly GenerateRequest[]): Promise<GenerateResult[]> =>
    generateByParamGroups(requests, opts.model, opts.name, completions);

  const engine: Engine = {
    name: opts.name,
    kind: opts.kind,
    model: opts.model,
    contextSize: opts.contextSize,
    bosToken: opts.bosToken,
    capabilities: {
      promptLogprobs: true,
      // vLLM skips its prefix cache for any request asking for prompt log-probs: no shared-prefix fast path.
      sharedPrefix: false,
      generate: true,
      embeddings: opts.embeddings,
      kvSequences: false,
      chat: false,
    },
    async tokenize(text, options) {
      const body = await postJson(`${root}/tokenize`, buildTokenizeBody(text, options, opts.model), http);
      return parseTokenizeResponse(body, opts.name);
    },
    async detokenize(tokens) {
      const body = await postJson(`${root}/detokenize`, buildDetokenizeBody(tokens, opts.model), http);
      return parseDetokenizeResponse(body, opts.name);
    },
    score,
    scoreSuffixes: (request) => scoreSuffixesByFullPrompts({ score }, request),
    generate,
    async embed(texts, options) {
      if (texts.length === 0) return [];
      let res: unknown;
      try {
        // truncate_prompt_tokens is vLLM's extension; the client passes unknown fields through.
        const body = {
          model: opts.model,
          input: [...texts],
          encoding_format: "float" as const,
          ...(options?.truncate ? { truncate_prompt_tokens: opts.contextSize } : {}),
        };
        res = await client.embeddings.create(body);
      } catch (err) {
        throw classifyError(err, { engine: opts.name, endpoint: "POST /v1/embeddings" });
      }
      return parseEmbeddingsResponse(res, texts.length, opts.name);
    },
    async close() {
      // Stateless HTTP: nothing to release.
    },
  };
  return engine;
}
