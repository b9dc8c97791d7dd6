/**
 * Pieces: `pieces/{shard}/{from}-{to}.jsonl`, one per scored candidate range. A header line (timing) comes first;
 * every other line is, byte for byte, the candidate's line in `results/scores.jsonl`.
 */
import type { NuggetsPieceHeader } from "../../../schemas/nuggets-jobs.js";
import { scoreLine } from "../score-line.js";
import type { NuggetsCandidateScore } from "../../../schemas/nuggets.js";
import type { ObjectStore } from "../../store/object-store.js";
import { jobKeys, parsePieceKey, shardRange, type Range } from "./job-keys.js";
import { coveredCount, mergeRanges } from "./ranges.js";

/** A stored piece as listing finds it. */
export interface PieceInfo {
  readonly key: string;
  readonly shard: number;
  readonly from: number;
  readonly to: number;
  readonly lastModified: Date;
}

/** Every piece of a job (or of one shard), in key order. */
export async function listPieces(store: ObjectStore, tenant: string, jobId: string, shard?: number): Promise<PieceInfo[]> {
  const keys = jobKeys(tenant, jobId);
  const prefix = shard === undefined ? keys.piecesPrefix : keys.shardPiecesPrefix(shard);
  const out: PieceInfo[] = [];
  for await (const info of store.list(prefix)) {
    const parsed = parsePieceKey(info.key);
    if (parsed && (shard === undefined || parsed.shard === shard)) out.push({ key: info.key, ...parsed, lastModified: info.lastModified });
  }
  return out;
}

/** Per shard: which candidates the pieces cover, merged. */
export function coverageByShard(pieces: readonly PieceInfo[]): Map<number, Range[]> {
  const byShard = new Map<number, Range[]>();
  for (const p of pieces) {
    const list = byShard.get(p.shard) ?? [];
    list.push({ from: p.from, to: p.to });
    byShard.set(p.shard, list);
  }
  for (const [shard, ranges] of byShard) byShard.set(shard, mergeRanges(ranges));
  return byShard;
}

/** Shards done, candidates covered, and whether every candidate of the job is covered. */
export function coverage(
  manifest: { shards: number; shardSize: number; candidates: number },
  pieces: readonly PieceInfo[],
): { shardsDone: number; candidatesScored: number; complete: boolean } {
  const byShard = coverageByShard(pieces);
  let shardsDone = 0;
  let candidatesScored = 0;
  for (let shard = 0; shard < manifest.shards; shard++) {
    const range = shardRange(shard, manifest.shardSize, manifest.candidates);
    const covered = coveredCount(range, byShard.get(shard) ?? []);
    candidatesScored += covered;
    if (covered === range.to - range.from) shardsDone++;
  }
  return { shardsDone, candidatesScored, complete: shardsDone === manifest.shards };
}

/** A stored line keeps the raw per-anchor sums; downloads strip them unless asked (`streamScores`). */
export const pieceLine = (record: NuggetsCandidateScore): string => scoreLine(record, { raw: true });

/** A piece's body: header, then one line per candidate. */
export function pieceBody(header: NuggetsPieceHeader, lines: readonly string[]): string {
  return `${JSON.stringify(header)}\n${lines.join("\n")}\n`;
}

/** Splits a piece's text into its header text and candidate lines. */
export function splitPiece(text: string): { header: string; lines: string[] } {
  const all = text.split("\n").filter((l) => l !== "");
  return { header: all[0] ?? "{}", lines: all.slice(1) };
}
