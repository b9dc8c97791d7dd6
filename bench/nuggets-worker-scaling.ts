/**
 * Worker scaling on the local stack: the same NUGGETS job on a stack with 1 worker thread and on one with 2 (each
 * worker its own embedded engine, one llama.cpp thread each), run alternately, pairs/s from the POST to `completed`.
 * On 2 cores the target is ≥ 1.6× with 2 workers (the main thread — API, emulator, pollers — takes the rest).
 */
import { summarize, ratiosPerRound, type Summary } from "./stats.js";

/** Pairs per second per worker count, one entry per round. */
export interface WorkerScalingResult {
  readonly description: string;
  readonly workers: readonly [number, number];
  readonly pairs: number;
  readonly shards: number;
  readonly pairsPerSecond: Record<string, number[]>;
  readonly ratio: { perRound: number[]; summary: Summary };
  readonly target: number;
  readonly held: boolean;
}

export const WORKER_SCALING_TARGET = 1.6;

export function summarizeWorkerScaling(
  workers: readonly [number, number],
  pairs: number,
  shards: number,
  pairsPerSecond: readonly [number[], number[]],
): WorkerScalingResult {
  const perRound = ratiosPerRound(pairsPerSecond[1], pairsPerSecond[0]);
  const summary = summarize(perRound);
  return {
    description: `the same job on a local stack with ${workers[0]} worker thread(s) and with ${workers[1]}, alternately; pairs/s from the POST to status \`completed\``,
    workers,
    pairs,
    shards,
    pairsPerSecond: { [String(workers[0])]: [...pairsPerSecond[0]], [String(workers[1])]: [...pairsPerSecond[1]] },
    ratio: { perRound, summary },
    target: WORKER_SCALING_TARGET,
    held: summary.median >= WORKER_SCALING_TARGET,
  };
}
