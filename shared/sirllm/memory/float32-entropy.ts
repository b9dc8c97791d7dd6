/**
 * Entropies are stored as float32: the persisted state (`state-codec.ts`) has 4 bytes per entropy, so memory rounds
 * every value to float32 when it enters and after every decay. A session that is encoded and decoded between turns
 * then sees exactly the numbers an in-memory session sees, and ranking ties are decided on those stored values.
 */

/**
 * The float32 value memory stores for an entropy. −0 becomes 0 so that equal entropies are equal bit for bit.
 *
 * @example
 * storedEntropy(1.0000000001); // 1: the same stored value as 1, so the two tie and the older token wins
 */
export function storedEntropy(entropy: number): number {
  return Math.fround(entropy) + 0;
}

/**
 * Every stored entropy multiplied by `decay` and rounded back to float32, as the next turn's state holds it. The
 * product is taken in float64 with the exact `decay` setting (stored as float64), then rounded once.
 *
 * @example
 * decayEntropies([2, 4], 0.5); // [1, 2]
 */
export function decayEntropies(entropies: readonly number[], decay: number): number[] {
  if (decay === 1) return [...entropies];
  return entropies.map((e) => Math.fround(e * decay));
}
