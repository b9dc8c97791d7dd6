/**
 * Retries with backoff and a concurrency limit around any {@link Engine}, built from cockatiel policies. Adapters only
 * classify their failures (`EngineError.retryable`); this wrapper decides what to do about them, the same way for
 * every engine.
 *
 * - Every call (each `score`, `generate`, `tokenize`, … invocation) takes one slot of a cockatiel `bulkhead` with an
 *   unbounded queue, so at most `concurrency` requests are in flight at the endpoint and none is ever rejected for
 *   waiting. The retry policy sits *outside* the bulkhead: a call waits its backoff without holding a slot, so a
 *   sleeping call does not starve the others.
 * - Only an {@link EngineError} with `retryable: true` (429, 5xx, timeouts, connection resets) is handled by the
 *   cockatiel `retry` policy, up to `maxAttempts` attempts in all; anything else (another 4xx, a bug) surfaces at once.
 *   After the last attempt the last error is thrown.
 * - Backoff is capped exponential with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 *   delay = random() × min(maxDelay, base × 2^(attempt−1)). That is cockatiel's own `fullJitterGenerator` formula;
 *   it is given to cockatiel as a `DelegateBackoff` over {@link backoffDelay} only so the random source can be
 *   injected (cockatiel's generators call `Math.random` directly). Cockatiel's default, decorrelated jitter, was not
 *   chosen: its delays are not bounded by `base × 2^(attempt−1)`, which is what `RetryOptions` promise.
 * - No per-call timeout here: each remote adapter already applies the config's `timeoutMs` to its own request and
 *   aborts the socket (surfacing a retryable EngineError). A cockatiel `timeout` on top could not cancel the request
 *   (the Engine interface takes no AbortSignal), so it would free the bulkhead slot while the request still ran.
 * - `chat` is the exception to "one call, one slot": a chat request carries one conversation, so a list of N is N HTTP
 *   requests. Each conversation is its own call here (its own slot, retried alone), so `concurrency` bounds requests
 *   at the endpoint and one 429 does not resend the conversations that succeeded.
 */
import { bulkhead, DelegateBackoff, handleWhen, retry, type BulkheadPolicy, type IRetryBackoffContext } from "cockatiel";
import { EngineError } from "../errors.js";
import type { ChatRequest, ChatResult, Engine } from "./engine.js";

export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Backoff ceiling of the first retry, in ms. Default 200. */
  readonly baseDelayMs?: number;
  /** No single wait is longer than this. Default 10 000. */
  readonly maxDelayMs?: number;
}

/** What `onRetry` is told before each wait. */
export interface RetryInfo {
  /** The Engine method being retried, e.g. "score". */
  readonly method: string;
  /** The attempt that just failed (1 = the first). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: EngineError;
}

export interface ResilienceOptions {
  /** Most calls in flight at once (>= 1). */
  readonly concurrency: number;
  readonly retry?: RetryOptions;
  /**
   * Injected in tests so nothing really waits. When given, cockatiel's own timer waits 0 ms and this function waits
   * the backoff instead, just before the next attempt (still outside the bulkhead).
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1); injected in tests. */
  readonly random?: () => number;
  readonly onRetry?: (info: RetryInfo) => void;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

/**
 * How long to wait after failed attempt number `attempt` (1-based): full jitter over a capped exponential.
 *
 * @example backoffDelay(3, { baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.5) // 0.5 × min(1000, 400) = 200
 */
export function backoffDelay(attempt: number, opts: RetryOptions = {}, random: () => number = Math.random): number {
  const base = opts.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const cap = opts.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  // 2 ** 1024 is Infinity; clamping the exponent keeps the arithmetic finite for absurd attempt counts.
  const ceiling = Math.min(cap, base * 2 ** Math.min(Math.max(attempt - 1, 0), 60));
  return Math.floor(random() * ceiling);
}

/** What the retry policy handles: transient engine failures only. */
const transientEngineErrors = handleWhen((err) => err instanceof EngineError && err.retryable);

/**
 * Wraps `engine` so every call is concurrency-limited and retried on transient {@link EngineError}s.
 * `close` is passed through unlimited, and so is `stats` (an engine pool's per-replica counters).
 *
 * @example
 * const engine = withResilience(createVllmEngine(cfg), { concurrency: 8, retry: { maxAttempts: 4 } });
 */
export function withResilience(engine: Engine, opts: ResilienceOptions): Engine {
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${opts.concurrency}`);
  }
  const slots: BulkheadPolicy = bulkhead(opts.concurrency, Infinity);
  const maxAttempts = Math.max(1, opts.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts);
  const random = opts.random ?? Math.random;
  const injectedSleep = opts.sleep;

  function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    // One retry policy per call: its backoff and onRetry need to know which method they are retrying, and cockatiel's
    // retry events carry no call identity. Building one is a few small objects, nothing next to a round trip.
    let pendingDelayMs = 0;
    const policy = retry(transientEngineErrors, {
      // cockatiel counts retries, not attempts.
      maxAttempts: maxAttempts - 1,
      backoff: new DelegateBackoff<IRetryBackoffContext<unknown>>((context) => {
        const delayMs = backoffDelay(context.attempt, opts.retry, random);
        // Only handled errors reach the backoff, so the result is a retryable EngineError.
        const error = (context.result as { error: EngineError }).error;
        opts.onRetry?.({ method, attempt: context.attempt, delayMs, error });
        pendingDelayMs = delayMs;
        return injectedSleep ? 0 : delayMs;
      }),
    });
    return policy.execute(async ({ attempt }) => {
      if (attempt > 0 && injectedSleep) await injectedSleep(pendingDelayMs);
      return slots.execute(fn);
    });
  }

  const wrapped: Engine = {
    name: engine.name,
    kind: engine.kind,
    model: engine.model,
    contextSize: engine.contextSize,
    bosToken: engine.bosToken,
    capabilities: engine.capabilities,
    tokenize: (text, options) => call("tokenize", () => engine.tokenize(text, options)),
    detokenize: (tokens) => call("detokenize", () => engine.detokenize(tokens)),
    score: (requests) => call("score", () => engine.score(requests)),
    scoreSuffixes: (request) => call("scoreSuffixes", () => engine.scoreSuffixes(request)),
    generate: (requests) => call("generate", () => engine.generate(requests)),
    embed: (texts, options) => call("embed", () => engine.embed(texts, options)),
    close: () => engine.close(),
  };
  if (engine.chat) {
    const chat = engine.chat.bind(engine);
    const one = async (request: ChatRequest): Promise<ChatResult> => {
      const [result] = await chat([request]);
      if (result === undefined) {
        throw new EngineError(`${engine.name}: chat answered no result for one conversation`, { retryable: false, engine: engine.name });
      }
      return result;
    };
    wrapped.chat = (requests) => Promise.all(requests.map((r) => call("chat", () => one(r))));
  }
  if (engine.stats) {
    const stats = engine.stats.bind(engine);
    return { ...wrapped, stats: () => stats() };
  }
  return wrapped;
}
