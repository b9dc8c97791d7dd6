import { argmax } from "./logits-math.js";

export interface SamplingParams {
  /** 0 or absent = greedy. */
  readonly temperature?: number;
  /** Nucleus sampling: keep the most likely tokens whose probabilities sum to at least topP. Default 1. */
  readonly topP?: number;
}

/**
 * Picks the next token from one row of logits: the argmax when temperature is 0, otherwise a draw from
 * softmax(row / temperature) restricted to the top-p nucleus, using `random` (a seeded generator) for the draw.
 */
export function chooseToken(row: ArrayLike<number>, params: SamplingParams, random: () => number): number {
  const temperature = params.temperature ?? 0;
  if (temperature <= 0) return argmax(row);
  const topP = params.topP ?? 1;
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i]! > max) max = row[i]!;
  const weights = new Float64Array(row.length);
  let total = 0;
  for (let i = 0; i < row.length; i++) {
    weights[i] = Math.exp((row[i]! - max) / temperature);
    total += weights[i]!;
  }
  // Most likely first, ties by id, so the nucleus and the draw do not depend on engine internals.
  const order = Array.from({ length: row.length }, (_, i) => i).sort((a, b) => weights[b]! - weights[a]! || a - b);
  let kept = 0;
  let mass = 0;
  while (kept < order.length && (kept === 0 || mass < topP * total)) {
    mass += weights[order[kept]!]!;
    kept++;
  }
  let u = random() * mass;
  for (let i = 0; i < kept; i++) {
    u -= weights[order[i]!]!;
    if (u < 0) return order[i]!;
  }
  return order[kept - 1]!;
}
