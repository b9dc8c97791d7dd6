import { afterEach, describe, expect, it, vi } from "vitest";
import { EngineError, ValidationError } from "../../shared/errors.js";
import type { Engine, ScoreRequest, ScoreResult } from "../../shared/engines/engine.js";
import { backoffDelay, withResilience, type RetryInfo } from "../../shared/engines/resilience.js";

const transient = () => new EngineError("gpu: 503", { retryable: true, engineStatus: 503 });
const permanent = () => new EngineError("gpu: failed with 400: prompt too long", { retryable: false, engineStatus: 400 });

/** A fake engine whose `score` runs `impl`; everything else is unused here. */
function fakeEngine(impl: (reqs: readonly ScoreRequest[]) => Promise<ScoreResult[]>): Engine {
  const unused = async () => {
    throw new Error("unused");
  };
  return {
    name: "fake",
    kind: "fake",
    model: "m",
    contextSize: 512,
    bosToken: 1,
    capabilities: { promptLogprobs: true, sharedPrefix: false, generate: false, embeddings: false, kvSequences: false, chat: false },
    tokenize: unused,
    detokenize: unused,
    score: impl,
    scoreSuffixes: unused,
    generate: unused,
    embed: unused,
    close: async () => {},
  };
}

const REQ = [{ tokens: [1, 2], from: 1 }];

describe("backoffDelay", () => {
  it("should grow exponentially under full jitter and stop at the cap", () => {
    const top = () => 0.999999;
    const opts = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, opts, top))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(200);
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
  });

  it("should use 200 ms and 10 s by default and stay finite for huge attempts", () => {
    expect(backoffDelay(1, {}, () => 0.5)).toBe(100);
    expect(backoffDelay(5000, {}, () => 0.5)).toBe(5000);
  });
});

