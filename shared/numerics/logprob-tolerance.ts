/**
 * How far apart two computations of the same log-prob sum may be and still be the same number, and the three-way
 * decision a golden score rests on (DESIGN.md, "Numbers are not bit-reproducible").
 *
 * llama.cpp's log-probs are not bit-reproducible: they depend on the CPU's SIMD kernels and on how a prompt is split
 * into batches. The tolerance is `absolute + relative · max(|a|, |b|)` nats, with
 * {@link LOGPROB_SUM_TOLERANCE} = 0.2 nats + 1.5e-3 of the larger sum. It rests on these measurements, all on
 * stories260K with the fidelity test's data (the first 24 Alpaca candidates that fit × the first 32 K-Means anchors,
 * cut at 200 tokens: 768 one-shot sums + 32 zero-shot sums with BOS + 32 without; |sum| 28–726 nats, median 317;
 * 79,378 scored tokens), made with `tests/numerics/measure-logprob-spread.ts`:
 *
 * | what changed (same pairs)                                   | max rel | p90 rel | max \|Δ\| | max token |
 * |-------------------------------------------------------------|---------|---------|-----------|-----------|
 * | two machines, reported in the issue (AVX2 vs AVX-512)       | 1.1e-3  | 3.6e-4  | 0.24 ¹    | –         |
 * | ggml AVX2 kernels (`haswell`) vs AVX-512 (`zen4`), here     | 1.10e-3 | 3.17e-4 | 0.262     | 0.090     |
 * | SSE4.2 kernels (`sse42`) vs AVX-512                         | 9.4e-4  | 3.23e-4 | 0.248     | 0.091     |
 * | baseline x86-64 kernels (`x64`) vs AVX-512                  | 1.09e-3 | 3.22e-4 | 0.254     | 0.091     |
 * | token-by-token vs one batch, AVX2 kernels                   | 1.64e-3 | 3.05e-4 | 0.277     | 0.087     |
 * | token-by-token vs one batch, AVX-512 kernels                | 6.20e-4 | 9.5e-5  | 0.083     | 0.049     |
 * | llama.cpp flash attention off vs on (the default), AVX-512  | 1.03e-3 | 3.19e-4 | 0.217     | 0.100     |
 * | prefix from the KV cache + suffix vs one prompt ², AVX2     | 5.6e-5  | 0       | 0.019     | 0.010     |
 * | the same, SSE4.2 / baseline x86-64 kernels                  | 2.5e-4 / 6.7e-5 | 0 | 0.013 / 0.022 | 0.009 / 0.015 |
 * | the same, AVX-512 kernels                                   | 0       | 0       | 0         | 0         |
 *
 * ¹ on a ~1,300-nat sum. ² what the fidelity test and the bench compare; 64 of 832 sums differ, the rest are equal.
 * "max token" is the largest difference of one token's log-prob. Other kernels were loaded on this AVX-512 machine
 * with `tests/numerics/ggml-cpu-variant.mjs`: the AVX2 run reproduces the cross-machine figures and the
 * bench's 0.0059-nat failure exactly. Commands (add `ASSAY_GGML_CPU_VARIANT=haswell` and
 * `--import ./tests/numerics/ggml-cpu-variant.mjs` for another kernel, `--compare a.json b.json` across runs):
 * `node --import tsx tests/numerics/measure-logprob-spread.ts --candidates 24 --anchors 32 --out zen4.json`.
 *
 * The relative figure alone misleads: the largest relative differences are on the smallest sums (the 1.1e-3 across
 * kernels is 0.032 nats on a 6-token, 29.5-nat sum; above 400 nats it is at most 4.9e-4), and a single token's
 * log-prob moves by up to 0.1 nats. Hence a floor plus a relative part. Margin: over every sum and every single token
 * above, the largest |Δ| / tolerance is 0.34 (sums) and 0.47 (tokens), so the tolerance is at least 2.1× every
 * measured difference; on its relative part alone it is 1.36× the 1.1e-3. A golden-score decision compares
 * two sums that each move, so margins were checked too: the largest change of a margin (one-shot − zero-shot)
 * between any two computations above is 0.40 of {@link sumTolerance} of that pair (0.40 nats, AVX2 token by token).
 * Across kernels up to 8 of 768 decisions flipped and 4 of 24 candidates moved by one win (the issue saw 1–2 of 24);
 * every flipped decision was a near tie in both computations.
 *
 * It still sees real errors (`tests/nuggets/tolerance-sensitivity.test.ts`, measured at 6 × 8 and 24 × 32 pairs, in
 * multiples of the tolerance): a wrong template moves (nearly) every sum outside it (the Stanford Alpaca template:
 * median 200×; no `\n` after `Response:`: median 8×, 96–100% outside); an answer span off by one token moves 80–100%
 * of sums outside (median 4–8×). A wrong BOS is subtler on stories260K, which barely uses a BOS 20–300 tokens before
 * the answer: added to the zero-shot prompt it moves 62–78% of sums outside (median 1.3–1.9×), dropped from the
 * one-shot prompt 23–29% (median 0.5×) — still enough for any comparison over more than a handful of pairs to fail.
 * The price: on stories260K, where a demonstration moves a ~300-nat sum by a median of 1.5 nats, about one pair in
 * four or five is a near tie (fidelity test: 161 of 680 scored pairs at 40 × 20, reference preset; 18 of 80, paper).
 */

