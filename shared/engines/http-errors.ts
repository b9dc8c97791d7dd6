/**
 * Turning an inference endpoint's failure into an {@link EngineError} that says whether trying again may help.
 *
 * Transient: 408, 425, 429, 5xx, timeouts, connection resets/refusals (ECONNRESET, ECONNREFUSED, ETIMEDOUT, EPIPE,
 * UND_ERR_* from undici, `TypeError: fetch failed` caused by one of those, an abort caused by a timeout), and the
 * AWS SDK's throttling / unavailable / `$retryable` errors. Everything else is permanent and carries the endpoint's
 * own message, so a caller sees "This model's maximum context length is 2048 tokens…" rather than "400".
 *
 * Retrying is not done here: `withResilience` (`./resilience.ts`) owns it.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { EngineError } from "../errors.js";

/** Statuses that may succeed if sent again unchanged. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * The human message inside an error body, whatever the server's convention:
 * OpenAI/new vLLM `{"error": {"message"}}`, `{"error": "…"}`, old vLLM/SGLang `{"object": "error", "message"}`,
 * FastAPI `{"detail": "…"}` or `{"detail": [{"loc", "msg"}]}`, TGI `{"error": "…", "error_type"}`.
 * Plain-text bodies are returned trimmed; returns null when nothing useful is there.
 *
 * @example extractErrorMessage('{"error":{"message":"bad prompt"}}') // "bad prompt"
 */
export function extractErrorMessage(body: unknown): string | null {
  if (body == null) return null;
  if (typeof body === "string") {
    const text = body.trim();
    if (text === "") return null;
    try {
      return extractErrorMessage(JSON.parse(text) as unknown) ?? text.slice(0, 2000);
    } catch {
      return text.slice(0, 2000);
    }
  }
  if (typeof body !== "object") return null;
  const o = body as Record<string, unknown>;
  if (typeof o.error === "string" && o.error !== "") return o.error;
  if (o.error && typeof o.error === "object") {
    const inner = extractErrorMessage(o.error);
    if (inner) return inner;
  }
  if (typeof o.message === "string" && o.message !== "") return o.message;
  if (typeof o.detail === "string" && o.detail !== "") return o.detail;
  if (Array.isArray(o.detail)) {
    const parts = o.detail
      .map((d) => {
        if (d && typeof d === "object") {
          const item = d as { loc?: unknown; msg?: unknown };
          const loc = Array.isArray(item.loc) ? item.loc.join(".") : "";
          return typeof item.msg === "string" ? (loc ? `${loc}: ${item.msg}` : item.msg) : null;
        }
        return typeof d === "string" ? d : null;
      })
      .filter((s): s is string => !!s);
    if (parts.length) return parts.join("; ");
  }
  return null;
}

/** What an adapter knows about the call that failed, for the error's message and details. */
export interface ErrorContext {
  /** The registry name of the engine. */
  readonly engine: string;
  /** What was called, e.g. `POST /v1/completions`. */
  readonly endpoint?: string;
}

function prefix(ctx: ErrorContext): string {
  return ctx.endpoint ? `${ctx.engine}: ${ctx.endpoint}` : ctx.engine;
}

/**
 * The error for an HTTP response that was not 2xx.
 *
 * @example
 * throw errorFromStatus(400, await res.text(), { engine: "gpu-a", endpoint: "POST /v1/completions" });
 */
export function errorFromStatus(status: number, body: unknown, ctx: ErrorContext, cause?: unknown): EngineError {
  const msg = extractErrorMessage(body) ?? "no message";
  return new EngineError(`${prefix(ctx)} failed with ${status}: ${msg}`, {
    retryable: isRetryableStatus(status),
    engineStatus: status,
    engine: ctx.engine,
    cause,
  });
}

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

/** AWS SDK error names that mean "the service is busy or briefly broken". */
const AWS_TRANSIENT_NAMES = new Set([
  "ThrottlingException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalFailure",
  "InternalDependencyException",
  "ModelNotReadyException",
  "TooManyRequestsException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
]);

function isTransientCode(code: unknown): boolean {
  return typeof code === "string" && (TRANSIENT_CODES.has(code) || code.startsWith("UND_ERR_"));
}

/** Walks an error and its `cause` chain (bounded) looking for a transport-level failure. */
function transportFailure(err: unknown): string | null {
  let cur: unknown = err;
  for (let depth = 0; depth < 6 && cur && typeof cur === "object"; depth++) {
    const e = cur as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
    if (isTransientCode(e.code)) return `${String(e.code)}${e.message ? ` (${String(e.message)})` : ""}`;
    // AbortSignal.timeout() aborts with a DOMException named TimeoutError; a bare AbortError is treated as a timeout
    // too because adapters only abort on their own timeout (a caller's cancel would not be retried by anyone).
    if (e.name === "TimeoutError" || e.name === "AbortError") return `timed out (${String(e.message ?? e.name)})`;
    // The openai client's errors do not set `name`; instanceof survives bundling, constructor names may not.
    if (cur instanceof APIConnectionTimeoutError) return "timed out";
    if (cur instanceof APIConnectionError) return String(e.message ?? "connection error");
    if (e.name === "ConnectTimeoutError" || e.name === "HeadersTimeoutError" || e.name === "BodyTimeoutError") {
      return String(e.message ?? e.name);
    }
    if (e.name === "SocketError") return String(e.message ?? "socket error");
    cur = e.cause;
  }
  return null;
}

/**
 * Classifies anything an adapter's I/O threw: an {@link EngineError} passes through; an `openai` client
 * `APIError` (it has `status`), an AWS SDK error (it has `$metadata`), a fetch/undici/node network error, a
 * timeout. Anything unrecognised becomes a permanent EngineError (a bug should not be retried five times).
 */
export function classifyError(err: unknown, ctx: ErrorContext): EngineError {
  if (err instanceof EngineError) return err;
  const e = (err ?? {}) as {
    name?: unknown;
    message?: unknown;
    status?: unknown;
    error?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    $fault?: unknown;
    OriginalStatusCode?: unknown;
    OriginalMessage?: unknown;
  };

  // SageMaker ModelError: the container answered with its own status; classify by that, keep its message.
  if (e.name === "ModelError" && typeof e.OriginalStatusCode === "number") {
    return errorFromStatus(e.OriginalStatusCode, e.OriginalMessage ?? e.message, ctx, err);
  }
  if (e.$metadata !== undefined || e.$fault !== undefined) {
    const status = e.$metadata?.httpStatusCode;
    const retryable =
      !!e.$retryable ||
      (typeof e.name === "string" && AWS_TRANSIENT_NAMES.has(e.name)) ||
      (typeof status === "number" && isRetryableStatus(status));
    if (retryable || typeof status === "number") {
      return new EngineError(`${prefix(ctx)} failed${status ? ` with ${status}` : ""}: ${String(e.name)}: ${String(e.message)}`, {
        retryable,
        engineStatus: status ?? null,
        engine: ctx.engine,
        cause: err,
      });
    }
  }
  // openai client APIError: status is a number when the server answered.
  if (err instanceof APIError && typeof e.status === "number") {
    const body = e.error !== undefined ? e.error : e.message;
    return errorFromStatus(e.status, extractErrorMessage(body) ?? String(e.message ?? ""), ctx, err);
  }
  const transport = transportFailure(err);
  if (transport) {
    return new EngineError(`${prefix(ctx)} could not be reached: ${transport}`, {
      retryable: true,
      engine: ctx.engine,
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError(`${prefix(ctx)} failed: ${message}`, { retryable: false, engine: ctx.engine, cause: err });
}
