import { afterEach, describe, expect, it } from "vitest";
import { ConfigurationError, EngineError } from "../../shared/errors.js";
import { withResilience } from "../../shared/engines/resilience.js";
import { createVllmEngine } from "../../shared/engines/vllm/index.js";
import type { VllmConfig } from "../../shared/engines/vllm/index.js";
import { startStub, type StubServer } from "./vllm-sglang-stub-server.js";
import {
  vllmDetokenize,
  vllmEmbeddings,
  vllmGenerateOne,
  vllmNewError400,
  vllmOldError400,
  vllmScoreTwoPrompts,
  vllmTokenize,
} from "./vllm-recorded.js";

let stub: StubServer | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const cfg = (url: string, extra: Partial<VllmConfig> = {}): VllmConfig => ({
  name: "gpu-a",
  kind: "vllm",
  baseUrl: url,
  model: "meta-llama/Llama-2-7b-hf",
  contextSize: 4096,
  bosToken: 1,
  ...extra,
});

async function caught(p: Promise<unknown>): Promise<EngineError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

const TWO = [
  { tokens: [1, 9038, 2501, 263, 931], from: 1 },
  { tokens: [1, 9038, 2501], from: 2 },
];

describe("createVllmEngine against a stub server", () => {
  it("should score a batch with one completions call carrying echo, max_tokens 0 and prompt_logprobs", async () => {
    stub = await startStub(() => ({ json: vllmScoreTwoPrompts }));
    const engine = createVllmEngine(cfg(stub.url, { apiKeyEnv: "VLLM_KEY" }), { env: { VLLM_KEY: "sekrit" } });
    const out = await engine.score(TWO);
    expect(out.map((r) => r.logprobs.length)).toEqual([4, 1]);
    expect(out[1]!.logprobs[0]).toBeCloseTo(-0.9295187, 6);
    expect(stub.requests).toHaveLength(1);
    const req = stub.requests[0]!;
    expect(req.path).toBe("/v1/completions");
    expect(req.headers.authorization).toBe("Bearer sekrit");
    expect(req.body).toMatchObject({
      model: "meta-llama/Llama-2-7b-hf",
      prompt: [[1, 9038, 2501, 263, 931], [1, 9038, 2501]],
      echo: true,
      max_tokens: 0,
      prompt_logprobs: 0,
    });
  });

  it("should send max_tokens 1 when maxTokensZero is false and still read only the prompt", async () => {
    stub = await startStub(() => ({ json: vllmScoreTwoPrompts }));
    const engine = createVllmEngine(cfg(stub.url, { maxTokensZero: false }));
    const out = await engine.score(TWO);
    expect((stub.requests[0]!.body as { max_tokens: number }).max_tokens).toBe(1);
    expect(out[0]!.logprobs).toHaveLength(4);
  });

  it("should score suffixes as full prompts in one call and declare no shared prefix", async () => {
    stub = await startStub(() => ({ json: vllmScoreTwoPrompts }));
    const engine = createVllmEngine(cfg(stub.url));
    expect(engine.capabilities.sharedPrefix).toBe(false);
    const out = await engine.scoreSuffixes({
      prefix: [1, 9038],
      suffixes: [
        { tokens: [2501, 263, 931], from: 0 },
        { tokens: [2501], from: 0 },
      ],
    });
    expect((stub.requests[0]!.body as { prompt: number[][] }).prompt).toEqual([[1, 9038, 2501, 263, 931], [1, 9038, 2501]]);
    expect(out[0]!.logprobs).toHaveLength(3);
    expect(out[1]!.logprobs).toEqual([-0.9295186996459961]);
  });

  it("should tokenize and detokenize at the server root", async () => {
    stub = await startStub((req) => ({ json: req.path === "/tokenize" ? vllmTokenize : vllmDetokenize }));
    const engine = createVllmEngine(cfg(stub.url + "/"));
    expect(await engine.tokenize("Once upon a time", { bos: true })).toEqual([1, 9038, 2501, 263, 931]);
    expect(await engine.detokenize([9038, 2501, 263, 931])).toBe("Once upon a time");
    await engine.tokenize("x");
    expect(stub.requests.map((r) => r.path)).toEqual(["/tokenize", "/detokenize", "/tokenize"]);
    expect(stub.requests[0]!.body).toEqual({ model: "meta-llama/Llama-2-7b-hf", prompt: "Once upon a time", add_special_tokens: true });
    expect(stub.requests[1]!.body).toEqual({ model: "meta-llama/Llama-2-7b-hf", tokens: [9038, 2501, 263, 931] });
    expect((stub.requests[2]!.body as { add_special_tokens: boolean }).add_special_tokens).toBe(false);
  });

  it("should batch generate requests that share parameters and split the rest", async () => {
    stub = await startStub((req) => {
      const n = (req.body as { prompt: number[][] }).prompt.length;
      const choices = Array.from({ length: n }, (_, i) => ({ ...vllmGenerateOne.choices[0]!, index: n - 1 - i }));
      return { json: { ...vllmGenerateOne, choices } };
    });
    const engine = createVllmEngine(cfg(stub.url));
    const out = await engine.generate([
      { prompt: [1, 9038], params: { maxTokens: 3 } },
      { prompt: [1, 2501], params: { maxTokens: 3, temperature: 0.7, seed: 1 } },
      { prompt: [1, 263], params: { maxTokens: 3 } },
    ]);
    expect(out).toHaveLength(3);
    expect(out[2]!.tokens).toEqual([29892, 727, 471]);
    const bodies = stub.requests.map((r) => r.body as { prompt: number[][]; temperature: number });
    expect(bodies.map((b) => b.prompt.length).sort()).toEqual([1, 2]);
    expect(bodies.find((b) => b.prompt.length === 2)!.prompt).toEqual([[1, 9038], [1, 263]]);
    expect(bodies.find((b) => b.prompt.length === 1)!.temperature).toBe(0.7);
  });

  it("should embed through /v1/embeddings as floats", async () => {
    stub = await startStub(() => ({ json: vllmEmbeddings }));
    const engine = createVllmEngine(cfg(stub.url));
    expect(await engine.embed(["a", "b"])).toEqual([[0.125, 0.75], [0.5, -0.25]]);
    expect(stub.requests[0]!.path).toBe("/v1/embeddings");
    expect(stub.requests[0]!.body).toMatchObject({ input: ["a", "b"], encoding_format: "float" });
  });

  it("should surface a 400's own message, old and new vLLM error bodies alike, as permanent", async () => {
    stub = await startStub((_req, n) => ({ status: 400, json: n === 1 ? vllmOldError400 : vllmNewError400 }));
    const engine = createVllmEngine(cfg(stub.url));
    const a = await caught(engine.score(TWO));
    expect(a.retryable).toBe(false);
    expect(a.engineStatus).toBe(400);
    expect(a.message).toContain("maximum context length is 4096 tokens");
    const b = await caught(engine.score(TWO));
    expect(b.message).toContain("prompt_logprobs must be a non-negative integer");
  });

  it("should surface FastAPI's detail from /tokenize", async () => {
    stub = await startStub(() => ({ status: 422, json: { detail: [{ loc: ["body", "prompt"], msg: "Field required" }] } }));
    const err = await caught(createVllmEngine(cfg(stub.url)).tokenize("x"));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("body.prompt: Field required");
  });

  it("should classify a 500, a 429, a dropped connection and a refused connection as retryable", async () => {
    stub = await startStub((_req, n) =>
      n === 1 ? { status: 500, json: { error: { message: "CUDA OOM" } } } : n === 2 ? { status: 429, text: "slow down" } : { drop: true },
    );
    const engine = createVllmEngine(cfg(stub.url));
    const e500 = await caught(engine.score(TWO));
    expect([e500.retryable, e500.engineStatus]).toEqual([true, 500]);
    expect(e500.message).toContain("CUDA OOM");
    const e429 = await caught(engine.score(TWO));
    expect([e429.retryable, e429.engineStatus]).toEqual([true, 429]);
    expect((await caught(engine.score(TWO))).retryable).toBe(true);
    expect((await caught(engine.tokenize("x"))).retryable).toBe(true);
    const url = stub.url;
    await stub.close();
    stub = undefined;
    const refused = createVllmEngine(cfg(url));
    expect((await caught(refused.score(TWO))).retryable).toBe(true);
    expect((await caught(refused.detokenize([1]))).retryable).toBe(true);
  });

  it("should time out a slow server as a retryable error", async () => {
    stub = await startStub(() => ({ json: vllmTokenize, delayMs: 2000 }));
    const engine = createVllmEngine(cfg(stub.url, { timeoutMs: 150 }));
    const a = await caught(engine.tokenize("x"));
    expect(a.retryable).toBe(true);
    expect(a.message).toMatch(/timed out/);
    expect((await caught(engine.score(TWO))).retryable).toBe(true);
  });

  it("should succeed through withResilience when a 500 is followed by a 200", async () => {
    stub = await startStub((_req, n) => (n === 1 ? { status: 500, json: { message: "busy" } } : { json: vllmScoreTwoPrompts }));
    const retries: number[] = [];
    const engine = withResilience(createVllmEngine(cfg(stub.url)), {
      concurrency: 2,
      sleep: async () => {},
      onRetry: (i) => retries.push(i.attempt),
    });
    const out = await engine.score(TWO);
    expect(out[0]!.logprobs).toHaveLength(4);
    expect(stub.requests).toHaveLength(2);
    expect(retries).toEqual([1]);
  });

  it("should refuse a /v1 base URL and a missing key variable at configuration time", () => {
    expect(() => createVllmEngine(cfg("http://127.0.0.1:1/v1"))).toThrow(ConfigurationError);
    expect(() => createVllmEngine(cfg("http://127.0.0.1:1", { apiKeyEnv: "NOPE_KEY" }), { env: {} })).toThrow(/NOPE_KEY/);
  });
});
