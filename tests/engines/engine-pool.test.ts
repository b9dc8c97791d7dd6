import { afterEach, describe, expect, it, vi } from "vitest";
import { EngineError } from "../../shared/errors.js";
import type { Engine, ScoreResult } from "../../shared/engines/engine.js";
import { createEnginePool } from "../../shared/engines/pool/engine-pool.js";

const transient = () => new EngineError("gpu: failed with 503: busy", { retryable: true, engineStatus: 503 });
const permanent = () => new EngineError("gpu: failed with 400: prompt too long", { retryable: false, engineStatus: 400 });

/** A replica whose `score` answers with `impl`, recording each call; the log-prob says which replica answered. */
function replica(index: number, impl?: () => Promise<ScoreResult[]>) {
  const calls = { n: 0, closed: 0 };
  const unused = async () => {
    throw new Error("unused");
  };
  const engine: Engine = {
    name: "pool",
    kind: "vllm",
    model: "m",
    contextSize: 512,
    bosToken: 1,
    capabilities: { promptLogprobs: true, sharedPrefix: false, generate: true, embeddings: false, kvSequences: false, chat: false },
    tokenize: unused,
    detokenize: unused,
    async score() {
      calls.n++;
      return impl ? impl() : [{ logprobs: [-index] }];
    },
    scoreSuffixes: unused,
    generate: unused,
    embed: unused,
    close: async () => void calls.closed++,
  };
  return { engine, calls };
}

/** A replica whose calls stay in flight until released, in order. */
function heldReplica(index: number) {
  const pending: (() => void)[] = [];
  const r = replica(index, () => new Promise((resolve) => pending.push(() => resolve([{ logprobs: [-index] }]))));
  return { ...r, releaseOne: () => pending.shift()!() };
}

const REQ = [{ tokens: [1, 2], from: 1 }];
const who = async (p: Promise<ScoreResult[]>) => -(await p)[0]!.logprobs[0]!;

async function rejection(p: Promise<unknown>): Promise<EngineError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("createEnginePool routing", () => {
  it("should rotate through idle replicas when calls do not overlap", async () => {
    const pool = createEnginePool([replica(0).engine, replica(1).engine, replica(2).engine]);
    const order = [];
    for (let i = 0; i < 5; i++) order.push(await who(pool.score(REQ)));
    expect(order).toEqual([0, 1, 2, 0, 1]);
  });

  it("should send each call to the replica with the fewest calls in flight", async () => {
    const rs = [heldReplica(0), heldReplica(1), heldReplica(2)];
    const pool = createEnginePool(rs.map((r) => r.engine));
    const a = pool.score(REQ); // r0
    const b = pool.score(REQ); // r1
    const c = pool.score(REQ); // r2
    const d = pool.score(REQ); // all at 1: round-robin → r0
    expect(rs.map((r) => r.calls.n)).toEqual([2, 1, 1]);
    rs[1]!.releaseOne();
    expect(await who(b)).toBe(1);
    const e = pool.score(REQ); // r1 is the only one with nothing in flight
    expect(rs.map((r) => r.calls.n)).toEqual([2, 2, 1]);
    expect(pool.stats!().replicas.map((r) => r.inFlight)).toEqual([2, 1, 1]);
    rs[0]!.releaseOne();
    rs[0]!.releaseOne();
    rs[1]!.releaseOne();
    rs[2]!.releaseOne();
    expect(await Promise.all([a, c, d, e].map(who))).toEqual([0, 2, 0, 1]);
  });
});

