/**
 * An engine over several replicas of one model (vLLM/SGLang servers, SageMaker endpoints). Each call goes to the
 * replica with the fewest calls in flight, ties broken round-robin from the replica after the last one chosen. Each
 * replica sits behind its own cockatiel circuit breaker (a `ConsecutiveBreaker`): after `consecutiveFailures`
 * retryable failures in a row it opens and the replica gets no calls; once `halfOpenAfterMs` has passed, the next
 * call routed to it is the probe (half-open), and its outcome closes or reopens the circuit. While a probe is in
 * flight the replica takes no other call. When no replica can take a call, it fails with a retryable
 * {@link EngineError} saying so, which `withResilience` retries after its backoff like any transient failure.
 *
 * Only what the breaker is for counts against a replica: a retryable EngineError (429, 5xx, timeout, reset). A 4xx
 * or a bug says nothing about the replica's health: it surfaces unchanged, does not count towards opening the
 * circuit, and as a probe's outcome counts as the replica answering (the circuit closes).
 *
 * The pool neither retries nor limits concurrency: `withResilience` around it does both for the engine as a whole,
 * and a retried call is routed afresh (usually to another replica).
 */
import {
  BrokenCircuitError,
  CircuitState,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  IsolatedCircuitError,
  type CircuitBreakerPolicy,
} from "cockatiel";
import { EngineError } from "../../errors.js";
import type { Engine, EngineStats, ReplicaStats } from "../engine.js";

/** When a replica is ejected and probed back. */
export interface BreakerOptions {
  /** Retryable failures in a row that open a replica's circuit. Default 5. */
  readonly consecutiveFailures?: number;
  /** How long an open circuit stays open before one probe call may go through. Default 5 000 ms. */
  readonly halfOpenAfterMs?: number;
}

/** The breaker's defaults (the same as the configuration schema's). */
export const DEFAULT_BREAKER: Required<BreakerOptions> = { consecutiveFailures: 5, halfOpenAfterMs: 5_000 };

/** Options for {@link createEnginePool}. */
export interface EnginePoolOptions {
  readonly breaker?: BreakerOptions;
  /**
   * The clock for `busyMs` (monotonic milliseconds); injected in tests. Circuits use cockatiel's clock, `Date.now`.
   */
  readonly now?: () => number;
}

interface Replica {
  readonly id: string;
  readonly engine: Engine;
  readonly breaker: CircuitBreakerPolicy;
  /** `Date.now()` when the circuit last opened. */
  openedAt: number;
  requests: number;
  failures: number;
  inFlight: number;
  busyMs: number;
  busySince: number;
}

const CIRCUIT_NAMES: Record<CircuitState, ReplicaStats["circuit"]> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Isolated]: "open",
};

/** What a circuit breaker counts as a failure of the replica. */
const replicaFaults = handleWhen((err) => err instanceof EngineError && err.retryable);

/**
 * A pool over `replicas` (at least one, all built from one configuration: same model, tokenizer and capabilities).
 * Its identity (name, kind, model, …) is the first replica's; `stats()` reports each replica as `r0`, `r1`, … in
 * the order given, never by address.
 *
 * @example
 * const pool = createEnginePool([createVllmEngine(a), createVllmEngine(b)], { breaker: { halfOpenAfterMs: 10_000 } });
 * const engine = withResilience(pool, { concurrency: 32 });
 */
