import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EngineConfigSchema, type EngineConfigInput } from "../../schemas/engines.js";
import { buildChatBody, parseChatResponse } from "../../shared/engines/openai-chat/index.js";
import { EngineError, ValidationError } from "../../shared/errors.js";

const USER = [{ role: "user" as const, content: "What is 2+2?" }];

describe("buildChatBody", () => {
  it("should send model, messages, greedy temperature and the cap in max_completion_tokens by default", () => {
    const body = buildChatBody({ messages: USER, params: { maxTokens: 16 } }, "gpt-4o-mini", "max_completion_tokens");
    expect(body).toEqual({ model: "gpt-4o-mini", messages: USER, temperature: 0, max_completion_tokens: 16 });
  });

  it("should send top_p, seed and stop only when given, and the cap in max_tokens when configured so", () => {
    const params = { maxTokens: 4, temperature: 0.7, topP: 0.9, seed: 42, stop: ["\n\n"] };
    const body = buildChatBody({ messages: USER, params }, "m", "max_tokens");
    expect(body).toEqual({ model: "m", messages: USER, temperature: 0.7, top_p: 0.9, seed: 42, stop: ["\n\n"], max_tokens: 4 });
    expect(body).not.toHaveProperty("max_completion_tokens");
    expect(buildChatBody({ messages: USER, params: { maxTokens: 4, stop: [] } }, "m", "max_tokens")).not.toHaveProperty("stop");
  });

  it("should refuse an empty conversation and a cap that is not a positive integer", () => {
    expect(() => buildChatBody({ messages: [], params: { maxTokens: 4 } }, "m", "max_tokens")).toThrow(ValidationError);
    expect(() => buildChatBody({ messages: USER, params: { maxTokens: 0 } }, "m", "max_tokens")).toThrow(/positive integer/);
    expect(() => buildChatBody({ messages: USER, params: { maxTokens: 1.5 } }, "m", "max_tokens")).toThrow(/positive integer/);
  });
});

describe("parseChatResponse", () => {
  it("should read the first choice's text, its finish reason and the usage", () => {
    const body = {
      id: "chatcmpl-1",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: "4" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 14, completion_tokens: 1, total_tokens: 15 },
    };
    expect(parseChatResponse(body, "gpt")).toEqual({ text: "4", finishReason: "stop", promptTokens: 14, outputTokens: 1 });
  });

  it("should map only `length` to length, read a null content as empty, and give null sizes without usage", () => {
    const out = (finish_reason: string | null, content: string | null) =>
      parseChatResponse({ choices: [{ index: 0, message: { role: "assistant", content }, finish_reason }] }, "gpt");
    expect(out("length", "abc")).toEqual({ text: "abc", finishReason: "length", promptTokens: null, outputTokens: null });
    expect(out("content_filter", null)).toMatchObject({ text: "", finishReason: "stop" });
    expect(out(null, "x").finishReason).toBe("stop");
  });

  it("should pick choice index 0 when the server lists choices out of order", () => {
    const body = {
      choices: [
        { index: 1, message: { content: "second" }, finish_reason: "stop" },
        { index: 0, message: { content: "first" }, finish_reason: "stop" },
      ],
    };
    expect(parseChatResponse(body, "gpt").text).toBe("first");
  });

  it("should fail permanently on a body that is not a chat completion", () => {
    for (const body of [{}, { choices: [] }, { choices: [{ message: { content: 3 } }] }, "not json"]) {
      const err = (() => {
        try {
          parseChatResponse(body, "gpt");
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).retryable).toBe(false);
      expect((err as EngineError).message).toMatch(/^gpt: unexpected chat completions response/);
    }
  });
});

describe("openai-chat configuration", () => {
  const chat = (extra: Record<string, unknown>) =>
    ({ name: "gpt", kind: "openai-chat", model: "gpt-4o-mini", ...extra }) as EngineConfigInput;
  const ok = (c: EngineConfigInput) => EngineConfigSchema.safeParse(c).success;

  it("should take an https server root, or plain http only to a loopback address", () => {
    expect(ok(chat({ baseUrl: "https://api.openai.com" }))).toBe(true);
    expect(ok(chat({ baseUrl: "http://127.0.0.1:8123" }))).toBe(true);
    expect(ok(chat({ baseUrl: "http://localhost:8123/" }))).toBe(true);
    expect(ok(chat({ baseUrl: "http://[::1]:8123" }))).toBe(true);
    expect(ok(chat({ baseUrl: "http://10.0.0.5:8000" }))).toBe(false);
    expect(ok(chat({ baseUrl: "http://127.0.0.1.evil.example" }))).toBe(false);
    expect(ok(chat({ baseUrl: "http://localhost.evil.example:80" }))).toBe(false);
    expect(ok(chat({ baseUrl: "https://api.openai.com/v1" }))).toBe(false);
    expect(ok(chat({ baseUrl: "ftp://api.openai.com" }))).toBe(false);
    const plain = EngineConfigSchema.safeParse(chat({ baseUrl: "http://10.0.0.5:8000" }));
    expect(plain.error?.issues[0]?.message).toMatch(/https/);
  });

  it("should take baseUrl or baseUrls (exactly one), an env var name for the key, and an optional context", () => {
    expect(ok(chat({ baseUrls: ["https://a.example", "https://b.example"] }))).toBe(true);
    expect(ok(chat({}))).toBe(false);
    expect(ok(chat({ baseUrl: "https://a.example", baseUrls: ["https://b.example"] }))).toBe(false);
    expect(ok(chat({ baseUrls: ["https://a.example", "http://10.0.0.6"] }))).toBe(false);
    expect(ok(chat({ baseUrl: "https://a.example", apiKeyEnv: "OPENAI_API_KEY" }))).toBe(true);
    expect(ok(chat({ baseUrl: "https://a.example", apiKeyEnv: "sk-proj-abc123" }))).toBe(false);
    expect(ok(chat({ baseUrl: "https://a.example", contextSize: null }))).toBe(true);
    expect(ok(chat({ baseUrl: "https://a.example", contextSize: 8 }))).toBe(false);
    const parsed = EngineConfigSchema.parse(chat({ baseUrl: "https://a.example" }));
    expect(parsed).toMatchObject({ kind: "openai-chat", maxTokensField: "max_completion_tokens" });
    expect(ok(chat({ baseUrl: "https://a.example", maxTokensField: "max_new_tokens" }))).toBe(false);
  });

  it("should accept the README's engine configuration example, openai-chat entry included", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Engines"));
    const example = /```json\n([\s\S]*?)```/.exec(section)![1]!;
    const configs = JSON.parse(example) as EngineConfigInput[];
    expect(configs.map((c) => c.kind)).toContain("openai-chat");
    for (const c of configs) expect(EngineConfigSchema.safeParse(c).error).toBeUndefined();
  });
});