describe("createEnginePool circuit breakers", () => {
  it("should eject a replica after consecutive retryable failures and send every later call to the others", async () => {
    const bad = replica(0, async () => {
      throw transient();
    });
    const good = replica(1);
    const pool = createEnginePool([bad.engine, good.engine], { breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } });
    const outcomes: (number | string)[] = [];
    for (let i = 0; i < 8; i++) outcomes.push(await who(pool.score(REQ)).catch(() => "x"));
    expect(outcomes).toEqual(["x", 1, "x", 1, 1, 1, 1, 1]);
    expect(bad.calls.n).toBe(2);
    expect(pool.stats!().replicas).toEqual([
      { id: "r0", requests: 2, failures: 2, inFlight: 0, circuit: "open", busyMs: expect.any(Number) },
      { id: "r1", requests: 6, failures: 0, inFlight: 0, circuit: "closed", busyMs: expect.any(Number) },
    ]);
  });

  it("should not count a permanent error against a replica", async () => {
    const picky = replica(0, async () => {
      throw permanent();
    });
    const pool = createEnginePool([picky.engine], { breaker: { consecutiveFailures: 1 } });
    for (let i = 0; i < 3; i++) expect((await rejection(pool.score(REQ))).retryable).toBe(false);
    expect(picky.calls.n).toBe(3);
    expect(pool.stats!().replicas[0]).toMatchObject({ requests: 3, failures: 3, circuit: "closed" });
  });

  it("should fail fast with a retryable error naming no address when every replica is ejected, then probe after the delay", async () => {
    vi.useFakeTimers();
    let healthy = false;
    const r = replica(0, async () => {
      if (!healthy) throw transient();
      return [{ logprobs: [-0.5] }];
    });
    const pool = createEnginePool([r.engine], { breaker: { consecutiveFailures: 2, halfOpenAfterMs: 1000 } });
    await rejection(pool.score(REQ));
    await rejection(pool.score(REQ));
    const open = await rejection(pool.score(REQ));
    expect(r.calls.n).toBe(2);
    expect(open.retryable).toBe(true);
    expect(open.message).toMatch(/only replica is unavailable \(circuit open.*next probe in about 1000 ms/);
    vi.advanceTimersByTime(999);
    await rejection(pool.score(REQ));
    expect(r.calls.n).toBe(2);

    // The probe fails: the circuit opens again for another full delay.
    vi.advanceTimersByTime(1);
    expect((await rejection(pool.score(REQ))).message).toContain("503");
    expect(r.calls.n).toBe(3);
    expect(pool.stats!().replicas[0]!.circuit).toBe("open");
    vi.advanceTimersByTime(999);
    await rejection(pool.score(REQ));
    expect(r.calls.n).toBe(3);

    // The next probe succeeds: the replica is back for every call.
    vi.advanceTimersByTime(1);
    healthy = true;
    expect(await pool.score(REQ)).toEqual([{ logprobs: [-0.5] }]);
    expect(await pool.score(REQ)).toEqual([{ logprobs: [-0.5] }]);
    expect(pool.stats!().replicas[0]).toMatchObject({ requests: 5, failures: 3, circuit: "closed" });
  });

  it("should send nothing but the probe to a half-open replica, and say so when nothing else is left", async () => {
    vi.useFakeTimers();
    let failing = true;
    const pending: (() => void)[] = [];
    const flaky = replica(0, () => {
      if (failing) return Promise.reject(transient());
      return new Promise((resolve) => pending.push(() => resolve([{ logprobs: [-0] }])));
    });
    const other = heldReplica(1);
    const pool = createEnginePool([flaky.engine, other.engine], { breaker: { consecutiveFailures: 1, halfOpenAfterMs: 500 } });
    await rejection(pool.score(REQ)); // r0 fails once: open
    const busy = pool.score(REQ); // r1, held
    expect(pool.stats!().replicas.map((r) => r.circuit)).toEqual(["open", "closed"]);
    vi.advanceTimersByTime(500);
    failing = false;
    const probe = pool.score(REQ); // r0 has fewer in flight: it gets the probe
    expect(flaky.calls.n).toBe(2);
    expect(pool.stats!().replicas.map((r) => r.circuit)).toEqual(["half-open", "closed"]);
    const next = pool.score(REQ); // not to r0 while its probe runs, though r1 is busier
    expect([flaky.calls.n, other.calls.n]).toEqual([2, 2]);
    pending.shift()!();
    expect(await who(probe)).toBe(0);
    expect(pool.stats!().replicas.map((r) => r.circuit)).toEqual(["closed", "closed"]);
    other.releaseOne();
    other.releaseOne();
    expect(await Promise.all([who(busy), who(next)])).toEqual([1, 1]);

    // Both unavailable: r1 open, r0 probing.
    const two = createEnginePool(
      [
        replica(0, () => (failing ? Promise.reject(transient()) : new Promise<never>(() => {}))).engine,
        replica(1, () => Promise.reject(transient())).engine,
      ],
      { breaker: { consecutiveFailures: 1, halfOpenAfterMs: 500 } },
    );
    failing = true;
    await rejection(two.score(REQ));
    await rejection(two.score(REQ));
    expect((await rejection(two.score(REQ))).message).toMatch(/all 2 replicas are unavailable.*next probe in about 500 ms/);
    vi.advanceTimersByTime(500);
    failing = false;
    void two.score(REQ); // r0's probe, never answered
    expect((await rejection(two.score(REQ))).message).toContain("503"); // r1's probe fails: open again
    expect((await rejection(two.score(REQ))).message).toMatch(/all 2 replicas are unavailable.*a probe is in flight/);
  });
});

describe("createEnginePool statistics", () => {
  it("should count busy time once while calls overlap, including a call still in flight", async () => {
    let t = 0;
    const r = heldReplica(0);
    const pool = createEnginePool([r.engine], { now: () => t });
    const a = pool.score(REQ);
    t = 10;
    const b = pool.score(REQ);
    t = 30;
    r.releaseOne();
    await a;
    t = 40;
    expect(pool.stats!().replicas[0]).toMatchObject({ busyMs: 40, inFlight: 1, requests: 2 });
    t = 50;
    r.releaseOne();
    await b;
    t = 100;
    expect(pool.stats!().replicas[0]).toMatchObject({ busyMs: 50, inFlight: 0 });
  });

  it("should take its identity from the first replica, close every replica, and refuse an empty pool", async () => {
    const rs = [replica(0), replica(1)];
    const pool = createEnginePool(rs.map((r) => r.engine));
    expect([pool.name, pool.kind, pool.model, pool.contextSize, pool.bosToken]).toEqual(["pool", "vllm", "m", 512, 1]);
    await pool.close();
    expect(rs.map((r) => r.calls.closed)).toEqual([1, 1]);
    expect(() => createEnginePool([])).toThrow(RangeError);
  });
});
