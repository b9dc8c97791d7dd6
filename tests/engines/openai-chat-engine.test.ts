/**
 * The openai-chat engine against a small `/v1/chat/completions` server on 127.0.0.1, through the real `openai` client.
 * The engine contract suite (`tests/contract/engine.case.ts`) does not apply: it tokenizes, scores and generates from
 * token ids, none of which a chat endpoint can do.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EngineDescriptorSchema, type EngineConfigInput } from "../../schemas/engines.js";
import { ScoreRequestSchema } from "../../shared/api/routes/engines.js";
import type { ChatRequest, Engine } from "../../shared/engines/engine.js";
import { createOpenAIChatEngine, type OpenAIChatConfig } from "../../shared/engines/openai-chat/index.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { CapabilityError, ConfigurationError, EngineError, ValidationError } from "../../shared/errors.js";

interface Seen {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

type Reply = { status?: number; json: unknown; delayMs?: number } | { hang: true };

interface ChatServer {
  readonly url: string;
  readonly seen: Seen[];
  /** Most requests the server held at once. */
  readonly maxInFlight: () => number;
  close(): Promise<void>;
}

/** The last user message, answered as `echo: <it>` with usage counted in characters. */
function echo(body: Record<string, unknown>): Reply {
  const messages = body.messages as { role: string; content: string }[];
  const last = messages.filter((m) => m.role === "user").at(-1)!.content;
  return {
    json: {
      id: "chatcmpl-test",
      object: "chat.completion",
      created: 1_700_000_000,
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content: `echo: ${last}` }, finish_reason: "stop" }],
      usage: { prompt_tokens: last.length, completion_tokens: 2, total_tokens: last.length + 2 },
    },
  };
}

const servers: Server[] = [];

async function startChatServer(handler: (body: Record<string, unknown>, n: number) => Reply = echo): Promise<ChatServer> {
  const seen: Seen[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      seen.push({ path: req.url ?? "", headers: req.headers, body });
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      res.on("close", () => inFlight--);
      const reply = req.url === "/v1/chat/completions" ? handler(body, seen.length) : { status: 404, json: { error: { message: "no such route" } } };
      if ("hang" in reply) return;
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (res.destroyed) return;
      res.writeHead(reply.status ?? 200, { "content-type": "application/json" }).end(JSON.stringify(reply.json));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    maxInFlight: () => maxInFlight,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.splice(0).map(closeServer));
});

const cfg = (baseUrl: string, extra: Partial<OpenAIChatConfig> = {}): OpenAIChatConfig => ({
  name: "gpt",
  kind: "openai-chat",
  baseUrl,
  model: "gpt-4o-mini",
  ...extra,
});

