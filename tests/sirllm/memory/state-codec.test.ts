/**
 * The persisted form of a session: exact round trips, a session that is stored and reloaded every turn behaving
 * exactly like one kept in memory, the size per kept token, and named errors for bytes it cannot read.
 */
import { describe, expect, it } from "vitest";
import { MEMORY_POLICY_NAMES, type MemoryPolicyName, type MemoryPolicySettings } from "../../../schemas/sirllm-memory.js";
import { mulberry32 } from "../../../shared/random/mulberry32.js";
import { appendTurn } from "../../../shared/sirllm/memory/append-turn.js";
import { MemoryStateDecodeError, type MemoryDecodeFailure } from "../../../shared/sirllm/memory/memory-errors.js";
import { emptyMemoryState, type MemoryState, type MemoryTurn } from "../../../shared/sirllm/memory/memory-state.js";
import {
  decodeMemorySession,
  encodeMemorySession,
  MEMORY_STATE_VERSION,
  type MemorySession,
} from "../../../shared/sirllm/memory/state-codec.js";

/** A chat-like session: turns of 20–60 tokens, ids below `vocabulary`, entropies roughly exponential (mean 2 nats). */
function syntheticTurns(count: number, vocabulary: number, seed: number, quantum = 0): MemoryTurn[] {
  const next = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const n = 20 + Math.floor(next() * 41);
    const tokens = Array.from({ length: n }, () => Math.floor(next() * vocabulary));
    // quantum > 0 rounds entropies to a coarse grid, so ties are common.
    const entropies = tokens.map(() => {
      const e = -Math.log(1 - next()) * 2;
      return quantum > 0 ? Math.round(e / quantum) * quantum : e;
    });
    return { tokens, entropies };
  });
}

function play(settings: MemoryPolicySettings, turns: readonly MemoryTurn[]): MemoryState {
  return turns.reduce<MemoryState>((state, turn) => appendTurn(settings, state, turn).state, emptyMemoryState());
}

const settingsFor = (policy: MemoryPolicyName, cacheSize = 1024, decay = 0.9): MemoryPolicySettings => ({
  policy,
  cacheSize,
  sinks: 4,
  decay,
  seed: 12345,
});

function decodeFailure(bytes: Uint8Array): MemoryDecodeFailure | "none" {
  try {
    decodeMemorySession(bytes);
    return "none";
  } catch (error) {
    if (error instanceof MemoryStateDecodeError) return error.reason;
    throw error;
  }
}

