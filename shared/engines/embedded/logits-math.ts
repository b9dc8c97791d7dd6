/**
 * Pure float64 arithmetic over one row of logits (the model's scores for every vocabulary token at one position).
 * Log-probs always come from the FULL row: node-llama-cpp's filtered-logits shortcut does not return the max logit
 * and gives log-probs off by nats wherever the target is not the most likely token (DESIGN.md, Engines).
 */

/** log Σ exp(row): subtract it from a logit to get a log-prob. */
export function logNormalizer(row: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i]! > max) max = row[i]!;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i]! - max);
  return max + Math.log(sum);
}

/** vLLM's rank: how many tokens are at least as likely as `token` (1 = most likely). */
export function rankOf(row: ArrayLike<number>, token: number): number {
  const v = row[token]!;
  let rank = 0;
  for (let i = 0; i < row.length; i++) if (row[i]! >= v) rank++;
  return rank;
}

/** The most likely token; ties go to the lowest id so greedy decoding is deterministic. */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/**
 * The `k` most likely tokens with their log-probs, most likely first (ties: lower id first). `k = -1` returns the
 * whole vocabulary. Selection keeps a small sorted buffer, so small k costs O(V·k) rather than a full sort.
 */
export function topTokens(
  row: ArrayLike<number>,
  k: number,
  normalizer: number = logNormalizer(row),
): { token: number; logprob: number }[] {
  const n = k < 0 ? row.length : Math.min(k, row.length);
  if (n === 0) return [];
  let ids: number[];
  if (n === row.length) {
    ids = Array.from({ length: row.length }, (_, i) => i).sort((a, b) => row[b]! - row[a]! || a - b);
  } else {
    ids = [];
    for (let i = 0; i < row.length; i++) {
      const v = row[i]!;
      if (ids.length === n && v <= row[ids[n - 1]!]!) continue;
      let at = ids.length;
      while (at > 0 && row[ids[at - 1]!]! < v) at--;
      ids.splice(at, 0, i);
      if (ids.length > n) ids.pop();
    }
  }
  return ids.map((token) => ({ token, logprob: row[token]! - normalizer }));
}
