/**
 * The OpenAI-compatible chat endpoint on the local stack (embedded engine, KV-level memory), driven by the official
 * `openai` npm client as a frontend would: 50 turns without streaming and 50 with, re-sending the growing history each
 * time (the server reads only the last message; memory is the session's).
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatCli } from "../helpers/sirllm-chat-cli.js";
import { startLocalStack, type LocalStack } from "../../shared/dev/stack.js";

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, workers: 0 });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

async function createSession(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${stack.apiUrl}/v1/sirllm/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function sessionView(id: string): Promise<{ turns: number; memoryLevel: string; memory: { tokens: number; evictions: number } }> {
  const res = await fetch(`${stack.apiUrl}/v1/sirllm/sessions/${id}`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  return (await res.json()) as never;
}

const LINES = ["Hi! What is your name?", "Tell me a story about a dog.", "What did the dog find?", "Was it happy?", "Why?"];

describe("POST /v1/chat/completions with the openai client", () => {
  it("should hold a 50-turn conversation without streaming", async () => {
    const id = await createSession({ engine: "local", cacheSize: 256, sinks: 4, decay: 0.9, decoding: { maxTokens: 12 } });
    const client = new OpenAI({ baseURL: `${stack.apiUrl}/v1`, apiKey: stack.apiKey, defaultHeaders: { "X-Assay-Session": id }, maxRetries: 0 });
    const history: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "system", content: "You are a storyteller." }];
    for (let turn = 0; turn < 50; turn++) {
      history.push({ role: "user", content: LINES[turn % LINES.length]! });
      const completion = await client.chat.completions.create({ model: "local", messages: history, max_tokens: 12, temperature: 0 });
      expect(completion.object).toBe("chat.completion");
      const choice = completion.choices[0]!;
      expect(choice.message.role).toBe("assistant");
      expect(typeof choice.message.content).toBe("string");
      expect(["stop", "length"]).toContain(choice.finish_reason);
      expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
      expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
      history.push({ role: "assistant", content: choice.message.content ?? "" });
    }
    const view = await sessionView(id);
    expect(view).toMatchObject({ turns: 50, memoryLevel: "kv" });
    expect(view.memory.tokens).toBeLessThanOrEqual(256);
    expect(view.memory.evictions).toBeGreaterThan(0);
  }, 120_000);

  it("should hold a 50-turn conversation streaming, in OpenAI's chunk shapes", async () => {
    // No session header on the first call: the request's settings make one, named in the response header.
    const client = new OpenAI({ baseURL: `${stack.apiUrl}/v1`, apiKey: stack.apiKey, maxRetries: 0 });
    const first = await client.chat.completions
      .create({ model: "local", messages: [{ role: "user", content: "Hello!" }], max_tokens: 10, assay: { cacheSize: 200, decay: 0.9 } } as never)
      .withResponse();
    const id = first.response.headers.get("x-assay-session")!;
    expect(id).toMatch(/^ss_/);
    const session = new OpenAI({ baseURL: `${stack.apiUrl}/v1`, apiKey: stack.apiKey, defaultHeaders: { "X-Assay-Session": id }, maxRetries: 0 });
    for (let turn = 1; turn < 50; turn++) {
      const stream = await session.chat.completions.create({
        model: "local",
        messages: [{ role: "user", content: LINES[turn % LINES.length]! }],
        max_tokens: 10,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      let finish: string | null = null;
      let usage: OpenAI.CompletionUsage | null = null;
      let chunks = 0;
      for await (const chunk of stream) {
        expect(chunk.object).toBe("chat.completion.chunk");
        chunks++;
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        if (!choice) continue;
        text += choice.delta.content ?? "";
        if (choice.finish_reason) finish = choice.finish_reason;
      }
      expect(chunks).toBeGreaterThan(2);
      expect(["stop", "length"]).toContain(finish);
      expect(usage!.completion_tokens).toBeGreaterThan(0);
      expect(typeof text).toBe("string");
    }
    const view = await sessionView(id);
    expect(view.turns).toBe(50);
    expect(view.memory.tokens).toBeLessThanOrEqual(200);
  }, 120_000);

  it("should raise the client's usual errors", async () => {
    const client = new OpenAI({ baseURL: `${stack.apiUrl}/v1`, apiKey: stack.apiKey, maxRetries: 0 });
    const missing = new OpenAI({ baseURL: `${stack.apiUrl}/v1`, apiKey: stack.apiKey, maxRetries: 0, defaultHeaders: { "X-Assay-Session": `ss_${"0".repeat(26)}` } });
    await expect(missing.chat.completions.create({ model: "local", messages: [{ role: "user", content: "hi" }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.chat.completions.create({ model: "local", messages: [{ role: "user", content: "hi" }], n: 2 })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(client.chat.completions.create({ model: "local", messages: [{ role: "assistant", content: "hi" }] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const wrongKey = new OpenAI({ baseURL: `${stack.apiUrl}/v1`, apiKey: "nope", maxRetries: 0 });
    await expect(wrongKey.chat.completions.create({ model: "local", messages: [{ role: "user", content: "hi" }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe("assay sirllm chat against the API", () => {
  it("should create a session, stream replies and continue it with --session", async () => {
    const run = (opts: Parameters<typeof chatCli>[0], lines: string[]) => chatCli(opts, lines);
    const first = await run({ api: stack.apiUrl, key: stack.apiKey, cacheSize: "150", maxTokens: "8" }, ["Hello there.", "Tell me a story."]);
    const id = /session (ss_[0-9a-z]+)/.exec(first.stderr)![1]!;
    expect(first.stdout.trimEnd().split("\n")).toHaveLength(2);
    const again = await run({ api: stack.apiUrl, key: stack.apiKey, session: id }, ["And then?", "/memory"]);
    expect(again.stdout).toMatch(/turns 3 · memory \d+\/150 tokens/);
    expect((await sessionView(id)).turns).toBe(3);
  });
});
