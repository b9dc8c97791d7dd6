/**
 * Pieces: `pieces/{shard}/{from}-{to}.jsonl`, one per processed unit range. A header line ({@link PieceHeader})
 * comes first; every other line is, byte for byte, the unit's line in the results file, unit `from + k` on line k.
 * Pieces are written create-once; ranges of two pieces may overlap (two workers raced on a redelivered shard), so
 * coverage is a union and readers pick a cover, never a sum.
 */
import { PieceHeaderSchema, type PieceHeader } from "../../schemas/jobs.js";
import type { ObjectStore } from "../store/object-store.js";
import { parseJson } from "../store/json-codec.js";
import { jobKeys, parsePieceKey, type Range } from "./job-keys.js";

/** A stored piece as listing finds it. */
export interface PieceInfo {
  readonly key: string;
  readonly shard: number;
  readonly from: number;
  readonly to: number;
  readonly lastModified: Date;
}

/** The pieces of one shard (or of the whole job), in key order, which is (shard, from, to) order. */
export async function listPieces(store: ObjectStore, tenant: string, jobId: string, shard?: number): Promise<PieceInfo[]> {
  const keys = jobKeys(tenant, jobId);
  const out: PieceInfo[] = [];
  for await (const info of store.list(shard === undefined ? keys.piecesPrefix : keys.shardPiecesPrefix(shard))) {
    const parsed = parsePieceKey(info.key);
    if (parsed) out.push({ key: info.key, ...parsed, lastModified: info.lastModified });
  }
  return out;
}

/** A piece's body: header, then one line per unit. */
export function pieceBody(header: PieceHeader, lines: readonly string[]): string {
  return `${JSON.stringify(header)}\n${lines.join("\n")}\n`;
}

/** Reads only a piece's header line (the piece itself may be megabytes). */
export async function readPieceHeader(store: ObjectStore, key: string): Promise<PieceHeader> {
  for await (const line of store.lines(key)) return parseJson(key, line, PieceHeaderSchema);
  return parseJson(key, "", PieceHeaderSchema);
}

/** Sorted, disjoint, non-adjacent ranges covering the same units as `ranges`. */
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

/** One piece of a cover: read `key`, skip its first `skip` unit lines, use the rest up to `to`. */
export interface CoverPart {
  readonly key: string;
  readonly from: number;
  readonly to: number;
  readonly skip: number;
}

/**
 * A cover of `range` by pieces, in unit order: at each point the piece reaching furthest is taken, so every unit
 * comes from exactly one piece. Units no piece holds are left out (the cover of a stopped job is partial).
 */
export function coverOf(range: Range, pieces: readonly Pick<PieceInfo, "key" | "from" | "to">[]): CoverPart[] {
  const sorted = [...pieces].sort((a, b) => a.from - b.from || b.to - a.to);
  const out: CoverPart[] = [];
  let at = range.from;
  let i = 0;
  while (at < range.to) {
    let best: (typeof sorted)[number] | null = null;
    while (i < sorted.length && sorted[i]!.from <= at) {
      if (sorted[i]!.to > at && (!best || sorted[i]!.to > best.to)) best = sorted[i]!;
      i++;
    }
    if (best) {
      const to = Math.min(best.to, range.to);
      out.push({ key: best.key, from: at, to, skip: at - best.from });
      at = to;
      continue;
    }
    // A gap: jump to the next piece that starts after `at`.
    const next = sorted[i];
    if (!next || next.from >= range.to) break;
    at = next.from;
  }
  return out;
}
