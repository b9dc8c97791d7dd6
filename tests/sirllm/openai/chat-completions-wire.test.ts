import OpenAI, {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from "openai";
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ChatCompletionRequestSchema, type ChatCompletionRequest } from "../../../schemas/openai-chat-completions.js";
import { ConflictError as AssayConflictError, EngineError, NotFoundError as AssayNotFoundError, ValidationError } from "../../../shared/errors.js";
import {
  ASSAY_SESSION_HEADER,
  ChatCompletionRequestError,
  SSE_CONTENT_TYPE,
  SSE_DONE,
  completionChunk,
  completionId,
  completionResponse,
  contentText,
  decodingOverrides,
  includeUsage,
  lastUserMessage,
  openAiError,
  openAiErrorType,
  parseChatCompletionRequest,
  sseEvent,
  systemPrompt,
  toOpenAiError,
  usageChunk,
} from "../../../shared/sirllm/openai/chat-completions-wire.js";

const SESSION = "ss_0123456789abcdefghij";
const CREATED = 1_700_000_000;

interface Sent {
  readonly url: string;
  readonly headers: Headers;
  readonly body: unknown;
}

/**
 * The official client over a fetch that never leaves the process: it records what the client sends and answers
 * with `respond`'s status and body (a JSON object, or a string sent as server-sent events).
 */
function client(respond: (sent: Sent) => { status?: number; body: unknown }): { openai: OpenAI; sent: Sent[] } {
  const sent: Sent[] = [];
  const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = { url: String(input instanceof Request ? input.url : input), headers: new Headers(init?.headers), body: JSON.parse(String(init?.body)) };
    sent.push(request);
    const { status = 200, body } = respond(request);
    return typeof body === "string"
      ? new Response(body, { status, headers: { "content-type": SSE_CONTENT_TYPE } })
      : new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };
  const openai = new OpenAI({ apiKey: "assay_test", baseURL: "http://assay.test/v1", maxRetries: 0, fetch: fakeFetch });
  return { openai, sent };
}

function request(overrides: Record<string, unknown> = {}): ChatCompletionRequest {
  return parseChatCompletionRequest({ model: "local", messages: [{ role: "user", content: "hi" }], ...overrides });
}

