/**
 * Progress of an in-process scoring run: candidates done of total, pairs scored per second and the time left. Pure
 * arithmetic over counts and a clock reading, so the CLI's bar and its plain lines show the same numbers.
 */

/** A snapshot handed to `onProgress` after each candidate. */
export interface ScoringProgress {
  /** Candidates finished (scored or skipped). */
  readonly done: number;
  readonly total: number;
  readonly scored: number;
  readonly skipped: number;
  /** (candidate, anchor) pairs actually sent to the engine so far. */
  readonly pairs: number;
  readonly elapsedMs: number;
  /** Pairs per second so far; 0 before the first pair. */
  readonly pairsPerSecond: number;
  /** Estimated milliseconds left, or null until a candidate has been scored. */
  readonly etaMs: number | null;
}

/**
 * The snapshot for the counts so far. The ETA extrapolates the time per finished candidate, which skipped ones (no
 * engine call) pull down; that is the honest estimate when skips are spread through the dataset.
 *
 * @example
 * progressSnapshot({ done: 10, total: 40, scored: 10, skipped: 0, pairs: 200, elapsedMs: 4000 });
 * // { ..., pairsPerSecond: 50, etaMs: 12000 }
 */
export function progressSnapshot(counts: {
  done: number;
  total: number;
  scored: number;
  skipped: number;
  pairs: number;
  elapsedMs: number;
}): ScoringProgress {
  const { done, total, pairs, elapsedMs } = counts;
  const seconds = elapsedMs / 1000;
  const pairsPerSecond = seconds > 0 ? pairs / seconds : 0;
  const etaMs = done > 0 && counts.scored > 0 ? Math.round((elapsedMs / done) * (total - done)) : null;
  return { ...counts, pairsPerSecond, etaMs };
}

/** `12.3 s`, `4 m 05 s`, `1 h 02 m` — short enough for a progress bar. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "?";
  const s = Math.max(0, Math.round(ms / 100) / 10);
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} m ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")} m`;
}
