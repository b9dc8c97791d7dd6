/**
 * The shared last step of every eviction policy: fill the room left with the most recent tokens not kept yet, so the
 * cache is fully used (the authors' "make the full use of the cache" loop).
 */

/**
 * `chosen` plus the most recent positions of 0..length−1 not in it, until `room` are kept; ascending. Assumes
 * chosen.size ≤ room ≤ length.
 *
 * @example
 * refillWithRecent(new Set([0, 1, 4]), 6, 4); // [0, 1, 4, 5]
 */
export function refillWithRecent(chosen: ReadonlySet<number>, length: number, room: number): number[] {
  const kept = new Set(chosen);
  for (let p = length - 1; p >= 0 && kept.size < room; p--) kept.add(p);
  return [...kept].sort((a, b) => a - b);
}
