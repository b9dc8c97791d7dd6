/**
 * vLLM response bodies in the shapes its OpenAI-compatible server produces (vllm/entrypoints/openai/protocol.py:
 * CompletionResponse, CompletionResponseChoice.prompt_logprobs = list[dict[int, Logprob] | None], TokenizeResponse,
 * DetokenizeResponse, ErrorResponse), for a Llama-2 tokenizer (<s>=1, "Once"=9038, "upon"=2501, "a"=263, "time"=931).
 */

/** `echo: true, max_tokens: 0, prompt_logprobs: 0` for two prompts; choices deliberately out of order. */
export const vllmScoreTwoPrompts = {
  id: "cmpl-6b0f3e2a9c4d4b4f8f2d1e0c9b8a7f6e",
  object: "text_completion",
  created: 1718000000,
  model: "meta-llama/Llama-2-7b-hf",
  choices: [
    {
      index: 1,
      text: "<s> Once upon",
      logprobs: null,
      finish_reason: "length",
      stop_reason: null,
      prompt_logprobs: [
        null,
        { "9038": { logprob: -9.468750953674316, rank: 96, decoded_token: "Once" }, "450": { logprob: -3.093750238418579, rank: 1, decoded_token: "The" } },
        { "2501": { logprob: -0.9295186996459961, rank: 1, decoded_token: "upon" } },
      ],
    },
    {
      index: 0,
      text: "<s> Once upon a time",
      logprobs: null,
      finish_reason: "length",
      stop_reason: null,
      prompt_logprobs: [
        null,
        { "9038": { logprob: -9.468750953674316, rank: 96, decoded_token: "Once" }, "450": { logprob: -3.093750238418579, rank: 1, decoded_token: "The" } },
        { "2501": { logprob: -0.9295186996459961, rank: 1, decoded_token: "upon" } },
        { "263": { logprob: -0.0223541259765625, rank: 1, decoded_token: "a" } },
        { "931": { logprob: -0.0011548101902008057, rank: 1, decoded_token: "time" } },
      ],
    },
  ],
  usage: { prompt_tokens: 8, total_tokens: 8, completion_tokens: 0 },
};

/** `logprobs: 1, return_tokens_as_token_ids: true` (no `token_ids`: a server before return_token_ids existed). */
export const vllmGenerateOne = {
  id: "cmpl-0a1b2c3d4e5f60718293a4b5c6d7e8f9",
  object: "text_completion",
  created: 1718000001,
  model: "meta-llama/Llama-2-7b-hf",
  choices: [
    {
      index: 0,
      text: ", there was",
      logprobs: {
        text_offset: [0, 1, 7],
        token_logprobs: [-0.10546875, -0.2734375, -0.0166015625],
        tokens: ["token_id:29892", "token_id:727", "token_id:471"],
        top_logprobs: [{ "token_id:29892": -0.10546875 }, { "token_id:727": -0.2734375 }, { "token_id:471": -0.0166015625 }],
      },
      finish_reason: "length",
      stop_reason: null,
      prompt_logprobs: null,
    },
  ],
  usage: { prompt_tokens: 5, total_tokens: 8, completion_tokens: 3 },
};

export const vllmTokenize = { count: 5, max_model_len: 4096, tokens: [1, 9038, 2501, 263, 931], token_strs: null };
export const vllmDetokenize = { prompt: "Once upon a time" };

/** vLLM < 0.9 error body (top-level message). */
export const vllmOldError400 = {
  object: "error",
  message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens in the messages.",
  type: "BadRequestError",
  param: null,
  code: 400,
};

/** vLLM >= 0.9 error body (OpenAI envelope). */
export const vllmNewError400 = {
  error: { message: "prompt_logprobs must be a non-negative integer", type: "BadRequestError", param: null, code: 400 },
};

export const vllmEmbeddings = {
  id: "embd-1",
  object: "list",
  created: 1718000002,
  model: "intfloat/e5-small",
  data: [
    { index: 1, object: "embedding", embedding: [0.5, -0.25] },
    { index: 0, object: "embedding", embedding: [0.125, 0.75] },
  ],
  usage: { prompt_tokens: 6, total_tokens: 6, completion_tokens: 0 },
};
