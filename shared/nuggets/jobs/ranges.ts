/**
 * Candidate ranges [from, to): which candidates stored pieces cover. Pieces may overlap (two workers raced on a
 * redelivered shard), so coverage is a union, never a sum.
 */
import type { Range } from "./job-keys.js";

/** Sorted, disjoint, non-adjacent ranges covering the same candidates as `ranges`. */
export function mergeRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter((r) => r.to > r.from).sort((a, b) => a.from - b.from || a.to - b.to);
  const out: { from: number; to: number }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
    else out.push({ from: r.from, to: r.to });
  }
  return out;
}

/**
 * The parts of `range` that `covered` leaves out, in order.
 *
 * @example
 * uncoveredRanges({ from: 0, to: 10 }, [{ from: 2, to: 4 }]); // [{0,2}, {4,10}]
 */
export function uncoveredRanges(range: Range, covered: readonly Range[]): Range[] {
  const out: Range[] = [];
  let at = range.from;
  for (const c of mergeRanges(covered)) {
    if (c.to <= at) continue;
    if (c.from >= range.to) break;
    if (c.from > at) out.push({ from: at, to: Math.min(c.from, range.to) });
    at = Math.max(at, c.to);
    if (at >= range.to) break;
  }
  if (at < range.to) out.push({ from: at, to: range.to });
  return out;
}

/** How many candidates of `range` the ranges cover. */
export function coveredCount(range: Range, covered: readonly Range[]): number {
  const missing = uncoveredRanges(range, covered).reduce((n, r) => n + (r.to - r.from), 0);
  return range.to - range.from - missing;
}