describe("withResilience", () => {
  it("should retry transient errors and then succeed, sleeping the jittered backoff", async () => {
    let calls = 0;
    const sleeps: number[] = [];
    const retries: RetryInfo[] = [];
    const engine = withResilience(
      fakeEngine(async () => {
        calls++;
        if (calls < 3) throw transient();
        return [{ logprobs: [-1] }];
      }),
      {
        concurrency: 1,
        retry: { baseDelayMs: 100, maxDelayMs: 1000 },
        random: () => 0.5,
        sleep: async (ms) => void sleeps.push(ms),
        onRetry: (i) => retries.push(i),
      },
    );
    expect(await engine.score(REQ)).toEqual([{ logprobs: [-1] }]);
    expect(calls).toBe(3);
    expect(sleeps).toEqual([50, 100]);
    expect(retries.map((r) => [r.method, r.attempt])).toEqual([
      ["score", 1],
      ["score", 2],
    ]);
  });

  it("should give up after maxAttempts and throw the last error", async () => {
    let calls = 0;
    const engine = withResilience(
      fakeEngine(async () => {
        calls++;
        throw new EngineError(`attempt ${calls}`, { retryable: true });
      }),
      { concurrency: 1, retry: { maxAttempts: 3 }, sleep: async () => {} },
    );
    await expect(engine.score(REQ)).rejects.toThrow("attempt 3");
    expect(calls).toBe(3);
  });

  it("should never retry a permanent error or a non-engine error", async () => {
    let calls = 0;
    const perm = withResilience(
      fakeEngine(async () => {
        calls++;
        throw permanent();
      }),
      { concurrency: 1, sleep: async () => {} },
    );
    await expect(perm.score(REQ)).rejects.toThrow("prompt too long");
    expect(calls).toBe(1);
    const bug = withResilience(
      fakeEngine(async () => {
        calls++;
        throw new ValidationError("bad from");
      }),
      { concurrency: 1, sleep: async () => {} },
    );
    await expect(bug.score(REQ)).rejects.toBeInstanceOf(ValidationError);
    expect(calls).toBe(2);
  });

  it("should keep at most `concurrency` calls in flight, retries included", async () => {
    let inFlight = 0;
    let peak = 0;
    let n = 0;
    const engine = withResilience(
      fakeEngine(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        if (++n % 3 === 0) throw transient();
        return [{ logprobs: [0] }];
      }),
      { concurrency: 3, sleep: async () => {} },
    );
    const out = await Promise.all(Array.from({ length: 20 }, () => engine.score(REQ)));
    expect(out).toHaveLength(20);
    expect(peak).toBe(3);
  });

  describe("without an injected sleep (cockatiel's own timer)", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("should wait exactly the full-jitter backoff between attempts", async () => {
      vi.useFakeTimers();
      let calls = 0;
      const engine = withResilience(
        fakeEngine(async () => {
          calls++;
          if (calls < 3) throw transient();
          return [{ logprobs: [-2] }];
        }),
        { concurrency: 1, retry: { baseDelayMs: 100, maxDelayMs: 1000 }, random: () => 0.5 },
      );
      const result = engine.score(REQ);
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(49);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(1); // 0.5 × 100
      expect(calls).toBe(2);
      await vi.advanceTimersByTimeAsync(99);
      expect(calls).toBe(2);
      await vi.advanceTimersByTimeAsync(1); // 0.5 × 200
      expect(calls).toBe(3);
      expect(await result).toEqual([{ logprobs: [-2] }]);
    });
  });

  it("should not retry at all when maxAttempts is 1", async () => {
    let calls = 0;
    const retries: RetryInfo[] = [];
    const engine = withResilience(
      fakeEngine(async () => {
        calls++;
        throw transient();
      }),
      { concurrency: 1, retry: { maxAttempts: 1 }, sleep: async () => {}, onRetry: (i) => retries.push(i) },
    );
    await expect(engine.score(REQ)).rejects.toThrow("503");
    expect([calls, retries.length]).toEqual([1, 0]);
  });

  it("should free its slot while it waits its backoff, so other calls run meanwhile", async () => {
    let release!: () => void;
    const sleeping = new Promise<void>((r) => (release = r));
    let sleepStarted!: () => void;
    const asleep = new Promise<void>((r) => (sleepStarted = r));
    let first = true;
    const order: string[] = [];
    const engine = withResilience(
      fakeEngine(async (reqs) => {
        const who = reqs[0]!.tokens[0] === 1 ? "a" : "b";
        order.push(who);
        if (who === "a" && first) {
          first = false;
          throw transient();
        }
        return [{ logprobs: [who === "a" ? -1 : -3] }];
      }),
      {
        concurrency: 1,
        sleep: () => {
          sleepStarted();
          return sleeping;
        },
      },
    );
    const a = engine.score([{ tokens: [1, 2], from: 1 }]);
    await asleep;
    // A is waiting its backoff; with one slot, B can only run now if A does not hold it.
    expect(await engine.score([{ tokens: [9, 2], from: 1 }])).toEqual([{ logprobs: [-3] }]);
    release();
    expect(await a).toEqual([{ logprobs: [-1] }]);
    expect(order).toEqual(["a", "b", "a"]);
  });

  it("should pass an engine's stats through and add none to an engine without them", () => {
    const stats = { replicas: [{ id: "r0", requests: 3, failures: 1, inFlight: 0, circuit: "closed" as const, busyMs: 12 }] };
    const withStats = withResilience({ ...fakeEngine(async () => []), stats: () => stats }, { concurrency: 1 });
    expect(withStats.stats?.()).toEqual(stats);
    expect(withResilience(fakeEngine(async () => []), { concurrency: 1 }).stats).toBeUndefined();
  });

  it("should pass the engine's identity through and reject a bad concurrency", () => {
    const engine = withResilience(fakeEngine(async () => []), { concurrency: 2 });
    expect([engine.name, engine.kind, engine.bosToken]).toEqual(["fake", "fake", 1]);
    expect(() => withResilience(fakeEngine(async () => []), { concurrency: 0 })).toThrow(RangeError);
  });
});
