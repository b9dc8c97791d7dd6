/**
 * SGLang `/generate` bodies in the shape its server produces (io_struct GenerateReqInput; meta_info entries are
 * `[logprob, token_id, text|null]`, the entry at `logprob_start_len` padded with a null log-prob), for a Llama-2
 * tokenizer (<s>=1, "Once"=9038, "upon"=2501, "a"=263, "time"=931).
 */

/** Log p of each token of "<s> Once upon a time" at its position, as a server computed them. */
export const ONCE_UPON_A_TIME = [1, 9038, 2501, 263, 931];
export const ONCE_LOGPROBS: Record<number, number> = {
  1: -9.468750953674316,
  2: -0.9295186996459961,
  3: -0.0223541259765625,
  4: -0.0011548101902008057,
};

/** Batched answer to input_ids [[1, 9038, 2501, 263, 931], [1, 9038, 2501]], logprob_start_len [0, 1], max_new_tokens 0. */
export const sglangScoreTwoPrompts = [
  {
    text: "",
    meta_info: {
      id: "5f1c8b2e0a7d4c6e9b3f2a1d0c9e8f7a",
      finish_reason: { type: "length", length: 0 },
      prompt_tokens: 5,
      completion_tokens: 0,
      cached_tokens: 0,
      e2e_latency: 0.0312,
      input_token_logprobs: [
        [null, 1, null],
        [-9.468750953674316, 9038, null],
        [-0.9295186996459961, 2501, null],
        [-0.0223541259765625, 263, null],
        [-0.0011548101902008057, 931, null],
      ],
      output_token_logprobs: [],
    },
  },
  {
    text: "",
    meta_info: {
      id: "0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e",
      finish_reason: { type: "length", length: 0 },
      prompt_tokens: 3,
      completion_tokens: 0,
      cached_tokens: 1,
      e2e_latency: 0.0298,
      input_token_logprobs: [
        [null, 9038, null],
        [-0.9295186996459961, 2501, null],
      ],
      output_token_logprobs: [],
    },
  },
];

/** Answer to one prompt with sampling_params {max_new_tokens: 3, temperature: 0}, return_logprob. */
export const sglangGenerateOne = [
  {
    text: ", there was",
    meta_info: {
      id: "c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8",
      finish_reason: { type: "length", length: 3 },
      prompt_tokens: 5,
      completion_tokens: 3,
      cached_tokens: 5,
      e2e_latency: 0.051,
      input_token_logprobs: [[null, 931, null]],
      output_token_logprobs: [
        [-0.10546875, 29892, null],
        [-0.2734375, 727, null],
        [-0.0166015625, 471, null],
      ],
    },
  },
];

/** SGLang's ErrorResponse for a bad request. */
export const sglangError400 = {
  object: "error",
  message: "logprob_start_len (9) is larger than the input length (5).",
  type: "Bad Request",
  param: null,
  code: 400,
};

/**
 * What an SGLang server would answer to any scoring `/generate` body over prefixes of {@link ONCE_UPON_A_TIME}:
 * entries from each `logprob_start_len`, the first padded with null.
 */
export function sglangScoreAnswer(body: { input_ids: number[][]; logprob_start_len: number[] }): unknown[] {
  return body.input_ids.map((ids, i) => {
    const start = body.logprob_start_len[i]!;
    return {
      text: "",
      meta_info: {
        id: `req-${i}`,
        finish_reason: { type: "length", length: 0 },
        prompt_tokens: ids.length,
        completion_tokens: 0,
        cached_tokens: 0,
        input_token_logprobs: ids.slice(start).map((id, j) => [j === 0 ? null : ONCE_LOGPROBS[start + j] ?? -5, id, null]),
        output_token_logprobs: [],
      },
    };
  });
}
