/**
 * The golden score (REFERENCE.md §1): GS = (1/m) · #{ j : oneShot[j] > zeroShot[j] }. Strictly greater — a tie,
 * including an empty span's 0 = 0, is a loss, as `np.greater` in the authors' code.
 */
import { ValidationError } from "../errors.js";

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
