import type { NuggetsCandidateScore, NuggetsDecidedScore } from "../../schemas/nuggets.js";

/**
 * One candidate's line of `scores.jsonl`, the same wherever it is written (a job's results, `assay nuggets score`):
 * the index first, then the golden score, then the record's version and preset, and the raw per-anchor one-shot sums
 * last when `raw` (a reader that strips them cuts at a known place). Deterministic for a given record.
 *
 * @example
 * scoreLine(record, { raw: false });
 * // {"index":3,"status":"scored","goldenScore":0.45,"wins":9,"anchors":20,"goldenScoreRange":[0.4,0.5],"nearTies":[2,7],
 * //  "version":1,"preset":"paper","maxAnchorTokens":null}
 * // a select line (mode "select"):
 * // {"index":4,"status":"decided","decisions":{"0.8":"below"},"uncertain":[],"bounds":[0.1,0.7],"anchorsScored":8,
 * //  "anchors":20,"wins":2,"nearTies":[],"seed":0,"version":1,"preset":"paper","maxAnchorTokens":null}
 */
export function scoreLine(record: NuggetsCandidateScore | NuggetsDecidedScore, options: { raw: boolean }): string {
  const common = { version: record.version, preset: record.preset, maxAnchorTokens: record.maxAnchorTokens };
  if (record.status === "skipped") {
    return JSON.stringify({ index: record.index, status: record.status, anchors: record.anchors, reason: record.reason, ...common });
  }
  if (record.status === "decided") {
    // A select line: the verdicts first, then how far the scoring went; the golden score only when it went all the way.
    return JSON.stringify({
      index: record.index,
      status: record.status,
      decisions: record.decisions,
      uncertain: record.uncertain,
      bounds: record.bounds,
      anchorsScored: record.anchorsScored,
      anchors: record.anchors,
      wins: record.wins,
      ...(record.goldenScore !== undefined ? { goldenScore: record.goldenScore, goldenScoreRange: record.goldenScoreRange } : {}),
      nearTies: record.nearTies,
      seed: record.seed,
      ...common,
      ...(options.raw ? { oneShot: record.oneShot } : {}),
    });
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
