/**
 * RandomLLM (the paper's text; not in the authors' code): the sinks plus a seeded uniform sample of the other memory
 * tokens, in original order. Each turn's sample is drawn from (seed, turn number) alone, so a session needs no RNG
 * state: a decoded session draws exactly what an in-memory one would.
 */
import { mulberry32 } from "../../random/mulberry32.js";
import type { KeepSelector } from "./keep-selector.js";

/** murmur3's 32-bit finaliser: spreads nearby inputs (turn 7 and turn 8) over unrelated mulberry32 streams. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The mulberry32 seed of one turn's sample: the session's seed mixed with the 0-based number of the turn being
 * appended (its low and high 32-bit words, so no two turns of a realistic session share a stream).
 *
 * @example
 * randomTurnSeed(0, 3) !== randomTurnSeed(0, 4); // true
 */
export function randomTurnSeed(seed: number, turn: number): number {
  const high = Math.floor(turn / 2 ** 32) >>> 0;
  return fmix32((seed ^ fmix32((turn >>> 0) ^ fmix32(high + 0x9e3779b9))) >>> 0);
}

/**
 * room − sinkCount positions drawn uniformly without replacement from the non-sink positions (a partial Fisher–Yates
 * shuffle over mulberry32), plus the sinks, ascending.
 *
 * @example
 * selectRandom(context); // e.g. [0, 1, 2, 9, 14, 20]; the same for the same seed, turn and memory
 */
export const selectRandom: KeepSelector = ({ settings, state, room, sinkCount }) => {
  const next = mulberry32(randomTurnSeed(settings.seed, state.turnCount));
  const pool = Array.from({ length: state.indices.length - sinkCount }, (_, i) => sinkCount + i);
  const need = room - sinkCount;
  for (let i = 0; i < need; i++) {
    const j = i + Math.floor(next() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const sample = pool.slice(0, need).sort((a, b) => a - b);
  return [...Array.from({ length: sinkCount }, (_, p) => p), ...sample];
};
