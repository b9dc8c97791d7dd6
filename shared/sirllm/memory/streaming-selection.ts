/**
 * StreamingLLM, the baseline in the authors' code: the sinks and the most recent tokens.
 */
import type { KeepSelector } from "./keep-selector.js";
import { refillWithRecent } from "./refill-recent.js";

/**
 * @example
 * // 7 tokens in memory, 2 sinks, room 4
 * selectRecent(context); // [0, 1, 5, 6]
 */
export const selectRecent: KeepSelector = ({ state, room, sinkCount }) =>
  refillWithRecent(new Set(Array.from({ length: sinkCount }, (_, p) => p)), state.indices.length, room);
