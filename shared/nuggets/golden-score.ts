/**
 * The golden score (REFERENCE.md §1): GS = (1/m) · #{ j : oneShot[j] > zeroShot[j] }. Strictly greater — a tie,
 * including an empty span's 0 = 0, is a loss, as `np.greater` in the authors' code.
 */
import { ValidationError } from "../errors.js";
import { compareForGoldenScore } from "../numerics/logprob-tolerance.js";

/** A candidate's golden score with its parts. */
export interface GoldenScore {
  readonly goldenScore: number;
  readonly wins: number;
  readonly anchors: number;
}

/**
 * @example
 * goldenScore([-5, -3, -2], [-4, -3, -9]); // { goldenScore: 1/3, wins: 1, anchors: 3 } — the tie at -3 loses
 */
export function goldenScore(zeroShot: readonly number[], oneShot: readonly number[]): GoldenScore {
  if (zeroShot.length !== oneShot.length) {
    throw new ValidationError("zero-shot and one-shot scores cover different anchor sets", {
      zeroShot: zeroShot.length,
      oneShot: oneShot.length,
    });
  }
  if (zeroShot.length === 0) throw new ValidationError("the anchor set is empty");
  let wins = 0;
  for (let j = 0; j < zeroShot.length; j++) {
    if (oneShot[j]! > zeroShot[j]!) wins++;
  }
  return { goldenScore: wins / zeroShot.length, wins, anchors: zeroShot.length };
}

/**
 * Which anchors are near ties (one-shot and zero-shot sums within the log-prob tolerance) and the golden score's
 * range if each went either way. The strict golden score always lies inside the range.
 *
 * @example
 * nearTieRange([-100, -50], [-100.05, -40]); // { nearTies: [0], goldenScoreRange: [0.5, 1] }
 */
export function nearTieRange(zeroShot: readonly number[], oneShot: readonly number[]): { goldenScoreRange: [number, number]; nearTies: number[] } {
  const nearTies: number[] = [];
  let clear = 0;
  oneShot.forEach((o, j) => {
    const decision = compareForGoldenScore(o, zeroShot[j]!);
    if (decision === "above") clear++;
    else if (decision === "near-tie") nearTies.push(j);
  });
  const m = zeroShot.length;
  return { goldenScoreRange: [clear / m, (clear + nearTies.length) / m], nearTies };
}
