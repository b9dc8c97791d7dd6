import { describe, expect, it } from "vitest";
import { EngineError, ValidationError } from "../../shared/errors.js";
import {
  buildGenerateBody,
  buildScoreBody,
  groupByParams,
  parseEmbeddingsResponse,
  parseGenerateResponse,
  parseScoreResponse,
} from "../../shared/engines/openai-compatible/completions-wire.js";
import { envelopeErrors, serverRoot } from "../../shared/engines/openai-compatible/openai-compatible-engine.js";
import { parseDetokenizeResponse, parseTokenizeResponse } from "../../shared/engines/openai-compatible/tokenize-wire.js";
import { vllmEmbeddings, vllmGenerateOne, vllmScoreTwoPrompts } from "./vllm-recorded.js";

describe("buildScoreBody", () => {
  it("should ask for echoed prompt log-probs of token-id prompts without generating", () => {
    const body = buildScoreBody([{ tokens: [1, 9038, 2501], from: 1 }, { tokens: [1, 5], from: 2 }], "llama", true);
    expect(body).toMatchObject({ model: "llama", prompt: [[1, 9038, 2501], [1, 5]], max_tokens: 0, echo: true, prompt_logprobs: 0 });
  });

  it("should send max_tokens 1 for servers that reject 0", () => {
    expect(buildScoreBody([{ tokens: [1, 2], from: 1 }], "m", false).max_tokens).toBe(1);
  });

  it("should reject a from outside [1, tokens.length]", () => {
    expect(() => buildScoreBody([{ tokens: [1, 2], from: 0 }], "m", true)).toThrow(ValidationError);
    expect(() => buildScoreBody([{ tokens: [1, 2], from: 3 }], "m", true)).toThrow(ValidationError);
  });
});

describe("parseScoreResponse", () => {
  const requests = [
    { tokens: [1, 9038, 2501, 263, 931], from: 1 },
    { tokens: [1, 9038, 2501], from: 2 },
  ];

  it("should pick each position's entry by the actual prompt token and order choices by index", () => {
    const out = parseScoreResponse(vllmScoreTwoPrompts, requests, "gpu");
    // Position 1 holds the top-1 "The" (450) too: the prompt's own token 9038 must be the one taken.
    expect(out[0]!.logprobs).toEqual([-9.468750953674316, -0.9295186996459961, -0.0223541259765625, -0.0011548101902008057]);
    expect(out[1]!.logprobs).toEqual([-0.9295186996459961]);
  });

  it("should return an empty list when from equals the prompt length", () => {
    const out = parseScoreResponse(vllmScoreTwoPrompts, [requests[0]!, { tokens: [1, 9038, 2501], from: 3 }], "gpu");
    expect(out[1]!.logprobs).toEqual([]);
  });

  it("should fail permanently when the prompt token's log-prob is missing", () => {
    const wrong = [{ tokens: [1, 9038, 2501, 263, 7], from: 1 }, requests[1]!];
    const err = (() => {
      try {
        parseScoreResponse(vllmScoreTwoPrompts, wrong, "gpu");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).retryable).toBe(false);
    expect((err as EngineError).message).toMatch(/position 4 lacks .* token 7/);
  });

  it("should fail when the server returned no prompt_logprobs", () => {
    const body = { choices: [{ index: 0, text: "x", prompt_logprobs: null }] };
    expect(() => parseScoreResponse(body, [{ tokens: [1, 2], from: 1 }], "gpu")).toThrow(/no prompt_logprobs/);
  });

  it("should fail when choices are missing", () => {
    const body = { choices: [vllmScoreTwoPrompts.choices[1]] };
    expect(() => parseScoreResponse(body, requests, "gpu")).toThrow(EngineError);
  });
});

describe("generate wire", () => {
  it("should default to greedy and ask for token ids and log-probs", () => {
    const body = buildGenerateBody([[1, 2]], { maxTokens: 3, stop: ["\n"], seed: 7 }, "m");
    expect(body).toMatchObject({
      prompt: [[1, 2]],
      max_tokens: 3,
      temperature: 0,
      logprobs: 1,
      return_tokens_as_token_ids: true,
      stop: ["\n"],
      seed: 7,
    });
    expect(body).not.toHaveProperty("top_p");
  });

  it("should parse token_id pieces into ids", () => {
    const [r] = parseGenerateResponse(vllmGenerateOne, 1, "gpu");
    expect(r).toEqual({ tokens: [29892, 727, 471], text: ", there was", logprobs: [-0.10546875, -0.2734375, -0.0166015625], finishReason: "length" });
  });

  it("should prefer choices[].token_ids and map other finish reasons to stop", () => {
    const body = {
      choices: [{ index: 0, text: "!", finish_reason: "stop", token_ids: [29991], logprobs: { tokens: ["!"], token_logprobs: [-0.5] } }],
    };
    expect(parseGenerateResponse(body, 1, "gpu")[0]).toEqual({ tokens: [29991], text: "!", logprobs: [-0.5], finishReason: "stop" });
  });

  it("should group requests by identical parameters", () => {
    const p = (maxTokens: number) => ({ prompt: [1], params: { maxTokens } });
    expect(groupByParams([p(4), p(8), p(4)])).toEqual([[0, 2], [1]]);
  });
});

describe("tokenize and embeddings wire", () => {
  it("should read vLLM's {prompt} and SGLang's {text} detokenize answers", () => {
    expect(parseDetokenizeResponse({ prompt: "a b" }, "e")).toBe("a b");
    expect(parseDetokenizeResponse({ text: "c" }, "e")).toBe("c");
    expect(parseTokenizeResponse({ tokens: [1, 2], count: 2 }, "e")).toEqual([1, 2]);
    expect(() => parseTokenizeResponse({ ids: [1] }, "e")).toThrow(EngineError);
  });

  it("should order embeddings by index", () => {
    expect(parseEmbeddingsResponse(vllmEmbeddings, 2, "e")).toEqual([[0.125, 0.75], [0.5, -0.25]]);
  });
});

describe("serverRoot", () => {
  it("should strip trailing slashes and refuse a /v1 URL", () => {
    expect(serverRoot("http://gpu:8000/")).toBe("http://gpu:8000");
    expect(() => serverRoot("http://gpu:8000/v1")).toThrow(/server root/);
    expect(() => serverRoot("ftp://gpu")).toThrow(/http/);
  });
});

describe("envelopeErrors", () => {
  it("should rewrap a top-level message into the OpenAI error envelope, keeping the status", async () => {
    const inner = (async () => new Response(JSON.stringify({ object: "error", message: "too long" }), { status: 400 })) as typeof fetch;
    const res = await envelopeErrors(inner)("http://x");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: "too long" } });
  });

  it("should leave successful responses alone", async () => {
    const ok = new Response("{}", { status: 200 });
    const res = await envelopeErrors((async () => ok) as typeof fetch)("http://x");
    expect(res).toBe(ok);
  });
});
