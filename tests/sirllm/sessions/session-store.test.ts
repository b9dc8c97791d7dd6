import { describe, expect, it } from "vitest";
import { ConflictError, NotFoundError } from "../../../shared/errors.js";
import { appendTurn } from "../../../shared/sirllm/memory/append-turn.js";
import { emptyMemoryState } from "../../../shared/sirllm/memory/memory-state.js";
import type { MemorySession } from "../../../shared/sirllm/memory/state-codec.js";
import { SessionStore } from "../../../shared/sirllm/sessions/session-store.js";
import { MemoryObjectStore } from "../../../shared/store/memory-object-store.js";

const TENANT = "acme";
const ID = "ss_0123456789abcdefghij";
const settings = { policy: "sirllm", cacheSize: 16, sinks: 2, decay: 0.9, seed: 0 } as const;

function turn(session: MemorySession, n: number, at: number): MemorySession {
  const tokens = Array.from({ length: n }, (_, i) => 100 + at + i);
  const entropies = tokens.map((_, i) => (i * 7 + at) % 5);
  return { settings: session.settings, state: appendTurn(session.settings, session.state, { tokens, entropies }).state };
}

describe("SessionStore", () => {
  it("should round-trip a session through create, load and commit", async () => {
    const sessions = new SessionStore(new MemoryObjectStore());
    const start: MemorySession = { settings, state: emptyMemoryState() };
    const created = await sessions.create(TENANT, ID, start);
    const next = turn(start, 5, 0);
    await sessions.commit(TENANT, ID, created.etag, next);
    const loaded = await sessions.load(TENANT, ID);
    expect(loaded.session.state).toEqual(next.state);
    expect(loaded.session.settings).toEqual(settings);
  });

  it("should store exactly one of 20 concurrent turns computed from the same state, and 409 the other 19", async () => {
    const store = new MemoryObjectStore();
    const sessions = new SessionStore(store);
    const base = turn({ settings, state: emptyMemoryState() }, 4, 0);
    const { etag } = await sessions.create(TENANT, ID, base);
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => sessions.commit(TENANT, ID, etag, turn(base, 3, 10 * (i + 1)))));
    const won = outcomes.filter((o) => o.status === "fulfilled");
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const l of lost) expect(l.reason).toBeInstanceOf(ConflictError);
    const stored = (await sessions.load(TENANT, ID)).session.state;
    expect(stored.turnCount).toBe(2);
    expect(stored.tokenCount).toBe(7);
    expect(stored).toEqual((won[0] as PromiseFulfilledResult<{ session: MemorySession }>).value.session.state);
  });

  it("should let a loser retry on the new state, so no turn is lost or duplicated", async () => {
    const sessions = new SessionStore(new MemoryObjectStore());
    const base = { settings, state: emptyMemoryState() };
    await sessions.create(TENANT, ID, base);
    // 5 writers, each retrying until its turn is stored: 5 turns in the end, each once.
    await Promise.all(
      Array.from({ length: 5 }, async (_, w) => {
        for (;;) {
          const { session, etag } = await sessions.load(TENANT, ID);
          try {
            await sessions.commit(TENANT, ID, etag, turn(session, 2, 100 * (w + 1)));
            return;
          } catch (e) {
            if (!(e instanceof ConflictError)) throw e;
          }
        }
      }),
    );
    const stored = (await sessions.load(TENANT, ID)).session.state;
    expect(stored.turnCount).toBe(5);
    expect(stored.tokenCount).toBe(10);
    expect(new Set(stored.tokens).size).toBe(10);
  });

  // A turn that fails before its commit (engine error, crash) is tested where turns run: session-service.test.ts.

  it("should 404 a missing session, 409 a second create and refuse a malformed id", async () => {
    const sessions = new SessionStore(new MemoryObjectStore());
    await expect(sessions.load(TENANT, ID)).rejects.toBeInstanceOf(NotFoundError);
    await sessions.create(TENANT, ID, { settings, state: emptyMemoryState() });
    await expect(sessions.create(TENANT, ID, { settings, state: emptyMemoryState() })).rejects.toBeInstanceOf(ConflictError);
    await expect(sessions.load(TENANT, "../etc")).rejects.toThrow(/session ids look like/);
  });
});
