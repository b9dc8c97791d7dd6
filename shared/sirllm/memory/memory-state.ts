/**
 * The memory of one SirLLM session (REFERENCE.md §2): parallel arrays, one entry per token in memory, in the order the
 * tokens entered it, plus the counters a policy needs so that a session carries no hidden state (no RNG, no clock).
 */

/**
 * Memory after some turns. Position p (0..length−1) is a token's place in memory, which is also its position for the
 * model (StreamingLLM-style re-rotation); `indices[p]` is its place in the session's whole token stream.
 *
 * Invariants: all four arrays have the same length, at most the policy's cacheSize; `indices` strictly increase;
 * `turns` never decrease; `entropies` are float32 values (see `float32-entropy.ts`), finite and ≥ 0.
 */
export interface MemoryState {
  /** Token ids (unsigned 32-bit integers). */
  readonly tokens: readonly number[];
  /** Each token's entropy −log p, decayed once per turn since it entered memory, as a float32 value. */
  readonly entropies: readonly number[];
  /** The 0-based turn each token came from. */
  readonly turns: readonly number[];
  /** Each token's 0-based index over the session's whole token stream. */
  readonly indices: readonly number[];
  /** Turns appended so far; the next turn's number. */
  readonly turnCount: number;
  /** Tokens streamed so far; the next token's index. Tokens evicted so far = tokenCount − length. */
  readonly tokenCount: number;
  /** Eviction steps so far (turns before which something was evicted). */
  readonly evictions: number;
}

/** One turn as it enters memory: its token ids and their entropies, in order (the model's own answer included). */
export interface MemoryTurn {
  readonly tokens: readonly number[];
  readonly entropies: readonly number[];
}

/**
 * A new session's memory.
 *
 * @example
 * appendTurn(settings, emptyMemoryState(), { tokens: [1, 2], entropies: [3.2, 0.4] });
 */
export function emptyMemoryState(): MemoryState {
  return { tokens: [], entropies: [], turns: [], indices: [], turnCount: 0, tokenCount: 0, evictions: 0 };
}

/**
 * How many of the session's first `sinks` tokens are in memory. Every eviction policy keeps them, and memory is in
 * stream order, so they are its first positions; counting them (rather than assuming min(sinks, length)) keeps a
 * hand-built state honest.
 */
export function sinksInMemory(state: MemoryState, sinks: number): number {
  let n = 0;
  while (n < state.indices.length && state.indices[n]! < sinks) n++;
  return n;
}
