import { describe, expect, it } from "vitest";
import {
  buildCompletionLogprobs,
  buildPromptLogprobs,
  type DecodedPosition,
} from "../../shared/engines/openai-server/completion-response.js";
import { toWireError, WireError } from "../../shared/engines/openai-server/wire-errors.js";
import { EngineError, ValidationError } from "../../shared/errors.js";

const positions: (DecodedPosition | null)[] = [
  null,
  { token: 403, logprob: -0.5, rank: 1, piece: "Once", top: [{ token: 403, logprob: -0.5, piece: "Once" }] },
  {
    token: 407,
    logprob: -3,
    rank: 4,
    piece: " upon",
    top: [
      { token: 10, logprob: -1, piece: " a" },
      { token: 11, logprob: -Infinity, piece: " b" },
    ],
  },
];

describe("openai-server response builders", () => {
  it("should build vLLM prompt_logprobs: null first, own token plus top-k with ranks", () => {
    expect(buildPromptLogprobs(positions)).toEqual([
      null,
      { "403": { logprob: -0.5, rank: 1, decoded_token: "Once" } },
      {
        "407": { logprob: -3, rank: 4, decoded_token: " upon" },
        "10": { logprob: -1, rank: 1, decoded_token: " a" },
        "11": { logprob: -9999, rank: 2, decoded_token: " b" },
      },
    ]);
  });

  it("should build OpenAI logprobs with null for the first token and offsets summed from token texts", () => {
    expect(buildCompletionLogprobs(positions, ["", "Once", " upon"])).toEqual({
      tokens: ["", "Once", " upon"],
      token_logprobs: [null, -0.5, -3],
      top_logprobs: [null, { Once: -0.5 }, { " upon": -3, " a": -1, " b": -9999 }],
      text_offset: [0, 0, 4],
    });
  });
});

describe("openai-server errors", () => {
  it("should render vLLM's error body with the HTTP status as code", () => {
    expect(toWireError(new ValidationError("bad"))).toEqual({
      status: 400,
      body: { error: { message: "bad", type: "BadRequestError", param: null, code: 400 } },
    });
    expect(toWireError(new WireError(404, "nope", "model")).body.error).toMatchObject({ type: "NotFoundError", param: "model" });
    expect(toWireError(new EngineError("busy", { retryable: true })).status).toBe(503);
    expect(toWireError(new EngineError("broken", { retryable: false })).status).toBe(500);
    expect(toWireError(new TypeError("boom")).status).toBe(500);
  });
});
