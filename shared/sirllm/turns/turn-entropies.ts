/**
 * The entropies a turn's tokens enter memory with (REFERENCE.md §2), from what the model said about each token:
 * - `paper` (default): e_i = −log p(x_i | x_<i), in the context of the memory at that time (prompt log-probs for the
 *   user's tokens, raw log-probs of the generated ones);
 * - `reference`: the authors' code. Token i ≥ 1 of the turn gets −log p(X_i = x_{i−1} | x_<i), the probability of the
 *   previous token's id; the turn's first token gets the maximum of the turn's values.
 * Under `paper` the very first token of a session has nothing to be predicted from; it gets the maximum of its turn's
 * values (as `reference` does for every turn). It is the first sink, so every policy keeps it whatever its entropy.
 */
import { ValidationError } from "../../errors.js";
import type { FedToken } from "./memory-driver.js";

/** `paper`: the token's own surprisal; `reference`: the authors' previous-token quirk. */
export type EntropyPreset = "paper" | "reference";

/**
 * One entropy per token of the turn, in order. `tokens` are the turn's tokens as fed (the user's, then the answer's).
 *
 * @example
 * turnEntropies("paper", [{ token: 5, logprob: -2, previousLogprob: -7, argmax: 9 }, { token: 6, logprob: -0.5, previousLogprob: -3, argmax: 6 }]);
 * // [2, 0.5]
 */
export function turnEntropies(preset: EntropyPreset, tokens: readonly FedToken[]): number[] {
  if (tokens.length === 0) return [];
  const values: (number | null)[] =
    preset === "paper"
      ? tokens.map((t) => (t.logprob === null ? null : entropyOf(t.logprob)))
      : tokens.map((t, i) => {
          if (i === 0) return null;
          if (t.previousLogprob === null) throw new ValidationError("the reference entropy preset needs the probability of an arbitrary token id, which this engine does not give");
          return entropyOf(t.previousLogprob);
        });
  const known = values.filter((v): v is number => v !== null);
  const fill = known.length === 0 ? 0 : Math.max(...known);
  return values.map((v) => v ?? fill);
}

/** −log p, kept ≥ 0 (a log-prob of +0.0000001 from rounding is 0 surprisal, not a negative one). */
function entropyOf(logprob: number): number {
  if (!Number.isFinite(logprob)) {
    // −∞: the token had probability 0 under the model (a masked id); its surprisal is as large as memory can store.
    if (logprob === -Infinity) return 3.4e38;
    throw new ValidationError(`a token's log-probability is ${logprob}`);
  }
  return Math.max(0, -logprob);
}
