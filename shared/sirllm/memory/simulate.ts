/**
 * A whole session under one policy with no model: each turn is only its tokens' entropies. What `assay sirllm
 * simulate` prints, and the quickest way to compare policies on recorded entropies.
 */
import type { MemoryPolicySettings } from "../../../schemas/sirllm-memory.js";
import { appendTurn } from "./append-turn.js";
import { emptyMemoryState } from "./memory-state.js";

/** Token id given to every simulated token: the policies never look at ids. */
export const PLACEHOLDER_TOKEN_ID = 0;

/**
 * For each turn, the stream indices of the tokens in memory after that turn was appended. A refused turn throws
 * (MemoryTurnRefusedError, naming the turn).
 *
 * @example
 * simulateMemory({ policy: "sirllm", cacheSize: 8, sinks: 2, decay: 1, seed: 0 }, [[1, 1, 5, 2, 0.5], [3, 3, 3], [1, 1]]);
 * // [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 5, 6, 7, 8, 9]]
 */
export function simulateMemory(settings: MemoryPolicySettings, turns: readonly (readonly number[])[]): number[][] {
  let state = emptyMemoryState();
  return turns.map((entropies) => {
    state = appendTurn(settings, state, { tokens: entropies.map(() => PLACEHOLDER_TOKEN_ID), entropies }).state;
    return [...state.indices];
  });
}
