/**
 * SirLLM's eviction (REFERENCE.md §2, the authors' `evict_for_space_token_entropy` with recent = 0): the top-k tokens
 * by stored entropy, plus the sinks, refilled with the most recent tokens up to the room left.
 */
import type { KeepSelector } from "./keep-selector.js";
import { refillWithRecent } from "./refill-recent.js";

/**
 * Memory positions ranked by stored entropy, highest first; equal values keep the older (lower) position first, as
 * Python's stable `sorted(..., reverse=True)` does in the authors' code.
 *
 * @example
 * rankByEntropy([1, 2, 2, 0]); // [1, 2, 0, 3]
 */
export function rankByEntropy(entropies: readonly number[]): number[] {
  return entropies.map((_, p) => p).sort((a, b) => entropies[b]! - entropies[a]! || a - b);
}

/**
 * k = cacheSize − sinks − len(turn) (none when that is negative) highest-entropy positions; the sinks are added after
 * ranking, so a sink in the top k is counted once and leaves a place for the refill.
 *
 * @example
 * // cacheSize 8, sinks 2, entropies [1, 1, 5, 2, 0.5, 3, 3, 3], turn of 2: k = 4 → {2, 5, 6, 7} ∪ {0, 1}
 * selectByEntropy(context); // [0, 1, 2, 5, 6, 7]
 */
export const selectByEntropy: KeepSelector = ({ settings, state, turnLength, room, sinkCount }) => {
  const k = Math.max(0, settings.cacheSize - settings.sinks - turnLength);
  const chosen = new Set(rankByEntropy(state.entropies).slice(0, k));
  for (let p = 0; p < sinkCount; p++) chosen.add(p);
  return refillWithRecent(chosen, state.entropies.length, room);
};
