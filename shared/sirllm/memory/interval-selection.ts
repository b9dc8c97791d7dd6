/**
 * IntervalLLM (the paper's text; not in the authors' code): the sinks plus tokens sampled at a fixed stride,
 * interval = ⌊history token length / cacheSize⌋, "until the cache size is fully used".
 *
 * The paper leaves three things open; assay's definitions:
 * - history = every token of the session up to and including the incoming turn (tokenCount + len(turn)): the length
 *   of the stream the cache stands in for once the turn is in. Eviction only runs when memory + turn > cacheSize, and
 *   memory ≤ tokenCount, so history > cacheSize there and the stride is ≥ 1.
 * - a memory token qualifies when its stream index i satisfies (i − sinks) mod stride = 0: strides are anchored at the
 *   first token after the sinks, on stream indices rather than memory positions, so which tokens qualify does not
 *   depend on what was evicted earlier, and a token on a stride that the next (longer) stride also hits stays.
 * - exactly the room is used: if more qualify than fit, the most recent qualifying ones are kept; if fewer, the rest
 *   is refilled with the most recent tokens, like every other policy.
 */
import type { KeepSelector } from "./keep-selector.js";
import { refillWithRecent } from "./refill-recent.js";

/**
 * The stride at an eviction step.
 *
 * @example
 * intervalStride(28, 4, 8); // ⌊32 / 8⌋ = 4
 */
export function intervalStride(tokenCount: number, turnLength: number, cacheSize: number): number {
  return Math.max(1, Math.floor((tokenCount + turnLength) / cacheSize));
}

/**
 * @example
 * // cacheSize 8, sinks 1, memory holds stream indices [0, 16, 19, 22, 24, 25, 26, 27], a turn of 4 (history 32,
 * // stride 4): 25 qualifies, 27 and 26 refill
 * selectInterval(context); // positions of [0, 25, 26, 27]
 */
export const selectInterval: KeepSelector = ({ settings, state, turnLength, room, sinkCount }) => {
  const stride = intervalStride(state.tokenCount, turnLength, settings.cacheSize);
  const chosen = new Set(Array.from({ length: sinkCount }, (_, p) => p));
  const need = room - sinkCount;
  let taken = 0;
  for (let p = state.indices.length - 1; p >= sinkCount && taken < need; p--) {
    if ((state.indices[p]! - settings.sinks) % stride === 0) {
      chosen.add(p);
      taken++;
    }
  }
  return refillWithRecent(chosen, state.indices.length, room);
};
