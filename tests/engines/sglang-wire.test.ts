import { describe, expect, it } from "vitest";
import { EngineError } from "../../shared/errors.js";
import {
  buildSglangGenerateBody,
  buildSglangScoreBody,
  parseSglangGenerateResponse,
  parseSglangScoreResponse,
} from "../../shared/engines/sglang/sglang-wire.js";
import { sglangGenerateOne, sglangScoreTwoPrompts } from "./sglang-recorded.js";

const TWO = [
  { tokens: [1, 9038, 2501, 263, 931], from: 1 },
  { tokens: [1, 9038, 2501], from: 2 },
];

describe("buildSglangScoreBody", () => {
  it("should prefill only and start the log-probs one position before the first scored token", () => {
    expect(buildSglangScoreBody(TWO)).toEqual({
      input_ids: [[1, 9038, 2501, 263, 931], [1, 9038, 2501]],
      sampling_params: [{ max_new_tokens: 0 }, { max_new_tokens: 0 }],
      return_logprob: true,
      logprob_start_len: [0, 1],
    });
  });
});

describe("parseSglangScoreResponse", () => {
  it("should drop the null-padded entry at logprob_start_len and keep the rest in order", () => {
    const out = parseSglangScoreResponse(sglangScoreTwoPrompts, TWO, "sg");
    expect(out[0]!.logprobs).toEqual([-9.468750953674316, -0.9295186996459961, -0.0223541259765625, -0.0011548101902008057]);
    expect(out[1]!.logprobs).toEqual([-0.9295186996459961]);
  });

  it("should fail loudly when the returned token ids are shifted against the prompt", () => {
    // The same body read as if scoring had started one position later: ids no longer line up.
    const shifted = [TWO[0]!, { tokens: [1, 9038, 2501], from: 1 }];
    expect(() => parseSglangScoreResponse(sglangScoreTwoPrompts, shifted, "sg")).toThrow(/position|input log-probs/);
  });

  it("should fail when an output is missing or a scored position has a null log-prob", () => {
    expect(() => parseSglangScoreResponse([sglangScoreTwoPrompts[0]], TWO, "sg")).toThrow(EngineError);
    const withNull = structuredClone(sglangScoreTwoPrompts);
    (withNull[1]!.meta_info.input_token_logprobs[1] as unknown[])[0] = null;
    expect(() => parseSglangScoreResponse(withNull, TWO, "sg")).toThrow(/null log-prob/);
  });
});

describe("SGLang generation wire", () => {
  it("should map parameters per prompt, greedy by default", () => {
    const body = buildSglangGenerateBody([
      { prompt: [1, 2], params: { maxTokens: 3 } },
      { prompt: [3], params: { maxTokens: 5, temperature: 0.8, topP: 0.9, seed: 4, stop: ["\n"] } },
    ]);
    expect(body).toEqual({
      input_ids: [[1, 2], [3]],
      sampling_params: [
        { max_new_tokens: 3, temperature: 0 },
        { max_new_tokens: 5, temperature: 0.8, top_p: 0.9, stop: ["\n"], sampling_seed: 4 },
      ],
      return_logprob: true,
    });
  });

  it("should read tokens and log-probs from output_token_logprobs", () => {
    expect(parseSglangGenerateResponse(sglangGenerateOne, 1, "sg")).toEqual([
      { tokens: [29892, 727, 471], text: ", there was", logprobs: [-0.10546875, -0.2734375, -0.0166015625], finishReason: "length" },
    ]);
  });
});
