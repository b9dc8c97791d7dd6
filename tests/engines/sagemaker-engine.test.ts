import { InvokeEndpointCommand, ModelError, ServiceUnavailable, ValidationError as SdkValidationError } from "@aws-sdk/client-sagemaker-runtime";
import { describe, expect, it } from "vitest";
import { CapabilityError, ConfigurationError, EngineError } from "../../shared/errors.js";
import { createSagemakerEngine, type InvokeEndpointClient, type SagemakerConfig } from "../../shared/engines/sagemaker/index.js";
import { buildTgiGenerateBody, parseTgiScoreResponse } from "../../shared/engines/sagemaker/tgi-wire.js";
import { vllmGenerateOne, vllmScoreTwoPrompts } from "./vllm-recorded.js";

/** What a TGI container on SageMaker answers to "Once upon a time" with decoder_input_details (a list of one). */
const tgiScoreOnceUponATime = [
  {
    generated_text: ",",
    details: {
      finish_reason: "length",
      generated_tokens: 1,
      seed: null,
      prefill: [
        { id: 1, text: "<s>", logprob: null },
        { id: 9038, text: "Once", logprob: -9.46875 },
        { id: 2501, text: "upon", logprob: -0.9296875 },
        { id: 263, text: "a", logprob: -0.0223541 },
        { id: 931, text: "time", logprob: -0.0011549 },
      ],
      tokens: [{ id: 29892, text: ",", logprob: -0.10546875, special: false }],
      top_tokens: null,
      best_of_sequences: null,
    },
  },
];

const tgiGenerate = [
  {
    generated_text: ", there",
    details: {
      finish_reason: "eos_token",
      generated_tokens: 2,
      seed: null,
      prefill: [],
      tokens: [
        { id: 29892, text: ",", logprob: -0.10546875, special: false },
        { id: 727, text: " there", logprob: -0.2734375, special: false },
      ],
    },
  },
];

/** A fake SDK client: records each InvokeEndpoint input and answers from `reply`. */
function fakeClient(reply: (body: unknown, n: number) => unknown | Error) {
  const inputs: { EndpointName?: string; ContentType?: string; body: unknown; InferenceComponentName?: string }[] = [];
  const client: InvokeEndpointClient = {
    async send(command: InvokeEndpointCommand) {
      // The adapter always sends bytes (a Uint8Array); the SDK type also allows strings and streams.
      const body = JSON.parse(new TextDecoder().decode(command.input.Body as Uint8Array)) as unknown;
      inputs.push({ ...command.input, body });
      const r = reply(body, inputs.length);
      if (r instanceof Error) throw r;
      return { Body: new TextEncoder().encode(JSON.stringify(r)), $metadata: {} } as never;
    },
  };
  return { client, inputs };
}

const tokenizer = {
  tokenize: async () => [1, 9038, 2501, 263, 931],
  detokenize: async (ids: readonly number[]) => (ids[0] === 1 ? "<s>" : "") + "Once upon a time",
};

const cfg = (format: "vllm" | "tgi", extra: Partial<SagemakerConfig> = {}): SagemakerConfig => ({
  name: "sm",
  kind: "sagemaker",
  endpointName: "llama2-7b-endpoint",
  format,
  model: "llama2-7b",
  contextSize: 4096,
  bosToken: 1,
  tokenizerEngine: "local",
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

describe("createSagemakerEngine, vLLM format", () => {
  it("should send the vLLM completions body to InvokeEndpoint and parse prompt log-probs", async () => {
    const { client, inputs } = fakeClient(() => vllmScoreTwoPrompts);
    const engine = createSagemakerEngine(cfg("vllm", { inferenceComponentName: "ic-1" }), { tokenizer, client });
    const out = await engine.score(TWO);
    expect(out[1]!.logprobs).toEqual([-0.9295186996459961]);
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatchObject({ EndpointName: "llama2-7b-endpoint", ContentType: "application/json", InferenceComponentName: "ic-1" });
    expect(inputs[0]!.body).toMatchObject({ prompt: [[1, 9038, 2501, 263, 931], [1, 9038, 2501]], echo: true, max_tokens: 0, prompt_logprobs: 0 });
  });

  it("should generate and tokenise through the companion", async () => {
    const { client } = fakeClient(() => vllmGenerateOne);
    const engine = createSagemakerEngine(cfg("vllm"), { tokenizer, client });
    expect((await engine.generate([{ prompt: [1, 9038], params: { maxTokens: 3 } }]))[0]!.tokens).toEqual([29892, 727, 471]);
    expect(await engine.tokenize("Once upon a time")).toEqual([1, 9038, 2501, 263, 931]);
  });

  it("should answer maxTokens 0 without invoking the endpoint, like the OpenAI-compatible engine, whatever maxTokensZero says", async () => {
    for (const maxTokensZero of [true, false]) {
      const { client, inputs } = fakeClient(() => vllmGenerateOne);
      const engine = createSagemakerEngine(cfg("vllm", { maxTokensZero }), { tokenizer, client });
      const out = await engine.generate([
        { prompt: [1, 9038], params: { maxTokens: 0 } },
        { prompt: [1, 9038], params: { maxTokens: 3 } },
        { prompt: [1, 2501], params: { maxTokens: 0, temperature: 0 } },
      ]);
      expect(out[0]).toEqual({ tokens: [], text: "", logprobs: [], finishReason: "length" });
      expect(out[2]).toEqual(out[0]);
      expect(out[1]!.tokens).toEqual([29892, 727, 471]);
      // Only the request that asked for tokens went out, and it asked for exactly its own count.
      expect(inputs).toHaveLength(1);
      expect(inputs[0]!.body).toMatchObject({ prompt: [[1, 9038]], max_tokens: 3 });
    }
  });

  it("should classify SDK errors: a container 4xx is permanent with its message, 5xx and throttling retryable", async () => {
    const errors = [
      new ModelError({
        message: "Received client error (400) from primary",
        $metadata: { httpStatusCode: 424 },
        OriginalStatusCode: 400,
        OriginalMessage: '{"object":"error","message":"prompt is too long","code":400}',
      }),
      new ModelError({ message: "Received server error (503)", $metadata: { httpStatusCode: 424 }, OriginalStatusCode: 503, OriginalMessage: "busy" }),
      new ServiceUnavailable({ message: "Service unavailable", $metadata: { httpStatusCode: 503 } }),
      new SdkValidationError({ message: "Endpoint llama2-7b-endpoint not found", $metadata: { httpStatusCode: 400 } }),
      Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 }, $fault: "client" }),
    ];
    const { client } = fakeClient((_b, n) => errors[n - 1]!);
    const engine = createSagemakerEngine(cfg("vllm"), { tokenizer, client });
    const results = [];
    for (let i = 0; i < errors.length; i++) results.push(await caught(engine.score(TWO)));
    expect(results.map((e) => e.retryable)).toEqual([false, true, true, false, true]);
    expect(results[0]!.message).toContain("prompt is too long");
    expect(results[3]!.message).toContain("not found");
  });
});

