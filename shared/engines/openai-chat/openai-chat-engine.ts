/**
 * The openai-chat adapter: a hosted chat model (OpenAI, or any server speaking `/v1/chat/completions`) through the
 * official `openai` client. It only chats: the endpoint takes messages, not token ids, so `tokenize`, `detokenize`,
 * `score`, `scoreSuffixes`, `generate` and `embed` refuse with a {@link CapabilityError}, and its capabilities are all
 * false but `chat`.
 *
 * The client's own retries are off (`maxRetries: 0`): `withResilience` owns retries, this adapter only classifies
 * failures (429, 5xx, timeouts, connection errors retryable; other 4xx permanent, with the endpoint's message).
 */
import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { CapabilityError, ConfigurationError } from "../../errors.js";
import type { ChatRequest, ChatResult, Engine } from "../engine.js";
import { classifyError } from "../http-errors.js";
import { envelopeErrors, serverRoot } from "../openai-compatible/openai-compatible-engine.js";
import { soleReplica } from "../pool/replica-configs.js";
import { buildChatBody, emptyChatResult, parseChatResponse } from "./chat-wire.js";
import { openAIChatConfigSchema, type OpenAIChatConfig } from "./openai-chat-config.js";

export interface OpenAIChatDeps {
  /** Where `apiKeyEnv` is looked up; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Injected in tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

const ENDPOINT = "POST /v1/chat/completions";

/**
 * Builds a chat engine for one server from its registry configuration (validated here too). A configuration with
 * several `baseUrls` is a pool: the registry builds one engine per replica (see `replicaConfigs`).
 *
 * @example
 * const engine = createOpenAIChatEngine({ name: "gpt-4o-mini", kind: "openai-chat", baseUrl: "https://api.openai.com",
 *   model: "gpt-4o-mini", apiKeyEnv: "OPENAI_API_KEY" });
 * const [answer] = await engine.chat!([{ messages: [{ role: "user", content: "2+2?" }], params: { maxTokens: 8 } }]);
 */
export function createOpenAIChatEngine(cfg: OpenAIChatConfig, deps: OpenAIChatDeps = {}): Engine {
  const parsed = openAIChatConfigSchema.safeParse(cfg);
  if (!parsed.success) {
    throw new ConfigurationError(`invalid openai-chat engine config "${cfg.name}"`, { issues: parsed.error.issues });
  }
  const c = parsed.data;
  let apiKey: string | undefined;
  if (c.apiKeyEnv) {
    apiKey = (deps.env ?? process.env)[c.apiKeyEnv];
    if (!apiKey) throw new ConfigurationError(`engine "${c.name}": environment variable ${c.apiKeyEnv} is not set`);
  }
  const root = serverRoot(soleReplica(c.name, "baseUrl", c.baseUrl, c.baseUrls));
  const client = new OpenAI({
    // Given explicitly so the client never falls back to OPENAI_API_KEY / OPENAI_BASE_URL from the environment; a
    // server without auth ignores the placeholder.
    apiKey: apiKey ?? "EMPTY",
    baseURL: `${root}/v1`,
    organization: null,
    project: null,
    maxRetries: 0,
    ...(c.timeoutMs ? { timeout: c.timeoutMs } : {}),
    fetch: envelopeErrors(deps.fetch ?? fetch),
  });

  async function chatOne(request: ChatRequest): Promise<ChatResult> {
    if (request.params.maxTokens === 0) return emptyChatResult();
    const params: ChatCompletionCreateParamsNonStreaming = buildChatBody(request, c.model, c.maxTokensField);
    let response: unknown;
    try {
      response = await client.chat.completions.create(params);
    } catch (err) {
      throw classifyError(err, { engine: c.name, endpoint: ENDPOINT });
    }
    return parseChatResponse(response, c.name);
  }

  const refuse = (method: string) => async (): Promise<never> => {
    throw new CapabilityError(c.name, `${method}: an openai-chat engine only chats (/v1/chat/completions takes messages, not token ids)`);
  };

  return {
    name: c.name,
    kind: "openai-chat",
    model: c.model,
    contextSize: c.contextSize ?? Number.POSITIVE_INFINITY,
    bosToken: null,
    capabilities: {
      promptLogprobs: false,
      sharedPrefix: false,
      generate: false,
      embeddings: false,
      kvSequences: false,
      chat: true,
    },
    tokenize: refuse("tokenize"),
    detokenize: refuse("detokenize"),
    score: refuse("score"),
    scoreSuffixes: refuse("scoreSuffixes"),
    generate: refuse("generate"),
    embed: refuse("embed"),
    // One conversation per HTTP request; the registry's resilience layer hands them over one at a time.
    chat: (requests) => Promise.all(requests.map(chatOne)),
    async close() {
      // Stateless HTTP: nothing to release.
    },
  };
}