const ask = (content: string, params: ChatRequest["params"] = { maxTokens: 32 }): ChatRequest => ({
  messages: [
    { role: "system", content: "Answer briefly." },
    { role: "user", content },
  ],
  params,
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

describe("createOpenAIChatEngine against a local chat-completions server", () => {
  it("should send model, messages, temperature, top_p, the token cap, seed and stop, and read text and usage", async () => {
    const server = await startChatServer();
    const engine = createOpenAIChatEngine(cfg(server.url));
    const [out] = await engine.chat!([ask("2+2?", { maxTokens: 64, temperature: 0.7, topP: 0.95, seed: 1234, stop: ["###"] })]);
    expect(out).toEqual({ text: "echo: 2+2?", finishReason: "stop", promptTokens: 4, outputTokens: 2 });
    expect(server.seen).toHaveLength(1);
    const { path, body } = server.seen[0]!;
    expect(path).toBe("/v1/chat/completions");
    expect(body).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Answer briefly." },
        { role: "user", content: "2+2?" },
      ],
      temperature: 0.7,
      top_p: 0.95,
      max_completion_tokens: 64,
      seed: 1234,
      stop: ["###"],
    });
  });

  it("should send the cap as max_tokens when configured so, and decode greedily by default", async () => {
    const server = await startChatServer();
    const engine = createOpenAIChatEngine(cfg(server.url, { maxTokensField: "max_tokens" }));
    await engine.chat!([ask("hi", { maxTokens: 7 })]);
    expect(server.seen[0]!.body).toMatchObject({ max_tokens: 7, temperature: 0 });
    expect(server.seen[0]!.body).not.toHaveProperty("max_completion_tokens");
    expect(server.seen[0]!.body).not.toHaveProperty("seed");
  });

  it("should answer maxTokens 0 with nothing and no request, and refuse a negative cap before sending", async () => {
    const server = await startChatServer();
    const engine = createOpenAIChatEngine(cfg(server.url));
    expect(await engine.chat!([ask("hi", { maxTokens: 0 })])).toEqual([{ text: "", finishReason: "length", promptTokens: null, outputTokens: 0 }]);
    await expect(engine.chat!([ask("hi", { maxTokens: -1 })])).rejects.toThrow(ValidationError);
    expect(server.seen).toHaveLength(0);
  });

  it("should read the key from apiKeyEnv and send it as a bearer token, never an ambient OPENAI_API_KEY", async () => {
    const server = await startChatServer();
    vi.stubEnv("OPENAI_API_KEY", "sk-ambient");
    await createOpenAIChatEngine(cfg(server.url, { apiKeyEnv: "HOSTED_CHAT_KEY" }), { env: { HOSTED_CHAT_KEY: "sk-test-123" } }).chat!([ask("a")]);
    await createOpenAIChatEngine(cfg(server.url)).chat!([ask("b")]);
    expect(server.seen.map((s) => s.headers.authorization)).toEqual(["Bearer sk-test-123", "Bearer EMPTY"]);
    expect(() => createOpenAIChatEngine(cfg(server.url, { apiKeyEnv: "HOSTED_CHAT_KEY" }), { env: {} })).toThrow(ConfigurationError);
    expect(() => createOpenAIChatEngine(cfg(server.url, { apiKeyEnv: "HOSTED_CHAT_KEY" }), { env: {} })).toThrow(/HOSTED_CHAT_KEY is not set/);
  });

  it("should classify 429 and 5xx as retryable and another 4xx as permanent, with the endpoint's own message", async () => {
    const replies: Reply[] = [
      { status: 429, json: { error: { message: "Rate limit reached for gpt-4o-mini", type: "requests" } } },
      { status: 503, json: { error: { message: "The server is overloaded" } } },
      { status: 400, json: { error: { message: "This model's maximum context length is 128000 tokens", type: "invalid_request_error" } } },
      // Old vLLM's error shape: the endpoint's message must still come through.
      { status: 400, json: { object: "error", message: "stop must be at most 4 sequences", type: "BadRequestError", code: 400 } },
    ];
    const server = await startChatServer((_, n) => replies[n - 1]!);
    const engine = createOpenAIChatEngine(cfg(server.url));
    const errors = [];
    for (let i = 0; i < replies.length; i++) errors.push((await rejection(engine.chat!([ask("q")]))) as EngineError);
    for (const e of errors) expect(e).toBeInstanceOf(EngineError);
    expect(errors.map((e) => [e.retryable, e.engineStatus])).toEqual([
      [true, 429],
      [true, 503],
      [false, 400],
      [false, 400],
    ]);
    expect(errors[0]!.message).toBe("gpt: POST /v1/chat/completions failed with 429: Rate limit reached for gpt-4o-mini");
    expect(errors[2]!.message).toMatch(/failed with 400: This model's maximum context length is 128000 tokens$/);
    expect(errors[3]!.message).toMatch(/failed with 400: stop must be at most 4 sequences$/);
    // maxRetries 0: the client itself never retried.
    expect(server.seen).toHaveLength(4);
  });

  it("should time out a hanging request after timeoutMs with a retryable error", async () => {
    const server = await startChatServer(() => ({ hang: true }));
    const engine = createOpenAIChatEngine(cfg(server.url, { timeoutMs: 200 }));
    const started = performance.now();
    const e = (await rejection(engine.chat!([ask("q")]))) as EngineError;
    expect(e).toBeInstanceOf(EngineError);
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/^gpt: POST \/v1\/chat\/completions could not be reached: timed out/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("should refuse every method but chat with a CapabilityError saying it only chats, and declare only chat", async () => {
    const server = await startChatServer();
    const engine = createOpenAIChatEngine(cfg(server.url));
    expect(engine.capabilities).toEqual({
      promptLogprobs: false,
      sharedPrefix: false,
      generate: false,
      embeddings: false,
      kvSequences: false,
      chat: true,
    });
    expect(engine.kind).toBe("openai-chat");
    expect(engine.bosToken).toBeNull();
    expect(engine.contextSize).toBe(Number.POSITIVE_INFINITY);
    const calls: [string, () => Promise<unknown>][] = [
      ["tokenize", () => engine.tokenize("hello")],
      ["detokenize", () => engine.detokenize([1, 2])],
      ["score", () => engine.score([{ tokens: [1, 2], from: 1 }])],
      ["scoreSuffixes", () => engine.scoreSuffixes({ prefix: [1], suffixes: [{ tokens: [2], from: 0 }] })],
      ["generate", () => engine.generate([{ prompt: [1], params: { maxTokens: 4 } }])],
      ["embed", () => engine.embed(["hello"])],
    ];
    for (const [method, call] of calls) {
      const e = await rejection(call());
      expect(e).toBeInstanceOf(CapabilityError);
      expect(e.message).toBe(
        `engine "gpt" does not support ${method}: an openai-chat engine only chats (/v1/chat/completions takes messages, not token ids)`,
      );
    }
    expect(server.seen).toHaveLength(0);
  });
});

describe("openai-chat through the engine registry", () => {
  const configured = (url: string, extra: Record<string, unknown> = {}) =>
    ({ name: "gpt", kind: "openai-chat", baseUrl: url, model: "gpt-4o-mini", apiKeyEnv: "HOSTED_CHAT_KEY", ...extra }) as EngineConfigInput;

  function registryFor(config: EngineConfigInput): EngineRegistry {
    vi.stubEnv("HOSTED_CHAT_KEY", "sk-registry");
    return EngineRegistry.fromConfigs([config]);
  }

  it("should retry a 429 and then answer", async () => {
    const server = await startChatServer((body, n) => (n === 1 ? { status: 429, json: { error: { message: "slow down" } } } : echo(body)));
    const registry = registryFor(configured(server.url, { retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 } }));
    const engine = await registry.get("gpt");
    expect(await engine.chat!([ask("again")])).toEqual([{ text: "echo: again", finishReason: "stop", promptTokens: 5, outputTokens: 2 }]);
    expect(server.seen).toHaveLength(2);
    expect(server.seen.map((s) => s.headers.authorization)).toEqual(["Bearer sk-registry", "Bearer sk-registry"]);
    await registry.close();
  });

  it("should not retry a 400 and surface its message", async () => {
    const server = await startChatServer(() => ({ status: 400, json: { error: { message: "Invalid value for 'temperature'" } } }));
    const registry = registryFor(configured(server.url, { retry: { maxAttempts: 5, baseDelayMs: 0, maxDelayMs: 0 } }));
    const engine = await registry.get("gpt");
    const e = (await rejection(engine.chat!([ask("q")]))) as EngineError;
    expect(e).toBeInstanceOf(EngineError);
    expect(e.message).toMatch(/failed with 400: Invalid value for 'temperature'$/);
    expect(server.seen).toHaveLength(1);
  });

  it("should retry a hanging request after its timeout, up to maxAttempts", async () => {
    const server = await startChatServer(() => ({ hang: true }));
    const registry = registryFor(configured(server.url, { timeoutMs: 150, retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 } }));
    const engine = await registry.get("gpt");
    const e = (await rejection(engine.chat!([ask("q")]))) as EngineError;
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/timed out/);
    expect(server.seen).toHaveLength(2);
  });

  it("should return results in request order under concurrency, holding at most `concurrency` requests at the server", async () => {
    const n = 12;
    // Earlier conversations answer later, so completion order is the reverse of request order.
    const server = await startChatServer((body) => {
      const last = (body.messages as { content: string }[]).at(-1)!.content;
      return { ...echo(body), delayMs: (n - Number(last.slice(1))) * 8 } as Reply;
    });
    const registry = registryFor(configured(server.url, { concurrency: 3 }));
    const engine = await registry.get("gpt");
    const requests = Array.from({ length: n }, (_, i) => ask(`q${i}`));
    const out = await engine.chat!(requests);
    expect(out.map((r) => r.text)).toEqual(requests.map((_, i) => `echo: q${i}`));
    expect(server.seen).toHaveLength(n);
    expect(server.maxInFlight()).toBe(3);
  });

  it("should retry only the conversation that failed, not the whole list", async () => {
    const server = await startChatServer((body) => {
      const last = (body.messages as { content: string }[]).at(-1)!.content;
      const tries = server.seen.filter((s) => (s.body.messages as { content: string }[]).at(-1)!.content === last).length;
      return last === "q1" && tries === 1 ? { status: 503, json: { error: { message: "busy" } } } : echo(body);
    });
    const registry = registryFor(configured(server.url, { retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 } }));
    const engine = await registry.get("gpt");
    const out = await engine.chat!([ask("q0"), ask("q1"), ask("q2")]);
    expect(out.map((r) => r.text)).toEqual(["echo: q0", "echo: q1", "echo: q2"]);
    expect(server.seen).toHaveLength(4);
  });

  it("should pool baseUrls replicas, spreading conversations and reporting them only as r0, r1", async () => {
    const a = await startChatServer();
    const b = await startChatServer();
    const registry = registryFor(configured(a.url, { baseUrl: undefined, baseUrls: [a.url, b.url], concurrency: 2 }));
    const engine = await registry.get("gpt");
    const out = await engine.chat!([ask("x"), ask("y"), ask("z"), ask("w")]);
    expect(out.map((r) => r.text)).toEqual(["echo: x", "echo: y", "echo: z", "echo: w"]);
    expect(a.seen.length).toBeGreaterThan(0);
    expect(b.seen.length).toBeGreaterThan(0);
    const stats = engine.stats!();
    expect(stats.replicas.map((r) => [r.id, r.requests])).toEqual([
      ["r0", a.seen.length],
      ["r1", b.seen.length],
    ]);
    expect(JSON.stringify(stats)).not.toMatch(/127\.0\.0\.1|http/);
  });

  it("should describe the engine as chat-only without building it, with its context or null when unknown", () => {
    vi.stubEnv("HOSTED_CHAT_KEY", "sk-registry");
    const registry = EngineRegistry.fromConfigs([
      configured("https://api.openai.com"),
      { ...configured("https://api.openai.com"), name: "gpt-long", contextSize: 128_000, concurrency: 20 } as EngineConfigInput,
    ]);
    const [d, long] = registry.list();
    expect(EngineDescriptorSchema.strict().parse(d)).toEqual({
      name: "gpt",
      kind: "openai-chat",
      model: "gpt-4o-mini",
      contextSize: null,
      concurrency: 8,
      capabilities: { promptLogprobs: false, sharedPrefix: false, generate: false, embeddings: false, kvSequences: false, chat: true },
    });
    expect(long).toMatchObject({ contextSize: 128_000, concurrency: 20 });
    expect(JSON.stringify(registry.list())).not.toMatch(/openai\.com|HOSTED_CHAT_KEY|https?:/);
  });

  it("should show an engine registered in-process without a known context as null", async () => {
    const server = await startChatServer();
    const registry = EngineRegistry.fromConfigs([]);
    registry.register(createOpenAIChatEngine(cfg(server.url)));
    expect(EngineDescriptorSchema.parse(registry.describe("gpt")).contextSize).toBeNull();
  });

  it("should make a URL impossible where a request names an engine: engines are named, never addressed", () => {
    vi.stubEnv("HOSTED_CHAT_KEY", "sk-registry");
    const url = "https://api.openai.com";
    // A URL cannot be an engine's name, so no configuration can make one addressable…
    expect(() => EngineRegistry.fromConfigs([{ ...configured(url), name: url } as EngineConfigInput])).toThrow(ConfigurationError);
    // …a request naming one is refused by the schema every engine-naming route uses…
    const parsed = ScoreRequestSchema.safeParse({ engine: `${url}/v1`, text: "hi" });
    expect(parsed.error?.issues[0]?.message).toMatch(/engines are named, not addressed/);
    // …and the registry only knows names: a URL is an unknown engine, listed with the ones that exist.
    const registry = EngineRegistry.fromConfigs([configured(url)]);
    expect(() => registry.get(url)).toThrow(ValidationError);
    expect(() => registry.get(url)).toThrow(`engine "${url}" is not configured; available: gpt`);
  });
});

describe("engines without chat", () => {
  it("should declare chat false for every other kind and expose no chat method through the registry", async () => {
    const registry = EngineRegistry.fromConfigs([
      { name: "v", kind: "vllm", baseUrl: "http://10.0.0.5:8000", model: "m", contextSize: 4096 },
      { name: "s", kind: "sglang", baseUrl: "http://10.0.0.5:30000", model: "m", contextSize: 4096 },
      { name: "sm", kind: "sagemaker", endpointName: "e", format: "vllm", model: "m", contextSize: 4096, tokenizerEngine: "v" },
      { name: "local", kind: "embedded", modelPath: "m.gguf" },
      { name: "f", kind: "fake" },
    ]);
    expect(registry.list().map((d) => [d.kind, d.capabilities.chat])).toEqual([
      ["vllm", false],
      ["sglang", false],
      ["sagemaker", false],
      ["embedded", false],
      ["fake", false],
    ]);
    const fake: Engine = await registry.get("f");
    expect(fake.capabilities.chat).toBe(false);
    expect(fake.chat).toBeUndefined();
  });
});
