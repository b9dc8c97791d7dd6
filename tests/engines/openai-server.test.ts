import type { Hono } from "hono";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedFile } from "../../shared/config/shared-files.js";
import { createEmbeddedEngine, type EmbeddedEngine } from "../../shared/engines/embedded/index.js";
import { createEngineServerApp, startEngineServer } from "../../shared/engines/openai-server/index.js";
import { serveEmbeddedModel } from "../../shared/engines/openai-server/serve-command.js";

const STORY = "Once upon a time, there was a little girl named Lily.";
const OFF_DOMAIN = "The stock market crashed because quantum physics dislikes bananas.";

let engine: EmbeddedEngine;
let app: Hono;

beforeAll(async () => {
  engine = await createEmbeddedEngine({ name: "local", modelPath: sharedFile("models/stories260K.gguf") });
  app = createEngineServerApp(engine);
});
afterAll(async () => {
  await engine?.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

type PromptLogprobs = (Record<string, { logprob: number; rank: number; decoded_token: string }> | null)[];

describe("openai-server: models, health, tokenizer", () => {
  it("should answer /health and list the served model", async () => {
    expect((await app.request("/health")).status).toBe(200);
    const models: any = await (await app.request("/v1/models")).json();
    expect(models.object).toBe("list");
    expect(models.data).toHaveLength(1);
    expect(models.data[0]).toMatchObject({ id: engine.model, object: "model", max_model_len: 512 });
  });

  it("should tokenize with and without special tokens and detokenize back", async () => {
    const withBos = await post("/tokenize", { prompt: STORY });
    expect(withBos.status).toBe(200);
    expect(withBos.json).toEqual({
      count: withBos.json.tokens.length,
      max_model_len: 512,
      tokens: await engine.tokenize(STORY, { bos: true }),
      token_strs: null,
    });
    const plain = await post("/tokenize", { prompt: STORY, add_special_tokens: false, return_token_strs: true });
    expect(plain.json.tokens).toEqual(withBos.json.tokens.slice(1));
    expect(plain.json.token_strs.join("")).toBe(STORY);
    const back = await post("/detokenize", { tokens: withBos.json.tokens });
    expect(back).toEqual({ status: 200, json: { prompt: STORY } });
  });
});

describe("openai-server: /v1/completions prompt log-probs", () => {
  it("should return prompt_logprobs that start with null and equal engine.score", async () => {
    const tokens = await engine.tokenize(OFF_DOMAIN, { bos: true });
    const { status, json } = await post("/v1/completions", {
      model: engine.model,
      prompt: tokens,
      max_tokens: 0,
      echo: true,
      prompt_logprobs: 0,
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ object: "text_completion", model: engine.model });
    expect(json.usage).toEqual({ prompt_tokens: tokens.length, completion_tokens: 0, total_tokens: tokens.length });
    const choice = json.choices[0];
    expect(choice).toMatchObject({ index: 0, text: OFF_DOMAIN, finish_reason: "length", logprobs: null });
    const pl = choice.prompt_logprobs as PromptLogprobs;
    expect(pl).toHaveLength(tokens.length);
    expect(pl[0]).toBeNull();
    const [scored] = await engine.score([{ tokens, from: 1 }]);
    for (let i = 1; i < tokens.length; i++) {
      const entry = pl[i]!;
      expect(Object.keys(entry)).toEqual([String(tokens[i])]);
      const lp = entry[String(tokens[i])]!;
      expect(Math.abs(lp.logprob - scored!.logprobs[i - 1]!)).toBeLessThan(1e-4);
      expect(Number.isInteger(lp.rank) && lp.rank >= 1).toBe(true);
      expect(typeof lp.decoded_token).toBe("string");
    }
    // The text is often out of the model's reach, so many ranks are above 1.
    expect(pl.slice(1).filter((e) => Object.values(e!)[0]!.rank > 1).length).toBeGreaterThan(5);
  });

  it("should add the top-k alternatives with ranks 1..k", async () => {
    const tokens = await engine.tokenize(OFF_DOMAIN, { bos: true });
    const { json } = await post("/v1/completions", { prompt: [tokens], max_tokens: 0, echo: true, prompt_logprobs: 2 });
    const pl = json.choices[0].prompt_logprobs as PromptLogprobs;
    for (let i = 1; i < tokens.length; i++) {
      const entry = pl[i]!;
      const own = entry[String(tokens[i])]!;
      const others = Object.entries(entry).filter(([id]) => id !== String(tokens[i]));
      expect(Object.keys(entry).length).toBe(own.rank <= 2 ? 2 : 3);
      for (const [, lp] of others) {
        expect([1, 2]).toContain(lp.rank);
        if (lp.rank < own.rank) expect(lp.logprob).toBeGreaterThanOrEqual(own.logprob);
        else expect(lp.logprob).toBeLessThanOrEqual(own.logprob);
      }
    }
  });

  it("should batch prompts in order, one choice per prompt", async () => {
    const a = await engine.tokenize(STORY, { bos: true });
    const b = await engine.tokenize(OFF_DOMAIN, { bos: true });
    const c = a.slice(0, 4);
    const { json } = await post("/v1/completions", { prompt: [a, b, c], max_tokens: 0, echo: true, prompt_logprobs: 0 });
    expect(json.choices.map((ch: any) => ch.index)).toEqual([0, 1, 2]);
    const scores = await engine.score([a, b, c].map((tokens) => ({ tokens, from: 1 })));
    [a, b, c].forEach((tokens, k) => {
      const pl = json.choices[k].prompt_logprobs as PromptLogprobs;
      expect(pl).toHaveLength(tokens.length);
      pl.slice(1).forEach((e, i) => {
        expect(Math.abs(e![String(tokens[i + 1])]!.logprob - scores[k]!.logprobs[i]!)).toBeLessThan(1e-4);
      });
    });
    const texts = await post("/v1/completions", { prompt: [STORY, OFF_DOMAIN], max_tokens: 0, echo: true });
    expect(texts.json.choices.map((ch: any) => ch.text)).toEqual([STORY, OFF_DOMAIN]);
    expect(texts.json.usage.prompt_tokens).toBe(a.length + b.length);
  });

  it("should echo prompt logprobs in OpenAI's logprobs shape", async () => {
    const tokens = await engine.tokenize(STORY, { bos: true });
    const { json } = await post("/v1/completions", { prompt: STORY, max_tokens: 0, echo: true, logprobs: 1 });
    const lp = json.choices[0].logprobs;
    expect(lp.tokens).toHaveLength(tokens.length);
    expect(lp.token_logprobs[0]).toBeNull();
    expect(lp.top_logprobs[0]).toBeNull();
    expect(lp.tokens.join("")).toBe(STORY);
    lp.tokens.forEach((t: string, i: number) => i > 0 && expect(lp.text_offset[i]).toBe(lp.text_offset[i - 1] + lp.tokens[i - 1].length));
    // echo + logprobs implies prompt log-probs (vLLM sets prompt_logprobs = logprobs).
    const pl = json.choices[0].prompt_logprobs as PromptLogprobs;
    expect(lp.token_logprobs[3]).toBeCloseTo(pl[3]![String(tokens[3])]!.logprob, 10);
  });
});

describe("openai-server: /v1/completions generation", () => {
  it("should generate greedily with per-token logprobs matching the engine", async () => {
    const prompt = await engine.tokenize("Once upon a time", { bos: true });
    const { json } = await post("/v1/completions", {
      prompt,
      max_tokens: 6,
      temperature: 0,
      logprobs: 2,
      return_token_ids: true,
    });
    const [direct] = await engine.generate([{ prompt, params: { maxTokens: 6 } }]);
    const choice = json.choices[0];
    expect(choice.token_ids).toEqual(direct!.tokens);
    expect(choice.prompt_token_ids).toEqual(prompt);
    expect(choice.text).toBe(direct!.text);
    expect(choice.finish_reason).toBe("length");
    expect(choice.prompt_logprobs).toBeNull();
    expect(choice.logprobs.tokens.join("")).toBe(direct!.text);
    choice.logprobs.token_logprobs.forEach((lp: number, i: number) => expect(lp).toBeCloseTo(direct!.logprobs[i]!, 3));
    expect(choice.logprobs.text_offset[0]).toBe(0);
    for (const top of choice.logprobs.top_logprobs) {
      expect(Object.keys(top).length).toBeGreaterThanOrEqual(1);
      expect(Object.keys(top).length).toBeLessThanOrEqual(3);
    }
    expect(json.usage.completion_tokens).toBe(6);
  });

  it("should reproduce seeded samples and cut at stop strings", async () => {
    const body = { prompt: "Once upon a time", max_tokens: 20, temperature: 1, seed: 11 };
    const first = await post("/v1/completions", body);
    const second = await post("/v1/completions", body);
    expect(second.json.choices[0].text).toBe(first.json.choices[0].text);
    const greedy = await post("/v1/completions", { ...body, temperature: 0 });
    const text: string = greedy.json.choices[0].text;
    const stop = text.slice(10, 13);
    const cut = await post("/v1/completions", { ...body, temperature: 0, stop });
    expect(cut.json.choices[0]).toMatchObject({
      text: text.slice(0, text.indexOf(stop)),
      finish_reason: "stop",
      stop_reason: stop,
    });
  });
});

describe("openai-server: what the vLLM adapter sends", () => {
  it("should report tokens as token_id:<id> when asked", async () => {
    const prompt = await engine.tokenize("Once upon a time", { bos: true });
    const { json } = await post("/v1/completions", {
      prompt: [prompt],
      max_tokens: 3,
      temperature: 0,
      logprobs: 1,
      return_tokens_as_token_ids: true,
      return_token_ids: true,
    });
    const choice = json.choices[0];
    expect(choice.logprobs.tokens).toEqual(choice.token_ids.map((t: number) => `token_id:${t}`));
    expect(Object.keys(choice.logprobs.top_logprobs[0])[0]).toMatch(/^token_id:\d+$/);
  });

  it("should serve /v1/embeddings from engine.embed", async () => {
    const { status, json } = await post("/v1/embeddings", { input: ["Once upon a time", "The end"] });
    expect(status).toBe(200);
    expect(json.data.map((d: any) => d.index)).toEqual([0, 1]);
    expect(json.data[0].embedding).toEqual((await engine.embed(["Once upon a time"]))[0]);
    expect(json.object).toBe("list");
  });
});

describe("openai-server: errors", () => {
  it.each([
    ["a missing prompt", { max_tokens: 1 }],
    ["an empty prompt", { prompt: "" }],
    ["a prompt of the wrong type", { prompt: { text: "hi" } }],
    ["a non-integer logprobs", { prompt: "hi", logprobs: "x" }],
    ["n > 1", { prompt: "hi", n: 2 }],
    ["streaming", { prompt: "hi", stream: true }],
    ["too many top logprobs", { prompt: "hi", logprobs: 21 }],
    ["an out-of-vocabulary token id", { prompt: [1, 512], max_tokens: 0, echo: true }],
    ["a prompt longer than the context", { prompt: Array.from({ length: 513 }, () => 300), max_tokens: 0 }],
    ["prompt + max_tokens beyond the context", { prompt: Array.from({ length: 510 }, () => 300), max_tokens: 5 }],
    ["malformed JSON", "{not json"],
  ])("should answer 400 in vLLM's error shape for %s", async (_, body) => {
    const { status, json } = await post("/v1/completions", body);
    expect(status).toBe(400);
    expect(Object.keys(json)).toEqual(["error"]);
    expect(Object.keys(json.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(json.error).toMatchObject({ type: "BadRequestError", code: 400, message: expect.any(String) });
  });

  it("should answer 404 for another model's name and 400 for bad tokenizer bodies", async () => {
    const wrong = await post("/v1/completions", { prompt: "hi", model: "gpt-4" });
    expect(wrong.status).toBe(404);
    expect(wrong.json.error).toMatchObject({ type: "NotFoundError", code: 404 });
    expect((await post("/tokenize", { text: "hi" })).status).toBe(400);
    expect((await post("/detokenize", { tokens: [-1] })).status).toBe(400);
    expect((await post("/detokenize", { tokens: [600] })).status).toBe(400);
  });
});

describe("openai-server: over the network", () => {
  it("should serve on a free port and speak to the openai client", async () => {
    const server = await startEngineServer({ engine, port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.url.endsWith(":0")).toBe(false);
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
      const prompt = await engine.tokenize(STORY, { bos: true });
      const res: any = await client.completions.create({
        model: engine.model,
        prompt: [prompt],
        max_tokens: 0,
        echo: true,
        prompt_logprobs: 0,
      } as OpenAI.CompletionCreateParamsNonStreaming);
      expect(res.choices[0].prompt_logprobs).toHaveLength(prompt.length);
      expect(res.choices[0].prompt_logprobs[0]).toBeNull();
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it("should load and serve a model file for `assay engine serve`", async () => {
    const server = await serveEmbeddedModel({ modelPath: sharedFile("models/stories260K.gguf"), port: 0 });
    try {
      const models: any = await (await fetch(`${server.url}/v1/models`)).json();
      expect(models.data[0].id).toBe("stories260K");
      const res = await fetch(`${server.url}/tokenize`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: STORY }),
      });
      expect(((await res.json()) as { tokens: number[] }).tokens).toEqual(await engine.tokenize(STORY, { bos: true }));
    } finally {
      await server.close();
    }
  });
});
