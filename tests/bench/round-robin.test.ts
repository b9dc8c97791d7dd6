import { describe, expect, it } from "vitest";
import { roundOrder, runRoundRobin, type Variant } from "../../bench/round-robin.js";

describe("round-robin runner", () => {
  it("should rotate which variant starts each round", () => {
    expect(roundOrder(["a", "b", "c"], 0)).toEqual(["a", "b", "c"]);
    expect(roundOrder(["a", "b", "c"], 1)).toEqual(["b", "c", "a"]);
    expect(roundOrder(["a", "b", "c"], 4)).toEqual(["b", "c", "a"]);
    expect(roundOrder([], 3)).toEqual([]);
  });

  it("should interleave variants, drop warm-up rounds and record units per second per round", async () => {
    let clock = 0;
    const calls: string[] = [];
    // Each variant advances a fake clock: "fast" takes 100 ms for 50 units, "slow" 400 ms for 50 units.
    const variant = (id: string, ms: number): Variant => ({
      id,
      run: async () => {
        calls.push(id);
        clock += ms;
        return 50;
      },
    });
    const rounds: number[] = [];
    const samples = await runRoundRobin([variant("fast", 100), variant("slow", 400)], {
      rounds: 2,
      warmupRounds: 1,
      now: () => clock,
      onRound: (r) => rounds.push(r),
    });
    expect(calls).toEqual(["fast", "slow", "slow", "fast", "fast", "slow"]);
    expect(rounds).toEqual([1, 2]);
    expect(samples.get("fast")).toEqual({ seconds: [0.1, 0.1], units: [50, 50], rates: [500, 500] });
    expect(samples.get("slow")!.rates).toEqual([125, 125]);
  });
});