describe("createSagemakerEngine, TGI format", () => {
  it("should send the text with decoder_input_details and read details.prefill per prompt", async () => {
    const { client, inputs } = fakeClient(() => tgiScoreOnceUponATime);
    const engine = createSagemakerEngine(cfg("tgi"), { tokenizer, client });
    const [r] = await engine.score([{ tokens: [1, 9038, 2501, 263, 931], from: 2 }]);
    expect(r!.logprobs).toEqual([-0.9296875, -0.0223541, -0.0011549]);
    // The leading BOS is left for TGI to add.
    expect(inputs[0]!.body).toEqual({
      inputs: "Once upon a time",
      parameters: { max_new_tokens: 1, details: true, decoder_input_details: true, do_sample: false },
    });
  });

  it("should allow TGI's own BOS in front of a prompt that had none, and refuse other re-tokenisations", () => {
    expect(parseTgiScoreResponse(tgiScoreOnceUponATime, { tokens: [9038, 2501, 263, 931], from: 1 }, "sm")).toEqual({
      logprobs: [-0.9296875, -0.0223541, -0.0011549],
    });
    expect(() => parseTgiScoreResponse(tgiScoreOnceUponATime, { tokens: [1, 9038, 2502, 263, 931], from: 1 }, "sm")).toThrow(
      /tokenised the prompt/,
    );
  });

  it("should generate greedily unless a temperature is given", async () => {
    expect(buildTgiGenerateBody("x", { maxTokens: 4 }).parameters).toEqual({ max_new_tokens: 4, details: true, do_sample: false });
    expect(buildTgiGenerateBody("x", { maxTokens: 4, temperature: 0.5, topP: 1, seed: 3 }).parameters).toEqual({
      max_new_tokens: 4,
      details: true,
      do_sample: true,
      temperature: 0.5,
      seed: 3,
    });
    const { client } = fakeClient(() => tgiGenerate);
    const engine = createSagemakerEngine(cfg("tgi"), { tokenizer, client });
    expect(await engine.generate([{ prompt: [1, 9038], params: { maxTokens: 4 } }])).toEqual([
      { tokens: [29892, 727], text: ", there", logprobs: [-0.10546875, -0.2734375], finishReason: "stop" },
    ]);
  });

  it("should answer maxTokens 0 without invoking the endpoint (TGI refuses max_new_tokens 0)", async () => {
    const { client, inputs } = fakeClient(() => tgiGenerate);
    const engine = createSagemakerEngine(cfg("tgi"), { tokenizer, client });
    const out = await engine.generate([
      { prompt: [1, 9038], params: { maxTokens: 0 } },
      { prompt: [1, 9038], params: { maxTokens: 4 } },
    ]);
    expect(out[0]).toEqual({ tokens: [], text: "", logprobs: [], finishReason: "length" });
    expect(out[1]!.tokens).toEqual([29892, 727]);
    expect(inputs.map((x) => (x.body as { parameters: { max_new_tokens: number } }).parameters.max_new_tokens)).toEqual([4]);
  });
});

describe("createSagemakerEngine configuration", () => {
  it("should require a tokenizer and refuse embeddings", async () => {
    expect(() => createSagemakerEngine(cfg("vllm"), undefined as never)).toThrow(ConfigurationError);
    const engine = createSagemakerEngine(cfg("vllm"), { tokenizer, client: fakeClient(() => ({})).client });
    await expect(engine.embed(["x"])).rejects.toBeInstanceOf(CapabilityError);
  });
});
