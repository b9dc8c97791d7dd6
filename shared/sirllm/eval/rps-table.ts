/**
 * The Rock-Paper-Scissors table: win, tie and lose rates over every round of every scored player (the authors'
 * `win / len(prompts)` per player, pooled), and the same per window of rounds (rounds 1–100, 101–200, …, pooled over
 * players), which shows whether a policy keeps learning the player's habit as the game outgrows memory. State is one
 * counter triple per window, whatever the number of players.
 */
import type { MemoryPolicyName } from "../../../schemas/sirllm-memory.js";
import { SIRLLM_EVAL_RECORD_VERSION, type RpsCounts, type RpsTable } from "../../../schemas/sirllm-eval.js";
import { checkedOutcomes } from "./outcome-ledger.js";
import { RPS_WINDOW_ROUNDS, positiveCount } from "./paper-caps.js";
import { tablePolicies } from "./table-policies.js";

interface Tally {
  win: number;
  tie: number;
  lose: number;
}

interface WindowTally extends Tally {
  /** 1-based last round seen in the window. */
  to: number;
}

/**
 * Counts and their rates; rates are null when there were no rounds.
 *
 * @example
 * rpsCounts({ win: 1, tie: 1, lose: 2 }); // { rounds: 4, win: 1, tie: 1, lose: 2, winRate: 0.25, tieRate: 0.25, loseRate: 0.5 }
 */
export function rpsCounts(t: Tally): RpsCounts {
  const rounds = t.win + t.tie + t.lose;
  const rate = (n: number) => (rounds === 0 ? null : n / rounds);
  return { rounds, win: t.win, tie: t.tie, lose: t.lose, winRate: rate(t.win), tieRate: rate(t.tie), loseRate: rate(t.lose) };
}

/**
 * The RPS table; `windowSize` rounds per window (default 100).
 *
 * @example
 * rpsTable(["sirllm", "streaming"], outcomes).rows[1]!.windows[0]; // rounds 1–100 under streaming
 */
export function rpsTable(policies: readonly MemoryPolicyName[], outcomes: Iterable<unknown>, windowSize: number = RPS_WINDOW_ROUNDS): RpsTable {
  const size = positiveCount("windowSize", windowSize);
  const rows = new Map(
    tablePolicies(policies).map((policy) => [policy, { policy, units: 0, failedUnits: 0, overall: empty(), windows: [] as WindowTally[] }]),
  );
  for (const o of checkedOutcomes("rps", policies, outcomes)) {
    const row = rows.get(o.policy)!;
    if (o.result.status === "failed") {
      row.failedUnits += 1;
      continue;
    }
    row.units += 1;
    const rounds = o.result.rounds;
    for (let i = 0; i < rounds.length; i++) {
      const w = Math.floor(i / size);
      while (row.windows.length <= w) row.windows.push({ ...empty(), to: 0 });
      const window = row.windows[w]!;
      const key = rounds[i] === "W" ? "win" : rounds[i] === "T" ? "tie" : "lose";
      row.overall[key] += 1;
      window[key] += 1;
      // A window pooled over players ends at the last round any player reached in it (a shorter game leaves a
      // partial last window).
      window.to = Math.max(window.to, i + 1);
    }
  }
  return {
    version: SIRLLM_EVAL_RECORD_VERSION,
    task: "rps",
    windowSize: size,
    rows: [...rows.values()].map((r) => ({
      policy: r.policy,
      units: r.units,
      failedUnits: r.failedUnits,
      overall: rpsCounts(r.overall),
      windows: r.windows.map((t, w) => ({ from: w * size + 1, to: t.to, ...rpsCounts(t) })),
    })),
  };
}

function empty(): Tally {
  return { win: 0, tie: 0, lose: 0 };
}
