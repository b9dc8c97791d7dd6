import { afterEach, describe, expect, it } from "vitest";
import { CapabilityError, EngineError } from "../../shared/errors.js";
import { createSglangEngine, type SglangConfig } from "../../shared/engines/sglang/index.js";
import { startStub, type StubServer } from "./vllm-sglang-stub-server.js";
import { ONCE_LOGPROBS, sglangError400, sglangGenerateOne, sglangScoreAnswer } from "./sglang-recorded.js";

let stub: StubServer | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const cfg = (url: string, extra: Partial<SglangConfig> = {}): SglangConfig => ({
  name: "gpu-b",
  kind: "sglang",
  baseUrl: url,
  model: "meta-llama/Llama-2-7b-hf",
  contextSize: 4096,
  bosToken: 1,
  ...extra,
});

type ScoreBody = { input_ids: number[][]; logprob_start_len: number[]; sampling_params: unknown[]; return_logprob: boolean };

async function caught(p: Promise<unknown>): Promise<EngineError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

describe("createSglangEngine against a stub server", () => {
  it("should score all suffixes of a prefix in one /generate call with start positions below the suffix", async () => {
    stub = await startStub((req) => ({ json: sglangScoreAnswer(req.body as ScoreBody) }));
    const engine = createSglangEngine(cfg(stub.url, { apiKeyEnv: "SG_KEY" }), { env: { SG_KEY: "k1" } });
    expect(engine.capabilities.sharedPrefix).toBe(true);
    const out = await engine.scoreSuffixes({
      prefix: [1, 9038],
      suffixes: [
        { tokens: [2501, 263, 931], from: 0 },
        { tokens: [2501, 263], from: 1 },
      ],
    });
    expect(stub.requests).toHaveLength(1);
    const req = stub.requests[0]!;
    expect(req.path).toBe("/generate");
    expect(req.headers.authorization).toBe("Bearer k1");
    const body = req.body as ScoreBody;
    expect(body.input_ids).toEqual([[1, 9038, 2501, 263, 931], [1, 9038, 2501, 263]]);
    // Position 2 is the first scored token of suffix 0: start at 1 so the prefix stays cacheable below it.
    expect(body.logprob_start_len).toEqual([1, 2]);
    expect(body.sampling_params).toEqual([{ max_new_tokens: 0 }, { max_new_tokens: 0 }]);
    expect(body.return_logprob).toBe(true);
    expect(out[0]!.logprobs).toEqual([ONCE_LOGPROBS[2], ONCE_LOGPROBS[3], ONCE_LOGPROBS[4]]);
    expect(out[1]!.logprobs).toEqual([ONCE_LOGPROBS[3]]);
  });

  it("should score plain requests from their own positions", async () => {
    stub = await startStub((req) => ({ json: sglangScoreAnswer(req.body as ScoreBody) }));
    const engine = createSglangEngine(cfg(stub.url));
    const out = await engine.score([{ tokens: [1, 9038, 2501, 263, 931], from: 1 }]);
    expect(out[0]!.logprobs).toEqual([1, 2, 3, 4].map((p) => ONCE_LOGPROBS[p]));
    expect((stub.requests[0]!.body as ScoreBody).logprob_start_len).toEqual([0]);
  });

  it("should tokenize through the server and detokenize its {text} answer", async () => {
    stub = await startStub((req) =>
      req.path === "/tokenize" ? { json: { tokens: [1, 9038], count: 2, max_model_len: 4096 } } : { json: { text: "Once" } },
    );
    const engine = createSglangEngine(cfg(stub.url));
    expect(await engine.tokenize("Once", { bos: true })).toEqual([1, 9038]);
    expect(await engine.detokenize([9038])).toBe("Once");
    expect(stub.requests[0]!.body).toMatchObject({ prompt: "Once", add_special_tokens: true });
  });

  it("should use a companion tokenizer when one is given", async () => {
    stub = await startStub(() => ({ status: 500, json: {} }));
    const engine = createSglangEngine(cfg(stub.url), {
      tokenizer: { tokenize: async () => [7, 8], detokenize: async () => "seven eight" },
    });
    expect(await engine.tokenize("x")).toEqual([7, 8]);
    expect(await engine.detokenize([7, 8])).toBe("seven eight");
    expect(stub.requests).toHaveLength(0);
  });

  it("should generate with per-prompt sampling params in one call", async () => {
    stub = await startStub(() => ({ json: sglangGenerateOne }));
    const engine = createSglangEngine(cfg(stub.url));
    const [r] = await engine.generate([{ prompt: [1, 9038, 2501, 263, 931], params: { maxTokens: 3 } }]);
    expect(r!.tokens).toEqual([29892, 727, 471]);
    expect(stub.requests[0]!.body).toMatchObject({ input_ids: [[1, 9038, 2501, 263, 931]], sampling_params: [{ max_new_tokens: 3 }] });
  });

  it("should surface SGLang's 400 message as permanent and 503s and drops as retryable", async () => {
    stub = await startStub((_r, n) => (n === 1 ? { status: 400, json: sglangError400 } : n === 2 ? { status: 503, json: {} } : { drop: true }));
    const engine = createSglangEngine(cfg(stub.url));
    const req = [{ tokens: [1, 9038], from: 1 }];
    const bad = await caught(engine.score(req));
    expect([bad.retryable, bad.engineStatus]).toEqual([false, 400]);
    expect(bad.message).toContain("logprob_start_len (9) is larger than the input length");
    expect((await caught(engine.score(req))).retryable).toBe(true);
    expect((await caught(engine.score(req))).retryable).toBe(true);
  });

  it("should refuse embeddings as a missing capability", async () => {
    const engine = createSglangEngine(cfg("http://127.0.0.1:9"));
    expect(engine.capabilities.embeddings).toBe(false);
    await expect(engine.embed(["x"])).rejects.toBeInstanceOf(CapabilityError);
  });
});
