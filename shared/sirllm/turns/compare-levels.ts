/**
 * Measures what the memory level changes: the same turns, on the same memory (the same kept indices, because the
 * eviction step is computed once from the `kv` run's entropies), scored by a `kv` driver and a `token` driver side by
 * side. Before the first eviction both condition on identical token sequences, so their entropies agree within the
 * engine's numeric tolerance; after it, `kv`'s kept tokens still carry what they computed with evicted tokens, and the
 * difference is the memory level's effect alone. Used by a test and by `npm run bench:sirllm`.
 */
import { appendTurn, evictBeforeTurn } from "../memory/append-turn.js";
import type { MemoryPolicySettings } from "../../../schemas/sirllm-memory.js";
import { emptyMemoryState, type MemoryState } from "../memory/memory-state.js";
import type { MemoryDriver } from "./memory-driver.js";
import { turnEntropies, type EntropyPreset } from "./turn-entropies.js";

/** One turn of the comparison. */
export interface LevelComparisonTurn {
  readonly turn: number;
  /** Whether any eviction step has happened at or before this turn. */
  readonly afterEviction: boolean;
  readonly tokens: number;
  /** Largest and mean |entropy(kv) − entropy(token)| over the turn's tokens, in nats. */
  readonly maxAbsDiff: number;
  readonly meanAbsDiff: number;
  /** Milliseconds each driver spent on the turn. */
  readonly kvMs: number;
  readonly tokenMs: number;
}

/**
 * Feeds each of `turns` (token ids) through both drivers on the same memory; memory advances with the `kv` entropies.
 *
 * @example
 * const rows = await compareLevels(sequenceDriver(e, "kv"), sequenceDriver(e, "token"), settings, "paper", turns);
 */
export async function compareLevels(
  kv: MemoryDriver,
  token: MemoryDriver,
  settings: MemoryPolicySettings,
  preset: EntropyPreset,
  turns: readonly (readonly number[])[],
  owner = "compare-levels",
): Promise<LevelComparisonTurn[]> {
  let state: MemoryState = emptyMemoryState();
  const rows: LevelComparisonTurn[] = [];
  for (const [i, tokens] of turns.entries()) {
    const { evicted } = evictBeforeTurn(settings, state, tokens.length);
    const memory = { owner, before: state.tokens, evicted };
    let t0 = performance.now();
    const viaKv = turnEntropies(preset, await kv.turn(memory, (w) => w.feed(tokens)));
    const kvMs = performance.now() - t0;
    t0 = performance.now();
    const viaToken = turnEntropies(preset, await token.turn(memory, (w) => w.feed(tokens)));
    const tokenMs = performance.now() - t0;
    const diffs = viaKv.map((e, k) => Math.abs(e - viaToken[k]!));
    state = appendTurn(settings, state, { tokens, entropies: viaKv }).state;
    rows.push({
      turn: i,
      afterEviction: state.evictions > 0,
      tokens: tokens.length,
      maxAbsDiff: Math.max(0, ...diffs),
      meanAbsDiff: diffs.length === 0 ? 0 : diffs.reduce((a, b) => a + b, 0) / diffs.length,
      kvMs,
      tokenMs,
    });
  }
  return rows;
}
