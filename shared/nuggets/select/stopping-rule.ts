/**
 * Exact early stopping for golden-score thresholds (pure). A candidate's membership of the subset GS > t is often
 * settled long before every anchor is scored: with m anchors, `a` clear wins so far and `r` anchors not yet scored,
 * it is certainly in once a/m > t (wins only grow), and certainly out once (a + r)/m ≤ t (GS > t is strict).
 *
 * Comparisons are made the way the exhaustive subset is (`wins / m > t`, one float division each side), so a verdict
 * can never disagree with the exhaustive run's over a rounding of t·m: division by m is monotone in floating point.
 *
 * Near ties (one-shot and zero-shot sums within the log-prob tolerance) are treated conservatively: a near tie counts
 * as a loss towards "above" and as a win towards "below", so a verdict reached early holds whichever way a near tie
 * would be decided on another CPU or batch split. When every anchor is scored and near ties still straddle t, the
 * strict comparison (the exhaustive golden score's) decides and the verdict is flagged uncertain.
 */

/** A threshold's verdict: the candidate's golden score is certainly above t (GS > t), or certainly not. */
export type ThresholdVerdict = "above" | "below";

/** What has been learnt about one candidate so far. */
export interface SelectTally {
  /** Anchors in the set (m). */
  readonly anchors: number;
  /** Anchors compared so far. */
  readonly resolved: number;
  /** Resolved anchors whose one-shot sum beats the zero-shot sum by more than the tolerance. */
  readonly clearWins: number;
  /** Resolved anchors within the tolerance (each may be a strict win or a strict loss). */
  readonly nearTies: number;
  /** Resolved anchors with one-shot > zero-shot, strictly (what the exhaustive golden score counts). */
  readonly strictWins: number;
}

/** A threshold's state: undecided, or decided (uncertain when only the strict fallback decided it). */
export type ThresholdState = { readonly verdict: null } | { readonly verdict: ThresholdVerdict; readonly uncertain: boolean };

function checkTally(t: SelectTally): void {
  const { anchors, resolved, clearWins, nearTies, strictWins } = t;
  const ints = [anchors, resolved, clearWins, nearTies, strictWins].every((n) => Number.isInteger(n) && n >= 0);
  if (!ints || anchors < 1 || resolved > anchors || clearWins + nearTies > resolved || strictWins < clearWins || strictWins > clearWins + nearTies) {
    throw new RangeError(`inconsistent tally ${JSON.stringify(t)}`);
  }
}

/**
 * The verdict for GS > `threshold` given what is known.
 *
 * @example
 * decideThreshold(0.8, { anchors: 20, resolved: 17, clearWins: 17, nearTies: 0, strictWins: 17 }); // above: 17/20 > 0.8
 * decideThreshold(0.8, { anchors: 20, resolved: 4, clearWins: 0, nearTies: 0, strictWins: 0 });    // below: (0+16)/20 ≤ 0.8
 * decideThreshold(0.8, { anchors: 20, resolved: 3, clearWins: 0, nearTies: 0, strictWins: 0 });    // undecided
 */
export function decideThreshold(threshold: number, tally: SelectTally): ThresholdState {
  checkTally(tally);
  const { anchors: m, resolved, clearWins, nearTies, strictWins } = tally;
  const remaining = m - resolved;
  if (clearWins / m > threshold) return { verdict: "above", uncertain: false };
  if ((clearWins + nearTies + remaining) / m <= threshold) return { verdict: "below", uncertain: false };
  if (remaining > 0) return { verdict: null };
  // Every anchor is scored and near ties straddle the threshold: the strict count decides, as in the exhaustive run.
  return { verdict: strictWins / m > threshold ? "above" : "below", uncertain: true };
}

/**
 * How many more anchors must be scored, at the least, before one more of the undecided thresholds can be decided:
 * the size of the next chunk (never smaller than `minChunk`, never more than the anchors left). Scoring fewer could
 * not decide anything; scoring exactly this many decides one in the best case. 0 when nothing is left to decide.
 *
 * @example
 * // m = 20, t = 0.8, nothing scored: 4 losses in a row would settle "below", 17 wins "above".
 * nextChunkSize([0.8], { anchors: 20, resolved: 0, clearWins: 0, nearTies: 0, strictWins: 0 }); // 4
 */
export function nextChunkSize(thresholds: readonly number[], tally: SelectTally, minChunk = 1): number {
  checkTally(tally);
  const { anchors: m, resolved, clearWins, nearTies } = tally;
  const remaining = m - resolved;
  let fewest = Infinity;
  for (const t of thresholds) {
    if (decideThreshold(t, tally).verdict !== null) continue;
    // Smallest win count a with a/m > t, and largest with a/m ≤ t, found by the same division the rule uses.
    const inAt = smallestAbove(t, m);
    const toAbove = inAt - clearWins; // every next anchor a clear win
    const toBelow = clearWins + nearTies + remaining - (inAt - 1); // every next anchor a clear loss
    for (const steps of [toAbove, toBelow]) if (steps >= 1 && steps <= remaining) fewest = Math.min(fewest, steps);
    if (!Number.isFinite(fewest)) fewest = remaining; // only the last anchor (or the strict fallback) can decide
  }
  if (!Number.isFinite(fewest)) return 0;
  return Math.min(remaining, Math.max(minChunk, fewest));
}

/** The smallest integer a in [0, m + 1] with a / m > t (m + 1 when no count of wins exceeds t). */
export function smallestAbove(threshold: number, m: number): number {
  let a = Math.max(0, Math.floor(threshold * m) - 1);
  while (a <= m && !(a / m > threshold)) a++;
  return a;
}
