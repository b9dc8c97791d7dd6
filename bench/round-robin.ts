/**
 * Runs benchmark variants interleaved: every round runs each variant once, and the round's starting variant rotates,
 * so slow phases of a shared machine hit every variant alike and no variant always runs right after the same one.
 */

/** One thing to time. `run` does a fixed piece of work and returns how many units (tokens) it processed. */
export interface Variant {
  readonly id: string;
  run(): Promise<number>;
}

/** Per-round measurements of one variant. */
export interface VariantSamples {
  readonly seconds: number[];
  readonly units: number[];
  /** units / seconds for each round. */
  readonly rates: number[];
}

export interface RoundRobinOptions {
  readonly rounds: number;
  /** Rounds run first and thrown away (JIT, connection set-up, page cache). */
  readonly warmupRounds: number;
  /** Injected in tests; defaults to `performance.now` (milliseconds). */
  readonly now?: () => number;
  /** Called after each timed round, e.g. to show progress. */
  readonly onRound?: (round: number, rounds: number) => void;
}

/** The order variants run in during `round`: the list rotated by the round number. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const k = items.length === 0 ? 0 : round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * Runs `variants` round-robin and returns each one's samples by id.
 *
 * @example
 * const samples = await runRoundRobin([direct, http], { rounds: 5, warmupRounds: 1 });
 * samples.get("score/http")!.rates; // five tokens/s figures
 */
export async function runRoundRobin(
  variants: readonly Variant[],
  options: RoundRobinOptions,
): Promise<Map<string, VariantSamples>> {
  const now = options.now ?? (() => performance.now());
  const samples = new Map<string, VariantSamples>(variants.map((v) => [v.id, { seconds: [], units: [], rates: [] }]));
  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    const timed = round >= options.warmupRounds;
    for (const variant of roundOrder(variants, round)) {
      const start = now();
      const units = await variant.run();
      const seconds = (now() - start) / 1000;
      if (!timed) continue;
      const s = samples.get(variant.id)!;
      s.seconds.push(seconds);
      s.units.push(units);
      s.rates.push(units / seconds);
    }
    if (timed) options.onRound?.(round - options.warmupRounds + 1, options.rounds);
  }
  return samples;
}
