/**
 * One turn of a SirLLM session, the same for every policy (REFERENCE.md §2): evict once, before the turn, only if
 * memory + turn > cacheSize; then decay every stored entropy (every turn, evicted or not); then append the turn with
 * its entropies undecayed. Pure: the state given is never mutated.
 */
import { ValidationError } from "../../errors.js";
import type { MemoryPolicySettings } from "../../../schemas/sirllm-memory.js";
import { decayEntropies, storedEntropy } from "./float32-entropy.js";
import { MemoryTurnRefusedError } from "./memory-errors.js";
import { KEEP_SELECTORS } from "./memory-policies.js";
import { sinksInMemory, type MemoryState, type MemoryTurn } from "./memory-state.js";
import { parseMemoryPolicySettings } from "./policy-settings.js";
import { evictedRanges, type PositionRange } from "./position-ranges.js";

/** A turn's outcome: the new memory, and what the eviction step before the turn removed. */
export interface AppendTurnResult {
  readonly state: MemoryState;
  /** Positions of the old memory removed before the turn, ascending; empty when nothing was evicted. */
  readonly evicted: readonly PositionRange[];
}

/**
 * Appends one turn under `settings`. A turn that cannot fit even after eviction throws {@link MemoryTurnRefusedError};
 * bad settings or a bad turn (lengths differ, a token id that is not a uint32, an entropy that is negative, not
 * finite or overflows float32) throw a ValidationError. In both cases nothing changes.
 *
 * @example
 * const settings = { policy: "sirllm", cacheSize: 8, sinks: 2, decay: 1, seed: 0 } as const;
 * let { state } = appendTurn(settings, emptyMemoryState(), { tokens: [0, 0, 0, 0, 0], entropies: [1, 1, 5, 2, 0.5] });
 * ({ state } = appendTurn(settings, state, { tokens: [0, 0, 0], entropies: [3, 3, 3] })); // 8 = cacheSize: no eviction
 * const r = appendTurn(settings, state, { tokens: [0, 0], entropies: [1, 1] });
 * r.state.indices; // [0, 1, 2, 5, 6, 7, 8, 9]
 * r.evicted; // [{ start: 3, end: 5 }]
 */
export function appendTurn(
  settings: MemoryPolicySettings,
  state: MemoryState,
  turn: MemoryTurn,
  options: AppendTurnOptions = {},
): AppendTurnResult {
  const entropies = checkTurn(state.turnCount, turn);
  const planned = options.plannedLength ?? entropies.length;
  if (!Number.isInteger(planned) || planned < entropies.length) {
    throw new ValidationError(`turn ${state.turnCount} has ${entropies.length} tokens, more than the ${planned} its eviction made room for`);
  }
  const checked = parseMemoryPolicySettings(settings);
  const { state: kept, evicted } = evictBeforeTurn(checked, state, planned);
  const first = kept.tokenCount;
  return {
    state: {
      tokens: [...kept.tokens, ...turn.tokens],
      entropies: [...decayEntropies(kept.entropies, checked.decay), ...entropies],
      turns: [...kept.turns, ...entropies.map(() => state.turnCount)],
      indices: [...kept.indices, ...entropies.map((_, i) => first + i)],
      turnCount: state.turnCount + 1,
      tokenCount: first + entropies.length,
      evictions: kept.evictions,
    },
    evicted,
  };
}

/** Options of {@link appendTurn}. */
export interface AppendTurnOptions {
  /**
   * The length the eviction step makes room for, when it is fixed before the turn's length is known: a chat turn is
   * the user's tokens plus a reply of up to `maxTokens`, so room is made for both (as the authors' and StreamingLLM's
   * `space_needed = seq_len + max_gen_len`) and the shorter actual turn is appended. Default: the turn's length.
   */
  readonly plannedLength?: number;
}

/**
 * The eviction step alone, before a turn of `plannedLength` tokens: the memory the turn is computed on (not yet
 * decayed: decay follows the step, and a turn's entropies never read stored ones) and the positions it removed.
 * {@link appendTurn} takes the same step, so a runner that computes a turn on this memory and then appends it stores
 * exactly what it computed on. Throws {@link MemoryTurnRefusedError} when the turn cannot fit.
 */
export function evictBeforeTurn(settings: MemoryPolicySettings, state: MemoryState, plannedLength: number): AppendTurnResult {
  const checked = parseMemoryPolicySettings(settings);
  const { policy, cacheSize, sinks } = checked;
  const memoryLength = state.indices.length;
  if (memoryLength + plannedLength <= cacheSize) return { state, evicted: [] };
  const select = KEEP_SELECTORS[policy];
  const sinkCount = select ? sinksInMemory(state, sinks) : 0;
  const room = cacheSize - plannedLength;
  if (!select || room < sinkCount) {
    throw new MemoryTurnRefusedError({ policy, turn: state.turnCount, turnLength: plannedLength, memoryLength, cacheSize, sinksKept: sinkCount });
  }
  const positions = select({ settings: checked, state, turnLength: plannedLength, room, sinkCount });
  checkSelection(policy, positions, room, sinkCount, memoryLength);
  return { state: keepPositions(state, positions), evicted: evictedRanges(memoryLength, positions) };
}

/** The state holding only `positions` (ascending), with one more eviction counted. */
function keepPositions(state: MemoryState, positions: readonly number[]): MemoryState {
  return {
    tokens: positions.map((p) => state.tokens[p]!),
    entropies: positions.map((p) => state.entropies[p]!),
    turns: positions.map((p) => state.turns[p]!),
    indices: positions.map((p) => state.indices[p]!),
    turnCount: state.turnCount,
    tokenCount: state.tokenCount,
    evictions: state.evictions + 1,
  };
}

/** The turn's entropies as stored (float32), after checking the turn; problems name the turn and the position. */
function checkTurn(turnNumber: number, turn: MemoryTurn): number[] {
  const problems: string[] = [];
  if (turn.tokens.length !== turn.entropies.length) {
    problems.push(`${turn.tokens.length} token ids but ${turn.entropies.length} entropies`);
  }
  turn.tokens.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t > 0xffffffff) problems.push(`token ${i}: id ${t} is not an unsigned 32-bit integer`);
  });
  turn.entropies.forEach((e, i) => {
    if (typeof e !== "number" || Number.isNaN(e)) problems.push(`token ${i}: entropy ${e} is not a number`);
    else if (e < 0) problems.push(`token ${i}: entropy ${e} is negative (entropies are −log p, so ≥ 0)`);
    else if (!Number.isFinite(Math.fround(e))) problems.push(`token ${i}: entropy ${e} is not finite in float32`);
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join("; ") + (problems.length > 5 ? `; … and ${problems.length - 5} more` : "");
    throw new ValidationError(`turn ${turnNumber} is malformed: ${shown}`, { turn: turnNumber, problems });
  }
  return turn.entropies.map(storedEntropy);
}

/** A selector that breaks its contract is a bug in assay, not bad input: fail loudly rather than corrupt memory. */
function checkSelection(policy: string, positions: readonly number[], room: number, sinkCount: number, length: number): void {
  const ascending = positions.every((p, i) => Number.isInteger(p) && p >= 0 && p < length && (i === 0 || p > positions[i - 1]!));
  const sinksKept = positions.slice(0, sinkCount).every((p, i) => p === i);
  if (positions.length !== room || !ascending || !sinksKept) {
    throw new Error(`memory policy "${policy}" kept ${positions.length} positions, expected ${room} ascending with the ${sinkCount} sinks first`);
  }
}