export function createEnginePool(replicas: readonly Engine[], opts: EnginePoolOptions = {}): Engine {
  if (replicas.length === 0) throw new RangeError("an engine pool needs at least one replica");
  const first = replicas[0]!;
  const consecutiveFailures = opts.breaker?.consecutiveFailures ?? DEFAULT_BREAKER.consecutiveFailures;
  const halfOpenAfterMs = opts.breaker?.halfOpenAfterMs ?? DEFAULT_BREAKER.halfOpenAfterMs;
  const now = opts.now ?? (() => performance.now());

  const pool: Replica[] = replicas.map((engine, i) => {
    const breaker = circuitBreaker(replicaFaults, {
      breaker: new ConsecutiveBreaker(consecutiveFailures),
      halfOpenAfter: halfOpenAfterMs,
    });
    const replica: Replica = {
      id: `r${i}`,
      engine,
      breaker,
      openedAt: 0,
      requests: 0,
      failures: 0,
      inFlight: 0,
      busyMs: 0,
      busySince: 0,
    };
    // Emitted right after cockatiel stamps its own `openedAt`, so this one is never earlier than cockatiel's.
    breaker.onBreak(() => (replica.openedAt = Date.now()));
    return replica;
  });
  let cursor = 0;

  /** Whether a call may go to `r` now: closed, or open long enough that this call becomes the probe. */
  function available(r: Replica): boolean {
    const state = r.breaker.state;
    if (state === CircuitState.Closed) return true;
    // A half-open replica has its probe in flight; cockatiel would park another call until the probe ends.
    if (state === CircuitState.Open) return Date.now() - r.openedAt >= halfOpenAfterMs;
    return false;
  }

  /** The available replica with the fewest calls in flight, scanning round-robin from the cursor. */
  function choose(): Replica | undefined {
    let best: Replica | undefined;
    let bestIndex = -1;
    for (let k = 0; k < pool.length; k++) {
      const i = (cursor + k) % pool.length;
      const r = pool[i]!;
      if (!available(r)) continue;
      if (!best || r.inFlight < best.inFlight) {
        best = r;
        bestIndex = i;
      }
    }
    if (best) cursor = (bestIndex + 1) % pool.length;
    return best;
  }

  function unavailable(): EngineError {
    const what = pool.length === 1 ? "its only replica is" : `all ${pool.length} replicas are`;
    const probing = pool.some((r) => r.breaker.state === CircuitState.HalfOpen);
    const wait = Math.max(0, Math.min(...pool.map((r) => r.openedAt + halfOpenAfterMs - Date.now())));
    const next = probing ? "a probe is in flight" : `next probe in about ${Math.ceil(wait)} ms`;
    return new EngineError(`${first.name}: ${what} unavailable (circuit open after repeated failures); ${next}`, {
      retryable: true,
      engine: first.name,
    });
  }

  async function call<T>(fn: (engine: Engine) => Promise<T>): Promise<T> {
    const r = choose();
    if (!r) throw unavailable();
    r.requests++;
    if (r.inFlight++ === 0) r.busySince = now();
    try {
      return await r.breaker.execute(() => fn(r.engine));
    } catch (err) {
      r.failures++;
      // Not expected (a replica is only chosen when its breaker lets the call through), but if cockatiel's view of
      // the circuit ever differs from ours, the caller still gets a retryable EngineError rather than a bare one.
      if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) throw unavailable();
      throw err;
    } finally {
      if (--r.inFlight === 0) r.busyMs += now() - r.busySince;
    }
  }

  const engine: Engine = {
    name: first.name,
    kind: first.kind,
    model: first.model,
    contextSize: first.contextSize,
    bosToken: first.bosToken,
    capabilities: first.capabilities,
    tokenize: (text, options) => call((e) => e.tokenize(text, options)),
    detokenize: (tokens) => call((e) => e.detokenize(tokens)),
    score: (requests) => call((e) => e.score(requests)),
    scoreSuffixes: (request) => call((e) => e.scoreSuffixes(request)),
    generate: (requests) => call((e) => e.generate(requests)),
    embed: (texts, options) => call((e) => e.embed(texts, options)),
    async close() {
      const closed = await Promise.allSettled(pool.map((r) => r.engine.close()));
      const failed = closed.find((c): c is PromiseRejectedResult => c.status === "rejected");
      if (failed) throw failed.reason;
    },
    stats(): EngineStats {
      const t = now();
      return {
        replicas: pool.map((r) => ({
          id: r.id,
          requests: r.requests,
          failures: r.failures,
          inFlight: r.inFlight,
          circuit: CIRCUIT_NAMES[r.breaker.state],
          busyMs: r.busyMs + (r.inFlight > 0 ? t - r.busySince : 0),
        })),
      };
    },
  };
  // Replicas share one configuration, so the first one's `chat` says whether they all have it.
  if (first.chat) {
    engine.chat = (requests) =>
      call((e) => {
        if (!e.chat) throw new EngineError(`${first.name}: replica has no chat method`, { retryable: false, engine: first.name });
        return e.chat(requests);
      });
  }
  return engine;
}
