import { APIConnectionError, APIConnectionTimeoutError, BadRequestError, InternalServerError } from "openai";
import { describe, expect, it } from "vitest";
import { EngineError } from "../../shared/errors.js";
import { classifyError, errorFromStatus, extractErrorMessage, isRetryableStatus } from "../../shared/engines/http-errors.js";

const ctx = { engine: "gpu-a", endpoint: "POST /v1/completions" };

describe("extractErrorMessage", () => {
  it("should read every server's error convention", () => {
    expect(extractErrorMessage({ error: { message: "new vllm" } })).toBe("new vllm");
    expect(extractErrorMessage({ object: "error", message: "old vllm / sglang" })).toBe("old vllm / sglang");
    expect(extractErrorMessage({ detail: "fastapi" })).toBe("fastapi");
    expect(extractErrorMessage({ detail: [{ loc: ["body", "prompt"], msg: "Field required" }] })).toBe("body.prompt: Field required");
    expect(extractErrorMessage({ error: "Input validation error: inputs must have less than 4096 tokens", error_type: "validation" })).toBe(
      "Input validation error: inputs must have less than 4096 tokens",
    );
    expect(extractErrorMessage('{"error":{"message":"as text"}}')).toBe("as text");
    expect(extractErrorMessage("Bad Gateway\n")).toBe("Bad Gateway");
    expect(extractErrorMessage("")).toBeNull();
    expect(extractErrorMessage({})).toBeNull();
  });
});

describe("errorFromStatus", () => {
  it("should make 429 and 5xx retryable and other 4xx permanent, keeping the message", () => {
    expect([400, 401, 404, 422].map(isRetryableStatus)).toEqual([false, false, false, false]);
    expect([408, 429, 500, 502, 503, 504].map(isRetryableStatus)).toEqual([true, true, true, true, true, true]);
    const e = errorFromStatus(400, { error: { message: "context too long" } }, ctx);
    expect([e.retryable, e.engineStatus]).toEqual([false, 400]);
    expect(e.message).toBe("gpu-a: POST /v1/completions failed with 400: context too long");
    expect(e.details).toEqual({ engine: "gpu-a", engineStatus: 400 });
  });
});

function netError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:8000`), { code });
}

describe("classifyError", () => {
  it("should pass an EngineError through untouched", () => {
    const e = new EngineError("x", { retryable: false });
    expect(classifyError(e, ctx)).toBe(e);
  });

  it("should treat connection failures and timeouts as retryable", () => {
    const cases: unknown[] = [
      netError("ECONNRESET"),
      netError("ECONNREFUSED"),
      netError("ETIMEDOUT"),
      netError("UND_ERR_SOCKET"),
      new TypeError("fetch failed", { cause: netError("ECONNREFUSED") }),
      new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) }),
      new DOMException("The operation was aborted due to timeout", "TimeoutError"),
      new DOMException("This operation was aborted", "AbortError"),
      new APIConnectionTimeoutError(),
      new APIConnectionError({ message: "Connection error.", cause: new TypeError("fetch failed") }),
    ];
    for (const c of cases) expect(classifyError(c, ctx).retryable, String(c)).toBe(true);
  });

  it("should classify the openai client's status errors by status, keeping the body's message", () => {
    const bad = new BadRequestError(400, { message: "prompt_logprobs not supported" }, undefined, new Headers());
    const e = classifyError(bad, ctx);
    expect([e.retryable, e.engineStatus]).toEqual([false, 400]);
    expect(e.message).toContain("prompt_logprobs not supported");
    expect(classifyError(new InternalServerError(500, undefined, undefined, new Headers()), ctx).retryable).toBe(true);
  });

  it("should classify AWS SDK errors by name, $retryable and status", () => {
    const aws = (name: string, status: number, extra: object = {}) =>
      Object.assign(new Error(name), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status }, ...extra });
    expect(classifyError(aws("ThrottlingException", 400), ctx).retryable).toBe(true);
    expect(classifyError(aws("ModelNotReadyException", 429), ctx).retryable).toBe(true);
    expect(classifyError(aws("InternalFailure", 500), ctx).retryable).toBe(true);
    expect(classifyError(aws("SomethingElse", 400, { $retryable: { throttling: true } }), ctx).retryable).toBe(true);
    expect(classifyError(aws("ValidationError", 400), ctx).retryable).toBe(false);
    const model = classifyError(aws("ModelError", 424, { OriginalStatusCode: 422, OriginalMessage: '{"detail":"bad"}' }), ctx);
    expect([model.retryable, model.engineStatus, model.message.endsWith("bad")]).toEqual([false, 422, true]);
  });

  it("should not retry an unrecognised error", () => {
    const e = classifyError(new RangeError("oops"), ctx);
    expect(e).toBeInstanceOf(EngineError);
    expect(e.retryable).toBe(false);
    expect(e.cause).toBeInstanceOf(RangeError);
  });
});