function refusal(body: unknown): ChatCompletionRequestError {
  try {
    parseChatCompletionRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ChatCompletionRequestError);
    expect(error).toBeInstanceOf(ValidationError);
    return error as ChatCompletionRequestError;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

describe("ChatCompletionRequestSchema: what the openai client sends", () => {
  it("should accept the body client.chat.completions.create sends, streaming, and see the session header", async () => {
    const { openai, sent } = client(() => ({ body: SSE_DONE }));
    // The client passes fields it does not know through; assay's own session settings travel that way.
    const params: ChatCompletionCreateParamsStreaming & { assay: Record<string, unknown> } = {
      model: "local",
      messages: [
        { role: "developer", content: "You are terse." },
        { role: "user", content: "Hi, I'm Ana." },
        { role: "assistant", content: "Hello Ana." },
        { role: "user", content: [{ type: "text", text: "What's " }, { type: "text", text: "my name?" }] },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 64,
      temperature: 0.7,
      top_p: 0.9,
      seed: 42,
      stop: ["\n\nUSER:"],
      n: 1,
      user: "ana@example.com",
      assay: { policy: "sirllm", cacheSize: 256, sinks: 4, decay: 0.9, seed: 7, entropy: "paper", memoryLevel: "token", template: "vicuna" },
    };
    const stream = await openai.chat.completions.create(params, { headers: { "X-Assay-Session": SESSION } });
    for await (const _ of stream) expect.unreachable();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe("http://assay.test/v1/chat/completions");
    expect(sent[0]!.headers.get(ASSAY_SESSION_HEADER)).toBe(SESSION);

    const req = parseChatCompletionRequest(sent[0]!.body);
    expect(req.model).toBe("local");
    expect(req.stream).toBe(true);
    expect(includeUsage(req)).toBe(true);
    expect(lastUserMessage(req.messages)).toBe("What's my name?");
    expect(systemPrompt(req.messages)).toBe("You are terse.");
    expect(decodingOverrides(req)).toEqual({ maxTokens: 64, temperature: 0.7, topP: 0.9, seed: 42, stop: ["\n\nUSER:"] });
    expect(req.assay).toEqual({ policy: "sirllm", cacheSize: 256, sinks: 4, decay: 0.9, seed: 7, entropy: "paper", memoryLevel: "token", template: "vicuna" });
    expect(req.user).toBe("ana@example.com");
  });

  it("should accept the smallest body the client sends, with stream defaulting to false", async () => {
    const { openai, sent } = client(() => ({
      body: completionResponse({ id: "chatcmpl-1", created: CREATED, model: "local", text: "hey", finishReason: "stop", promptTokens: 3, completionTokens: 1, sessionId: SESSION }),
    }));
    await openai.chat.completions.create({ model: "local", messages: [{ role: "user", content: "hi" }] });
    expect(sent[0]!.body).toEqual({ model: "local", messages: [{ role: "user", content: "hi" }] });
    const req = parseChatCompletionRequest(sent[0]!.body);
    expect(req.stream).toBe(false);
    expect(includeUsage(req)).toBe(false);
    expect(decodingOverrides(req)).toEqual({});
    expect(systemPrompt(req.messages)).toBeNull();
  });

  it("should accept and ignore unknown fields, and null for optional ones", () => {
    const req = request({
      tools: [{ type: "function", function: { name: "f" } }],
      response_format: { type: "text" },
      metadata: { a: "b" },
      logit_bias: {},
      frequency_penalty: 0,
      max_tokens: null,
      max_completion_tokens: null,
      temperature: null,
      top_p: null,
      seed: null,
      stop: null,
      n: null,
      stream: null,
      stream_options: null,
      user: null,
      assay: null,
    });
    expect(req.stream).toBe(false);
    expect(decodingOverrides(req)).toEqual({});
    expect(req["tools"]).toBeDefined(); // passed through, for the caller to ignore
    const messages = request({ messages: [{ role: "user", content: "hi", name: "ana" }] }).messages;
    expect(lastUserMessage(messages)).toBe("hi");
  });

  it("should let max_completion_tokens win over max_tokens, and read stop as a list", () => {
    expect(decodingOverrides(request({ max_tokens: 100, max_completion_tokens: 5 })).maxTokens).toBe(5);
    expect(decodingOverrides(request({ max_tokens: 100 })).maxTokens).toBe(100);
    expect(decodingOverrides(request({ max_tokens: 0 })).maxTokens).toBe(0);
    expect(decodingOverrides(request({ stop: "\n" })).stop).toEqual(["\n"]);
    expect(decodingOverrides(request({ stop: ["a", "b", "c", "d"] })).stop).toEqual(["a", "b", "c", "d"]);
    expect(includeUsage(request({ stream: false, stream_options: { include_usage: true } }))).toBe(false);
  });
});

describe("ChatCompletionRequestSchema: refusals", () => {
  it("should refuse n = 2 clearly", () => {
    const error = refusal({ model: "local", messages: [{ role: "user", content: "hi" }], n: 2 });
    expect(error.message).toBe("n: n = 2 is not supported: a session answers each turn once, so only n = 1 is");
    expect(error.param).toBe("n");
    expect(error.status).toBe(400);
  });

  it("should refuse tool and function messages, and unknown roles", () => {
    for (const role of ["tool", "function", "robot"]) {
      const error = refusal({ model: "local", messages: [{ role: "user", content: "hi" }, { role, content: "x", tool_call_id: "1" }] });
      expect(error.param).toBe("messages[1].role");
      expect(error.message).toContain(`role "${role}" is not supported`);
      expect(error.message).toContain("system, developer, user or assistant");
    }
    expect(refusal({ model: "local", messages: [{ content: "hi" }] }).message).toBe(
      "messages[0].role: each message needs a role: system, developer, user or assistant",
    );
  });

  it("should refuse content parts other than text, naming the part", () => {
    const error = refusal({
      model: "local",
      messages: [{ role: "user", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "https://x/y.png" } }] }],
    });
    expect(error.param).toBe("messages[0].content[1].type");
    expect(error.message).toMatch(/^messages\[0\]\.content\[1\]\.type: content part type "image_url" is not supported: only \{type: "text", text\} parts are/);
    const bad = refusal({ model: "local", messages: [{ role: "user", content: 42 }] });
    expect(bad.message).toBe('messages[0].content: content must be a string or an array of {type: "text", text} parts');
    expect(refusal({ model: "local", messages: [{ role: "assistant", content: null }, { role: "user", content: "x" }] }).param).toBe("messages[0].content");
  });

  it("should refuse a missing model, no messages, and out-of-range settings", () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ model: undefined }, "model", /model is required/],
      [{ model: "" }, "model", /model is required/],
      [{ messages: [] }, "messages", /at least the user's new turn/],
      [{ messages: "hi" }, "messages", /messages must be an array/],
      [{ messages: ["hi"] }, "messages[0]", /each message must be an object with a role and content/],
      [{ temperature: 2.5 }, "temperature", /temperature must be ≤ 2/],
      [{ temperature: -1 }, "temperature", /temperature must be ≥ 0/],
      [{ top_p: 0 }, "top_p", /top_p must be > 0/],
      [{ top_p: 1.5 }, "top_p", /top_p must be ≤ 1/],
      [{ max_tokens: -1 }, "max_tokens", /max_tokens must be ≥ 0/],
      [{ max_completion_tokens: 1.5 }, "max_completion_tokens", /must be an integer/],
      [{ seed: 0.5 }, "seed", /seed must be an integer/],
      [{ stop: ["a", "b", "c", "d", "e"] }, "stop", /at most 4 strings/],
      [{ stop: 7 }, "stop", /stop must be a string or an array of at most 4 strings/],
      [{ stream: "yes" }, "stream", /stream must be true or false/],
      [{ n: "1" }, "n", /n must be 1/],
      [{ assay: { cacheSize: 0 } }, "assay.cacheSize", /cacheSize must be at least 1/],
      [{ assay: { decay: 0 } }, "assay.decay", /decay must be > 0/],
      [{ assay: { seed: -1 } }, "assay.seed", /seed must be ≥ 0/],
      [{ assay: { policy: "lru" } }, "assay.policy", /expected one of: sirllm, streaming, random, interval, full/],
      [{ assay: { memoryLevel: "gpu" } }, "assay.memoryLevel", /expected one of: kv, token/],
      [{ assay: { entropy: "x" } }, "assay.entropy", /expected one of: paper, reference/],
      [{ assay: { cache_size: 5 } }, "assay", /unknown session setting "cache_size": assay takes policy, cacheSize/],
      [{ assay: "sirllm" }, "assay", /assay must be an object of session settings/],
    ];
    for (const [fields, param, message] of cases) {
      const error = refusal({ model: "local", messages: [{ role: "user", content: "hi" }], ...fields });
      expect(error.param, JSON.stringify(fields)).toBe(param);
      expect(error.message, JSON.stringify(fields)).toMatch(message);
      expect(error.message.startsWith(`${param}: `)).toBe(true);
    }
    const notObject = refusal([1, 2]);
    expect(notObject.param).toBeNull();
    expect(notObject.message).toBe("the body must be a JSON object");
  });

  it("should say when more than one thing is wrong", () => {
    const error = refusal({ model: "local", messages: [{ role: "user", content: "hi" }], n: 3, temperature: 9 });
    expect(error.message).toMatch(/\(and 1 more problem\)$/);
  });

  it("should refuse a last message that is not the user's new turn", () => {
    const req = request({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }] });
    expect(() => lastUserMessage(req.messages)).toThrow(ChatCompletionRequestError);
    expect(() => lastUserMessage(req.messages)).toThrow("the last message must be the user's new turn; it is the assistant's");
    const system = request({ messages: [{ role: "system", content: "be brief" }] });
    expect(() => lastUserMessage(system.messages)).toThrow("the last message must be the user's new turn");
    expect(() => lastUserMessage([])).toThrow("the last message must be the user's new turn; there are no messages");
    try {
      lastUserMessage(req.messages);
    } catch (error) {
      expect(toOpenAiError(error)).toEqual({
        status: 400,
        body: { error: { message: "the last message must be the user's new turn; it is the assistant's", type: "invalid_request_error", param: "messages", code: "invalid_request" } },
      });
    }
  });

  it("should read system and developer prompts, the first one, joining parts", () => {
    const req = request({
      messages: [
        { role: "user", content: "earlier" },
        { role: "developer", content: [{ type: "text", text: "be " }, { type: "text", text: "brief" }] },
        { role: "system", content: "ignored: not the first" },
        { role: "user", content: [] },
      ],
    });
    expect(systemPrompt(req.messages)).toBe("be brief");
    expect(lastUserMessage(req.messages)).toBe("");
    expect(contentText("plain")).toBe("plain");
  });

  it("should produce a schema whose parse matches parseChatCompletionRequest", () => {
    const body = { model: "local", messages: [{ role: "user", content: "hi" }], temperature: 0 };
    expect(ChatCompletionRequestSchema.parse(body)).toEqual(parseChatCompletionRequest(body));
  });
});