/** A tolerance for comparing log-prob sums (nats): `absolute + relative · max(|a|, |b|)`. */
export interface LogprobSumTolerance {
  /** Nats allowed whatever the size of the sums: covers short spans and single tokens. */
  readonly absolute: number;
  /** Fraction of the larger |sum| allowed on top of {@link LogprobSumTolerance.absolute}. */
  readonly relative: number;
}

/**
 * The tolerance every test and check uses for sums (or single log-probs) from llama.cpp-backed engines: 0.2 nats +
 * 1.5e-3 of the larger |sum|. See the module comment for the measurements and the margin.
 */
export const LOGPROB_SUM_TOLERANCE: LogprobSumTolerance = Object.freeze({ absolute: 0.2, relative: 1.5e-3 });

function check(tolerance: LogprobSumTolerance): void {
  const { absolute, relative } = tolerance;
  if (!(absolute >= 0 && Number.isFinite(absolute)) || !(relative >= 0 && Number.isFinite(relative))) {
    throw new RangeError(`a tolerance needs finite non-negative parts, got ${JSON.stringify(tolerance)}`);
  }
}

/**
 * How many nats two computations of the same sum may differ by: `absolute + relative · max(|a|, |b|)`.
 *
 * @example
 * sumTolerance(-300, -300.4); // 0.2 + 1.5e-3 · 300.4 ≈ 0.65
 */
export function sumTolerance(a: number, b: number, tolerance: LogprobSumTolerance = LOGPROB_SUM_TOLERANCE): number {
  check(tolerance);
  return tolerance.absolute + tolerance.relative * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Whether `a` and `b` are the same sum computed twice (another CPU, another batch split): |a − b| within
 * {@link sumTolerance}. NaN is never within tolerance; equal infinities are.
 *
 * @example
 * withinTolerance(-300, -300.4); // true: 0.4 ≤ 0.65
 * withinTolerance(-300, -301); // false: a different sum (a real error moves sums by whole nats)
 */
export function withinTolerance(a: number, b: number, tolerance: LogprobSumTolerance = LOGPROB_SUM_TOLERANCE): boolean {
  if (a === b) return true;
  // An infinite sum is within no finite distance of anything else (the relative part would grow with it).
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= sumTolerance(a, b, tolerance);
}

/**
 * One (candidate, anchor) decision of a golden score: the one-shot sum clearly `"above"` the zero-shot sum (a win),
 * clearly `"below"` (a loss), or a `"near-tie"` — the margin is within {@link sumTolerance}, so another CPU or batch
 * split may decide it the other way. Golden scores still count near ties by the strict rule (`oneShot > zeroShot`);
 * this is what says which decisions were that close (a result's `nearTies`, and its `goldenScoreRange`, see
 * {@link winsRange}).
 *
 * Two sums of exactly 0 are an empty answer span (nothing scored, REFERENCE.md §1): an exact tie, a loss in every
 * computation, so `"below"`, not a near tie.
 *
 * @example
 * compareForGoldenScore(-295, -300); // "above"
 * compareForGoldenScore(-299.8, -300); // "near-tie": 0.2 nats, inside 0.65
 * compareForGoldenScore(0, 0); // "below": an empty span
 */
export function compareForGoldenScore(
  oneShot: number,
  zeroShot: number,
  tolerance: LogprobSumTolerance = LOGPROB_SUM_TOLERANCE,
): "above" | "below" | "near-tie" {
  if (Number.isNaN(oneShot) || Number.isNaN(zeroShot)) throw new RangeError("cannot decide a golden score on NaN");
  if (oneShot === 0 && zeroShot === 0) return "below";
  if (withinTolerance(oneShot, zeroShot, tolerance)) return "near-tie";
  return oneShot > zeroShot ? "above" : "below";
}

/** A candidate's wins with the near ties that could go either way. */
export interface WinsRange {
  /** Strict wins (`oneShot > zeroShot`), as the golden score counts them. */
  readonly wins: number;
  /** Decisions within the tolerance. */
  readonly nearTies: number;
  /** Wins if every near tie went the other way from a win: the clear wins. */
  readonly min: number;
  /** Wins if every near tie were a win. `min ≤ wins ≤ max`; divide by the anchors for a golden-score range. */
  readonly max: number;
  readonly anchors: number;
}

/**
 * The range a candidate's wins could take on another machine or batch split: `[clear wins, clear wins + near
 * ties]`. Two computations of the same candidate agree when each one's wins lie in the other's range — they differ
 * only by near ties.
 *
 * @example
 * winsRange([-300, -300, -300], [-290, -299.9, -310]); // { wins: 2, nearTies: 1, min: 1, max: 2, anchors: 3 }
 */
export function winsRange(
  zeroShot: readonly number[],
  oneShot: readonly number[],
  tolerance: LogprobSumTolerance = LOGPROB_SUM_TOLERANCE,
): WinsRange {
  if (zeroShot.length !== oneShot.length) {
    throw new RangeError(`zero-shot (${zeroShot.length}) and one-shot (${oneShot.length}) sums cover different anchors`);
  }
  let wins = 0;
  let above = 0;
  let nearTies = 0;
  oneShot.forEach((o, j) => {
    const z = zeroShot[j]!;
    const decision = compareForGoldenScore(o, z, tolerance);
    if (o > z) wins++;
    if (decision === "above") above++;
    else if (decision === "near-tie") nearTies++;
  });
  return { wins, nearTies, min: above, max: above + nearTies, anchors: zeroShot.length };
}
