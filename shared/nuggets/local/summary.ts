/** The one-line summary `assay nuggets score` prints to stderr when it finishes. */
import { formatDuration, type ScoringProgress } from "./progress.js";

/**
 * Mean golden score over the scored candidates, or null when none was scored.
 *
 * @example meanGoldenScore([0.5, 0.25]) // 0.375
 */
export function meanGoldenScore(scores: readonly number[]): number | null {
  if (scores.length === 0) return null;
  return scores.reduce((a, b) => a + b, 0) / scores.length;
}

/**
 * @example
 * summaryLine(progress, 0.42); // "scored 38, skipped 2, mean GS 0.4200, 41.3 s, 18.4 pairs/s"
 */
export function summaryLine(progress: ScoringProgress, meanGs: number | null): string {
  const mean = meanGs === null ? "n/a" : meanGs.toFixed(4);
  return (
    `scored ${progress.scored}, skipped ${progress.skipped}, mean GS ${mean}, ` +
    `${formatDuration(progress.elapsedMs)}, ${progress.pairsPerSecond.toFixed(1)} pairs/s`
  );
}
