/**
 * Summaries for benchmark figures measured over several rounds. Pure functions over plain numbers: the bench runs
 * on a shared, noisy machine, so every figure is reported as a median with its spread, never as one timing.
 */

/** Median, quartiles and extremes of one figure over the rounds it was measured in. */
export interface Summary {
  readonly n: number;
  readonly median: number;
  /** 25th and 75th percentiles (linear interpolation between order statistics). */
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
  /** Interquartile range as a percentage of the median: how noisy the figure was. */
  readonly iqrPct: number;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of `values`, interpolating linearly between order statistics (numpy's default).
 *
 * @example quantile([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError("quantile of no values");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside [0, 1]`);
  const sorted = [...values].sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/**
 * Summarises one figure's per-round values.
 *
 * @example summarize([10, 12, 11]).median // 11
 */
export function summarize(values: readonly number[]): Summary {
  const median = quantile(values, 0.5);
  const p25 = quantile(values, 0.25);
  const p75 = quantile(values, 0.75);
  return {
    n: values.length,
    median,
    p25,
    p75,
    min: Math.min(...values),
    max: Math.max(...values),
    iqrPct: median === 0 ? 0 : ((p75 - p25) / median) * 100,
  };
}

/**
 * Element-wise `numerator[i] / denominator[i]`: a ratio is taken within each round, where both variants ran moments
 * apart under the same load, and only then summarised — a ratio of medians would mix rounds with different noise.
 */
export function ratiosPerRound(numerator: readonly number[], denominator: readonly number[]): number[] {
  if (numerator.length !== denominator.length) {
    throw new RangeError(`per-round ratio of ${numerator.length} and ${denominator.length} values`);
  }
  return numerator.map((n, i) => n / denominator[i]!);
}
