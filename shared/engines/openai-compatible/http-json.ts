/**
 * One JSON POST with a timeout, whose failures come back classified (`EngineError.retryable`). Used for the
 * endpoints the `openai` client does not cover: `/tokenize`, `/detokenize`, SGLang's `/generate`.
 */
import { EngineError } from "../../errors.js";
import { classifyError, errorFromStatus } from "../http-errors.js";

export interface PostJsonOptions {
  /** Registry name of the engine, for error messages. */
  readonly engine: string;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
  /** Injected in tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/**
 * POSTs `body` as JSON to `url` and returns the parsed JSON answer.
 *
 * @throws EngineError retryable for 429/5xx/timeouts/connection failures, permanent (with the server's message)
 * for other 4xx and for a 2xx whose body is not JSON.
 */
export async function postJson(url: string, body: unknown, opts: PostJsonOptions): Promise<unknown> {
  const endpoint = `POST ${new URL(url).pathname}`;
  const ctx = { engine: opts.engine, endpoint };
  const doFetch = opts.fetch ?? fetch;
  let text: string;
  let status: number;
  try {
    const res = await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...opts.headers },
      body: JSON.stringify(body),
      signal: opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : null,
    });
    status = res.status;
    // Reading the body can fail too (a connection dropped mid-response): same classification.
    text = await res.text();
  } catch (err) {
    throw classifyError(err, ctx);
  }
  if (status < 200 || status >= 300) throw errorFromStatus(status, text, ctx);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new EngineError(`${opts.engine}: ${endpoint} answered ${status} with a body that is not JSON`, {
      retryable: false,
      engineStatus: status,
      engine: opts.engine,
      cause,
    });
  }
}