describe("completionResponse", () => {
  const input = { id: "chatcmpl-abc", created: CREATED, model: "local", text: "Hello, Ana.", finishReason: "length" as const, promptTokens: 12, completionTokens: 4, sessionId: SESSION };

  it("should build OpenAI's ChatCompletion, field by field", () => {
    const out = completionResponse(input);
    const typed: ChatCompletion = out; // the return type is the client's own
    expect(Object.keys(typed).sort()).toEqual(["assay", "choices", "created", "id", "model", "object", "usage"]);
    expect(out.id).toBe("chatcmpl-abc");
    expect(out.object).toBe("chat.completion");
    expect(out.created).toBe(CREATED);
    expect(out.model).toBe("local");
    expect(out.choices).toEqual([
      { index: 0, message: { role: "assistant", content: "Hello, Ana.", refusal: null }, logprobs: null, finish_reason: "length" },
    ]);
    expect(out.usage).toEqual({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
    expect(out.assay).toEqual({ session: SESSION });
    expect(completionResponse({ ...input, turn: 3 }).assay).toEqual({ session: SESSION, turn: 3 });
  });

  it("should be read by the openai client as it was sent", async () => {
    const body = completionResponse({ ...input, finishReason: "stop" });
    const { openai } = client(() => ({ body }));
    const { data, response } = await openai.chat.completions.create({ model: "local", messages: [{ role: "user", content: "hi" }] }).withResponse();
    expect(response.status).toBe(200);
    expect(data).toEqual(body);
    expect(data.choices[0]!.message.content).toBe("Hello, Ana.");
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(data.usage?.total_tokens).toBe(16);
  });
});

describe("streaming: chunks and SSE framing", () => {
  const base = { id: "chatcmpl-s", created: CREATED, model: "local" };

  it("should build the first, text, last and usage chunks, field by field", () => {
    const first: ChatCompletionChunk = completionChunk({ ...base, role: true, sessionId: SESSION });
    expect(first).toEqual({
      id: "chatcmpl-s",
      object: "chat.completion.chunk",
      created: CREATED,
      model: "local",
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
      assay: { session: SESSION },
    });
    expect(completionChunk({ ...base, role: true, delta: "He" }).choices[0]!.delta).toEqual({ role: "assistant", content: "He" });
    const text = completionChunk({ ...base, delta: "llo" });
    expect(text).toEqual({
      id: "chatcmpl-s",
      object: "chat.completion.chunk",
      created: CREATED,
      model: "local",
      choices: [{ index: 0, delta: { content: "llo" }, logprobs: null, finish_reason: null }],
    });
    expect("assay" in text).toBe(false);
    expect("usage" in text).toBe(false);
    const last = completionChunk({ ...base, finishReason: "stop", nullUsage: true });
    expect(last.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]);
    expect(last.usage).toBeNull();
    const usage: ChatCompletionChunk = usageChunk({ ...base, promptTokens: 7, completionTokens: 2 });
    expect(usage).toEqual({
      id: "chatcmpl-s",
      object: "chat.completion.chunk",
      created: CREATED,
      model: "local",
      choices: [],
      usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
    });
  });

  it("should frame one JSON object per event, newlines in text included", () => {
    const chunk = completionChunk({ ...base, delta: "a\n\nb\r\ndata: x" });
    const event = sseEvent(chunk);
    expect(event).toBe(`data: ${JSON.stringify(chunk)}\n\n`);
    expect(event.indexOf("\n")).toBe(event.length - 2); // one line, then the blank line that ends the event
    expect(JSON.parse(event.slice("data: ".length))).toEqual(chunk);
    expect(SSE_DONE).toBe("data: [DONE]\n\n");
    expect(SSE_CONTENT_TYPE).toMatch(/^text\/event-stream/);
  });

  it("should be read by the openai client's stream: text, finish reason, usage", async () => {
    const pieces = ["Hel", "lo", ",\n", " Ana", "."];
    const events = [
      completionChunk({ ...base, role: true, sessionId: SESSION, nullUsage: true }),
      ...pieces.map((delta) => completionChunk({ ...base, delta, nullUsage: true })),
      completionChunk({ ...base, finishReason: "length", nullUsage: true }),
      usageChunk({ ...base, promptTokens: 11, completionTokens: pieces.length }),
    ];
    const { openai } = client(() => ({ body: events.map(sseEvent).join("") + SSE_DONE }));
    const stream = await openai.chat.completions.create({
      model: "local",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const got: ChatCompletionChunk[] = [];
    for await (const chunk of stream) got.push(chunk);
    expect(got).toEqual(events);
    expect(got.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? "")).join("")).toBe("Hello,\n Ana.");
    expect(got.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((r) => r !== null)).toEqual(["length"]);
    expect(got.at(-1)!.usage).toEqual({ prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 });
    expect(got[0]!.choices[0]!.delta.role).toBe("assistant");
  });

  it("should be raised by the openai client when an error arrives mid-stream", async () => {
    const body = sseEvent(completionChunk({ ...base, role: true })) + sseEvent(openAiError(502, "engine went away", "engine_error"));
    const { openai } = client(() => ({ body }));
    const stream = await openai.chat.completions.create({ model: "local", messages: [{ role: "user", content: "hi" }], stream: true });
    const seen: unknown[] = [];
    const failure = await (async () => {
      try {
        for await (const chunk of stream) seen.push(chunk);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(seen).toHaveLength(1);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain("engine went away");
    expect((failure as APIError).code).toBe("engine_error");
    expect((failure as APIError).type).toBe("server_error");
  });

  it("should make unique chatcmpl- ids", () => {
    const ids = new Set(Array.from({ length: 200 }, completionId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
  });
});

describe("openAiError", () => {
  it("should build OpenAI's error body", () => {
    expect(openAiError(400, "bad", "invalid_request", "messages")).toEqual({
      error: { message: "bad", type: "invalid_request_error", param: "messages", code: "invalid_request" },
    });
    expect(openAiError(500, "boom")).toEqual({ error: { message: "boom", type: "server_error", param: null, code: null } });
  });

  it("should map statuses to OpenAI's error types", () => {
    expect([400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503].map((s) => [s, openAiErrorType(s)])).toEqual([
      [400, "invalid_request_error"],
      [401, "authentication_error"],
      [403, "permission_error"],
      [404, "invalid_request_error"],
      [409, "invalid_request_error"],
      [413, "invalid_request_error"],
      [422, "invalid_request_error"],
      [429, "rate_limit_error"],
      [500, "server_error"],
      [502, "server_error"],
      [503, "server_error"],
    ]);
  });

  it("should make the openai client raise the matching APIError subclass with the body's fields", async () => {
    const cases: [number, string, new (...args: never[]) => APIError][] = [
      [400, "invalid_request", BadRequestError],
      [401, "unauthorized", AuthenticationError],
      [403, "forbidden", PermissionDeniedError],
      [404, "session_not_found", NotFoundError],
      [409, "conflict", ConflictError],
      [429, "rate_limited", RateLimitError],
      [500, "internal_error", InternalServerError],
      [503, "engine_error", InternalServerError],
    ];
    for (const [status, code, subclass] of cases) {
      const { openai } = client(() => ({ status, body: openAiError(status, `failed with ${status}`, code, status === 400 ? "n" : null) }));
      const error = await openai.chat.completions.create({ model: "local", messages: [{ role: "user", content: "hi" }] }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, String(status)).toBeInstanceOf(subclass);
      const api = error as APIError;
      expect(api.status).toBe(status);
      expect(api.message).toBe(`${status} failed with ${status}`);
      expect(api.code).toBe(code);
      expect(api.type).toBe(openAiErrorType(status));
      expect(api.param).toBe(status === 400 ? "n" : null);
    }
  });

  it("toOpenAiError should map thrown errors to a status and body", () => {
    const zod = z.object({ a: z.string() }).safeParse({ a: 1 });
    expect(zod.success).toBe(false);
    const cases: [unknown, number, string, string | null, string | null][] = [
      [refusal({ model: "local", messages: [{ role: "user", content: "x" }], n: 4 }), 400, "invalid_request_error", "invalid_request", "n"],
      [new AssayNotFoundError(`session ${SESSION} not found`), 404, "invalid_request_error", "not_found", null],
      [new AssayConflictError("another turn came first"), 409, "invalid_request_error", "conflict", null],
      [new EngineError("timeout", { retryable: true }), 503, "server_error", "engine_error", null],
      [new EngineError("bad gateway", { retryable: false }), 502, "server_error", "engine_error", null],
      [new HTTPException(400, { message: "Malformed JSON in request body" }), 400, "invalid_request_error", "invalid_request", null],
      [zod.error, 400, "invalid_request_error", "invalid_request", "a"],
      [new Error("secret internals"), 500, "server_error", "internal_error", null],
    ];
    for (const [error, status, type, code, param] of cases) {
      const out = toOpenAiError(error);
      expect(out.status).toBe(status);
      expect(out.body.error.type).toBe(type);
      expect(out.body.error.code).toBe(code);
      expect(out.body.error.param).toBe(param);
    }
    expect(toOpenAiError(new Error("secret internals")).body.error.message).toBe("internal error");
    expect(toOpenAiError(new AssayConflictError("another turn came first")).body.error.message).toBe("another turn came first");
  });
});