describe("memory state codec", () => {
  it("should round-trip an empty session", () => {
    const session = { settings: settingsFor("sirllm"), state: emptyMemoryState() };
    expect(decodeMemorySession(encodeMemorySession(session))).toEqual(session);
  });

  for (const policy of MEMORY_POLICY_NAMES) {
    it(`should round-trip a long ${policy} session exactly`, () => {
      const settings = settingsFor(policy, policy === "full" ? 100_000 : 1024);
      const session = { settings, state: play(settings, syntheticTurns(120, 32_000, 1)) };
      const decoded = decodeMemorySession(encodeMemorySession(session));
      expect(decoded).toEqual(session);
      decoded.state.entropies.forEach((e, i) => expect(Object.is(e, session.state.entropies[i])).toBe(true));
    });
  }

  it("should round-trip extreme values: 32-bit ids, the largest float32 entropy, huge counters", () => {
    const session: MemorySession = {
      settings: { policy: "random", cacheSize: 2 ** 40, sinks: 2 ** 40 - 1, decay: 0.1 + 0.2, seed: 2 ** 32 - 1 },
      state: {
        tokens: [0, 2 ** 32 - 1, 127, 128],
        entropies: [0, Math.fround(3.4e38), Math.fround(1e-45), Math.fround(Math.PI)],
        turns: [0, 0, 7, 2 ** 40],
        indices: [0, 1, 2 ** 45, 2 ** 50],
        turnCount: 2 ** 40 + 1,
        tokenCount: 2 ** 50 + 1,
        evictions: 2 ** 39,
      },
    };
    expect(decodeMemorySession(encodeMemorySession(session))).toEqual(session);
  });

  for (const [policy, decay] of [["sirllm", 0.7], ["sirllm", 1], ["random", 0.7], ["interval", 0.9], ["streaming", 0.5]] as const) {
    it(`should make a ${policy} session reloaded every turn (decay ${decay}) identical to one kept in memory`, () => {
      const settings = settingsFor(policy, 256, decay);
      // Coarse entropies: many ties, which must be decided the same way on reloaded float32 values.
      const turns = syntheticTurns(80, 32_000, 2, 0.25);
      let kept = emptyMemoryState();
      let stored = encodeMemorySession({ settings, state: emptyMemoryState() });
      for (const turn of turns) {
        const inMemory = appendTurn(settings, kept, turn);
        const reloaded = decodeMemorySession(stored);
        const resumed = appendTurn(reloaded.settings, reloaded.state, turn);
        expect(resumed).toEqual(inMemory);
        kept = inMemory.state;
        stored = encodeMemorySession({ settings: reloaded.settings, state: resumed.state });
      }
      expect(kept.evictions).toBeGreaterThan(30);
    });
  }

  it("should take at most 8 bytes per kept token on a long session", () => {
    const figures: string[] = [];
    for (const [policy, vocabulary] of [["sirllm", 32_000], ["streaming", 32_000], ["random", 32_000], ["interval", 32_000], ["sirllm", 151_936]] as const) {
      const settings = settingsFor(policy);
      const state = play(settings, syntheticTurns(400, vocabulary, 3));
      expect(state.indices).toHaveLength(1024);
      const bytes = encodeMemorySession({ settings, state }).length;
      const perToken = bytes / state.indices.length;
      figures.push(`${policy} (vocabulary ${vocabulary}): ${bytes} bytes for ${state.indices.length} tokens = ${perToken.toFixed(2)} bytes/token`);
      expect(perToken).toBeLessThanOrEqual(8);
    }
    console.log(`memory state size after 400 turns, cacheSize 1024:\n  ${figures.join("\n  ")}`);
  });

  it("should name a wrong magic, a wrong version, a cut or a padded encoding", () => {
    const settings = settingsFor("sirllm", 64);
    const bytes = encodeMemorySession({ settings, state: play(settings, syntheticTurns(5, 32_000, 4)) });
    expect(decodeFailure(bytes)).toBe("none");
    expect(decodeFailure(Uint8Array.from(bytes, (b, i) => (i === 0 ? 0x7b : b)))).toBe("magic");
    expect(decodeFailure(new TextEncoder().encode('{"turns":[]}'))).toBe("magic");
    expect(decodeFailure(Uint8Array.from(bytes, (b, i) => (i === 4 ? MEMORY_STATE_VERSION + 1 : b)))).toBe("version");
    for (const cut of [0, 2, 4, 5, 20, bytes.length - 1]) expect(decodeFailure(bytes.subarray(0, cut))).toBe("truncated");
    expect(decodeFailure(Uint8Array.of(...bytes, 0))).toBe("trailing");
  });

  it("should reject well-formed bytes that describe an impossible session", () => {
    const settings = settingsFor("sirllm", 8);
    const state = play(settings, [{ tokens: [1, 2, 3], entropies: [1, 2, 3] }]);
    const bad = (s: MemorySession) => decodeFailure(encodeMemorySession(s));
    expect(bad({ settings: { ...settings, sinks: 8 }, state })).toBe("invalid");
    expect(bad({ settings: { ...settings, cacheSize: 2, sinks: 1 }, state })).toBe("invalid"); // 3 tokens > cacheSize 2
    expect(bad({ settings, state: { ...state, tokenCount: 2 } })).toBe("invalid"); // index 2 of 2 streamed
    expect(bad({ settings, state: { ...state, turnCount: 0 } })).toBe("invalid"); // a token from turn 0 of 0
    expect(bad({ settings, state: { ...state, entropies: [1, Number.NaN, 3] } })).toBe("invalid");
    const policyByte = encodeMemorySession({ settings, state });
    expect(decodeFailure(Uint8Array.from(policyByte, (b, i) => (i === 5 ? 99 : b)))).toBe("invalid");
    try {
      decodeMemorySession(Uint8Array.of(1, 2, 3, 4, 5));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MemoryStateDecodeError);
      expect((error as Error).message).toMatch(/^cannot decode SirLLM memory: these bytes are not a SirLLM memory state/);
      expect((error as MemoryStateDecodeError).status).toBe(400);
    }
  });

  it("should refuse to encode memory whose indices do not increase", () => {
    const settings = settingsFor("sirllm", 8);
    const state = play(settings, [{ tokens: [1, 2], entropies: [1, 2] }]);
    expect(() => encodeMemorySession({ settings, state: { ...state, indices: [1, 0] } })).toThrow("indices must strictly increase");
  });
});
