/**
 * When the engine was busy: the union of the intervals during which at least one scoring call was in flight. The
 * pipeline's overhead is then visible as the engine's idle time inside a job's wall time, phase by phase.
 */
import type { Engine } from "../shared/engines/engine.js";

/** Milliseconds since the Unix epoch with sub-millisecond resolution (comparable with ISO timestamps in records). */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/** A closed interval [start, end] in epoch milliseconds. */
export type Interval = readonly [number, number];

/** Records busy intervals: `enter` when a call starts, `leave` when it settles; overlapping calls merge. */
export class BusyMeter {
  readonly intervals: Interval[] = [];
  private inFlight = 0;
  private since = 0;

  constructor(private readonly now: () => number = epochMs) {}

  enter(): void {
    if (this.inFlight++ === 0) this.since = this.now();
  }

  leave(): void {
    if (--this.inFlight === 0) this.intervals.push([this.since, this.now()]);
  }

  /** Busy milliseconds inside [from, to]. */
  busyWithin(from: number, to: number): number {
    return busyWithin(this.intervals, from, to);
  }
}

/**
 * Milliseconds of `intervals` (disjoint) that fall inside [from, to].
 *
 * @example busyWithin([[0, 10], [20, 30]], 5, 25) // 10
 */
export function busyWithin(intervals: readonly Interval[], from: number, to: number): number {
  let sum = 0;
  for (const [a, b] of intervals) sum += Math.max(0, Math.min(b, to) - Math.max(a, from));
  return sum;
}

/**
 * Wraps the engine instance's `score` and `scoreSuffixes` so every call is metered (own properties shadow the
 * class's methods; behaviour is unchanged). Returns a function that removes the wrappers.
 */
export function meterEngine(engine: Engine, meter: BusyMeter): () => void {
  const target = engine as unknown as Record<string, unknown>;
  const names = ["score", "scoreSuffixes"] as const;
  for (const name of names) {
    const original = (engine[name] as (...args: unknown[]) => Promise<unknown>).bind(engine);
    target[name] = async (...args: unknown[]) => {
      meter.enter();
      try {
        return await original(...args);
      } finally {
        meter.leave();
      }
    };
  }
  return () => {
    for (const name of names) delete target[name];
  };
}
