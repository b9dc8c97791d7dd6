import type { NuggetsCandidateScore } from "../../schemas/nuggets.js";

/**
 * One candidate's line of `scores.jsonl`, the same wherever it is written (a job's results, `assay nuggets score`):
 * the index first, then the golden score, then the record's version and preset, and the raw per-anchor one-shot sums
 * last when `raw` (a reader that strips them cuts at a known place). Deterministic for a given record.
 *
 * @example
 * scoreLine(record, { raw: false });
 * // {"index":3,"status":"scored","goldenScore":0.45,"wins":9,"anchors":20,"goldenScoreRange":[0.4,0.5],"nearTies":[2,7],
 * //  "version":1,"preset":"paper","maxAnchorTokens":null}
 */
export function scoreLine(record: NuggetsCandidateScore, options: { raw: boolean }): string {
  const common = { version: record.version, preset: record.preset, maxAnchorTokens: record.maxAnchorTokens };
  if (record.status === "skipped") {
    return JSON.stringify({ index: record.index, status: record.status, anchors: record.anchors, reason: record.reason, ...common });
  }
  return JSON.stringify({
    index: record.index,
    status: record.status,
    goldenScore: record.goldenScore,
    wins: record.wins,
    anchors: record.anchors,
    goldenScoreRange: record.goldenScoreRange,
    nearTies: record.nearTies,
    ...common,
    ...(options.raw ? { oneShot: record.oneShot } : {}),
  });
}
