/**
 * What an eviction step removed, as ranges of memory positions, so a KV-cache level can erase those ranges and shift
 * the positions after them (the authors re-rotate all cached keys every step).
 */

/** Memory positions [start, end) as they were before the eviction step. */
export interface PositionRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The complement of `kept` (ascending memory positions) in 0..length−1, as maximal ranges in ascending order.
 *
 * @example
 * evictedRanges(8, [0, 1, 2, 5, 6, 7]); // [{ start: 3, end: 5 }]
 */
export function evictedRanges(length: number, kept: readonly number[]): PositionRange[] {
  const ranges: PositionRange[] = [];
  let next = 0;
  for (const p of [...kept, length]) {
    if (p > next) ranges.push({ start: next, end: p });
    next = p + 1;
  }
  return ranges;
}
