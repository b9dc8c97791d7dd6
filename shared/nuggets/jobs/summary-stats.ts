/**
 * The numbers a finished job reports, accumulated one candidate at a time in index order (pure; no I/O): the
 * golden-score histogram, exact counts per number of wins, counts over thresholds and the top-k.
 */

/** Bins of the golden-score histogram over [0, 1]. */
export const HISTOGRAM_BINS = 20;
/** Candidates in the top-k preview. */
export const TOP_K = 20;

/** A scored candidate as the statistics see it. */
export interface ScoredEntry {
  readonly index: number;
  readonly goldenScore: number;
  readonly wins: number;
  /** [lo, hi] if each near tie went either way (lines written before near ties were recorded have none). */
  readonly goldenScoreRange?: readonly [number, number];
  readonly nearTies?: readonly number[];
}

/** Sorting for "best first": golden score descending, then dataset order. */
export const bestFirst = (a: ScoredEntry, b: ScoredEntry): number => b.goldenScore - a.goldenScore || a.index - b.index;

/** Accumulates statistics over candidates. */
export class SummaryAccumulator {
  readonly histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  readonly winsCounts: number[];
  readonly thresholdCounts: number[];
  /** Per threshold: candidates whose membership (GS > t) a near tie could flip (lo ≤ t < hi). */
  readonly thresholdUncertain: number[];
  /** Near-tie pairs, and candidates with at least one. */
  nearTiePairs = 0;
  candidatesWithNearTies = 0;
  readonly top: ScoredEntry[] = [];
  scored = 0;
  skipped = 0;

  constructor(
    readonly anchors: number,
    readonly thresholds: readonly number[],
    readonly k = TOP_K,
  ) {
    this.winsCounts = new Array<number>(anchors + 1).fill(0);
    this.thresholdCounts = thresholds.map(() => 0);
    this.thresholdUncertain = thresholds.map(() => 0);
  }

  addSkipped(): void {
    this.skipped++;
  }

  add(entry: ScoredEntry): void {
    this.scored++;
    // Binned from the integer wins, so a score on a bin edge (e.g. 0.35) never lands a bin low through rounding.
    this.histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor((entry.wins * HISTOGRAM_BINS) / this.anchors))]!++;
    this.winsCounts[entry.wins]!++;
    const [lo, hi] = entry.goldenScoreRange ?? [entry.goldenScore, entry.goldenScore];
    this.thresholds.forEach((t, i) => {
      if (entry.goldenScore > t) this.thresholdCounts[i]!++;
      if (lo <= t && hi > t) this.thresholdUncertain[i]!++;
    });
    const ties = entry.nearTies?.length ?? 0;
    this.nearTiePairs += ties;
    if (ties > 0) this.candidatesWithNearTies++;
    const last = this.top[this.top.length - 1];
    if (this.top.length < this.k || (last && bestFirst(entry, last) < 0)) {
      this.top.push(entry);
      this.top.sort(bestFirst);
      if (this.top.length > this.k) this.top.pop();
    }
  }
}

/** A `select` line as the statistics see it. */
export interface DecidedEntry {
  readonly decisions: Readonly<Record<string, "above" | "below">>;
  readonly uncertain: readonly string[];
  readonly anchorsScored: number;
  readonly nearTies: readonly number[];
}

/** Counts over `select` lines: per threshold, candidates above and verdicts flagged uncertain; pairs compared. */
export class SelectAccumulator {
  readonly above: number[];
  readonly uncertain: number[];
  decided = 0;
  anchorsScored = 0;
  nearTiePairs = 0;
  candidatesWithNearTies = 0;
  private readonly keys: string[];

  constructor(readonly thresholds: readonly number[]) {
    this.keys = thresholds.map((t) => JSON.stringify(t));
    this.above = thresholds.map(() => 0);
    this.uncertain = thresholds.map(() => 0);
  }

  add(entry: DecidedEntry): void {
    this.decided++;
    this.anchorsScored += entry.anchorsScored;
    this.keys.forEach((key, i) => {
      const verdict = entry.decisions[key];
      if (verdict === undefined) throw new RangeError(`a select line has no verdict for threshold ${key}`);
      if (verdict === "above") this.above[i]!++;
      if (entry.uncertain.includes(key)) this.uncertain[i]!++;
    });
    this.nearTiePairs += entry.nearTies.length;
    if (entry.nearTies.length > 0) this.candidatesWithNearTies++;
  }
}
