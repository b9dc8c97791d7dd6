/**
 * The one thing an eviction policy decides: which memory positions to keep before a turn is appended. Everything
 * else (when to evict, refusals, decay, appending) is the same for every policy and lives in `append-turn.ts`.
 */
import type { MemoryPolicySettings } from "../../../schemas/sirllm-memory.js";
import type { MemoryState } from "./memory-state.js";

/** What a policy sees at an eviction step. */
export interface KeepContext {
  readonly settings: MemoryPolicySettings;
  /** Memory before the turn; eviction only runs when it is longer than `room`. */
  readonly state: MemoryState;
  /** Tokens in the incoming turn. */
  readonly turnLength: number;
  /** How many tokens stay: cacheSize − turnLength. */
  readonly room: number;
  /** Memory positions 0..sinkCount−1 hold the session's first tokens and must stay; sinkCount ≤ room. */
  readonly sinkCount: number;
}

/**
 * Chooses the positions to keep: exactly `room` of them, ascending (memory keeps the original order), positions
 * 0..sinkCount−1 included. Pure: the same context gives the same answer.
 */
export type KeepSelector = (context: KeepContext) => number[];
