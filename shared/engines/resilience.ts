/**
 * Retries with backoff and a concurrency limit around any {@link Engine}. Adapters only classify their failures
 * (`EngineError.retryable`); this wrapper decides what to do about them, the same way for every engine.
 *
 * - Every call (each `score`, `generate`, `tokenize`, … invocation) takes one slot of a p-limit limiter, so at most
 *   `concurrency` requests are in flight at the endpoint. A retry waits its backoff *outside* the slot, so a sleeping
 *   call does not starve the others.
 * - Transient errors are retried with capped exponential backoff and full jitter (AWS Architecture Blog,
 *   "Exponential Backoff And Jitter"): delay = random() × min(maxDelay, base × 2^(attempt−1)).
 * - Permanent errors (a 4xx, a bug) surface at once; after the last attempt the last error is thrown.
 */
import pLimit from "p-limit";
import { EngineError } from "../errors.js";
import type { Engine } from "./engine.js";

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
  /** Injected in tests so nothing really waits. */
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

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Wraps `engine` so every call is concurrency-limited and retried on transient {@link EngineError}s.
 * `close` is passed through unlimited.
 *
 * @example
 * const engine = withResilience(createVllmEngine(cfg), { concurrency: 8, retry: { maxAttempts: 4 } });
 */
export function withResilience(engine: Engine, opts: ResilienceOptions): Engine {
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${opts.concurrency}`);
  }
  const limit = pLimit(opts.concurrency);
  const maxAttempts = Math.max(1, opts.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts);
  const sleep = opts.sleep ?? realSleep;
  const random = opts.random ?? Math.random;

  async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await limit(fn);
      } catch (err) {
        if (!(err instanceof EngineError) || !err.retryable || attempt >= maxAttempts) throw err;
        const delayMs = backoffDelay(attempt, opts.retry, random);
        opts.onRetry?.({ method, attempt, delayMs, error: err });
        await sleep(delayMs);
      }
    }
  }

  return {
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
}
