import { describe, expect, it } from "vitest";
import { decideThreshold, nextChunkSize, smallestAbove, type SelectTally } from "../../../shared/nuggets/select/stopping-rule.js";

/** One anchor's outcome: a clear win, a clear loss, or a near tie that is strictly a win (`t+`) or a loss (`t-`). */
type Outcome = "W" | "L" | "t+" | "t-";

function tallyAfter(outcomes: readonly Outcome[], anchors: number): SelectTally {
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  return {
    anchors,
    resolved: outcomes.length,
    clearWins: count("W"),
    nearTies: count("t+") + count("t-"),
    strictWins: count("W") + count("t+"),
  };
}

/** Feeds a sequence one anchor at a time; returns when (anchors scored) and how the threshold was first decided. */
function firstDecision(threshold: number, sequence: readonly Outcome[], anchors: number) {
  for (let n = 0; n <= sequence.length; n++) {
    const state = decideThreshold(threshold, tallyAfter(sequence.slice(0, n), anchors));
    if (state.verdict !== null) return { at: n, verdict: state.verdict, uncertain: state.uncertain };
  }
  return null;
}

const seq = (spec: string): Outcome[] => spec.split(" ").flatMap((part) => {
  const m = /^(\d+)(W|L|t\+|t-)$/.exec(part)!;
  return new Array<Outcome>(Number(m[1])).fill(m[2] as Outcome);
});

/** The exhaustive verdict: strict wins over all anchors, GS > t. */
const exhaustive = (t: number, s: readonly Outcome[]) => (s.filter((o) => o === "W" || o === "t+").length / s.length > t ? "above" : "below");

describe("the stopping rule on hand-built sequences (m = 20)", () => {
  const cases: { t: number; spec: string; at: number; verdict: "above" | "below"; why: string }[] = [
    // t = 0.5: t·m = 10
    { t: 0.5, spec: "11W 9L", at: 11, verdict: "above", why: "11 wins > 10" },
    { t: 0.5, spec: "10W 10L", at: 20, verdict: "below", why: "w = t·m is not above: decided only when the last loss lands" },
    { t: 0.5, spec: "10L 10W", at: 10, verdict: "below", why: "10 losses leave at most 10 = t·m wins" },
    { t: 0.5, spec: "5W 5L 1W 9L", at: 16, verdict: "below", why: "the 10th loss" },
    // t = 0.8: t·m = 16
    { t: 0.8, spec: "4L 16W", at: 4, verdict: "below", why: "4 losses: at most 16 = t·m wins" },
    { t: 0.8, spec: "17W 3L", at: 17, verdict: "above", why: "17 wins > 16" },
    { t: 0.8, spec: "16W 3L 1L", at: 20, verdict: "below", why: "w = t·m after exactly m anchors" },
    { t: 0.8, spec: "16W 3L 1W", at: 20, verdict: "above", why: "the last anchor decides" },
    { t: 0.8, spec: "3L 16W 1L", at: 20, verdict: "below", why: "3 losses then 16 wins: undecided until the 20th" },
    // t = 0.85: t·m = 17 (0.85 · 20 rounds to 17 in binary; 17/20 > 0.85 is false, as in the exhaustive subset)
    { t: 0.85, spec: "3L 17W", at: 3, verdict: "below", why: "3 losses: at most 17 = t·m wins" },
    { t: 0.85, spec: "18W 2L", at: 18, verdict: "above", why: "18 wins > 17" },
    { t: 0.85, spec: "17W 2L 1L", at: 20, verdict: "below", why: "w = t·m after exactly m anchors" },
    { t: 0.85, spec: "2L 17W 1W", at: 20, verdict: "above", why: "18 wins, the last one deciding" },
  ];
  for (const c of cases) {
    it(`t = ${c.t}, ${c.spec}: ${c.verdict} after ${c.at} (${c.why})`, () => {
      const s = seq(c.spec);
      expect(s).toHaveLength(20);
      expect(firstDecision(c.t, s, 20)).toEqual({ at: c.at, verdict: c.verdict, uncertain: false });
      expect(c.verdict).toBe(exhaustive(c.t, s));
    });
  }

  it("never decides before it must, and always agrees with the exhaustive verdict (every sequence of 12 clear outcomes)", () => {
    const m = 12;
    for (const t of [0, 0.5, 0.8, 0.85, 1]) {
      for (let bits = 0; bits < 1 << m; bits++) {
        const s: Outcome[] = Array.from({ length: m }, (_, i) => ((bits >> i) & 1 ? "W" : "L"));
        const d = firstDecision(t, s, m)!;
        expect(d.verdict).toBe(exhaustive(t, s));
        expect(d.uncertain).toBe(false);
        // One anchor earlier, some continuation of what was seen would have given the other verdict.
        if (d.at > 0) {
          const seen = s.slice(0, d.at - 1);
          const rest = s.slice(d.at - 1);
          const best: Outcome[] = [...seen, ...rest.map(() => "W" as const)];
          const worst: Outcome[] = [...seen, ...rest.map(() => "L" as const)];
          expect(exhaustive(t, best) !== exhaustive(t, worst), `t=${t} bits=${bits} decided at ${d.at}`).toBe(true);
        }
      }
    }
  });

  it("exactly m anchors: a candidate decided only by its last anchor (m = 5, t = 0.8)", () => {
    expect(firstDecision(0.8, seq("4W 1L"), 5)).toEqual({ at: 5, verdict: "below", uncertain: false });
    expect(firstDecision(0.8, seq("4W 1W"), 5)).toEqual({ at: 5, verdict: "above", uncertain: false });
    expect(firstDecision(0.8, seq("1L 4W"), 5)).toEqual({ at: 1, verdict: "below", uncertain: false });
  });

  it("GS > 1 is decided below before anything is scored, and GS > 0 above at the first clear win", () => {
    expect(firstDecision(1, seq("20W"), 20)).toEqual({ at: 0, verdict: "below", uncertain: false });
    expect(firstDecision(0, seq("3L 1W 16L"), 20)).toEqual({ at: 4, verdict: "above", uncertain: false });
    expect(firstDecision(0, seq("20L"), 20)).toEqual({ at: 20, verdict: "below", uncertain: false });
  });
});

describe("near ties are treated conservatively", () => {
  it("does not stop above on a near tie that is strictly a win", () => {
    // t = 0.8: 16 clear wins and a near tie that strictly wins: strictly 17 > 16 after 17 anchors, but only clear
    // wins count towards above, so the verdict waits for the 17th clear win.
    const s = seq("16W 1t+ 2W 1L");
    expect(firstDecision(0.8, s, 20)).toEqual({ at: 18, verdict: "above", uncertain: false });
    expect(decideThreshold(0.8, tallyAfter(s.slice(0, 17), 20)).verdict).toBeNull();
  });

  it("does not stop below while a near tie could still be a win", () => {
    // t = 0.85: 3 losses settle below, but one of them a near tie (strictly a loss) leaves 18 possible wins.
    const s = seq("2L 1t- 1L 16W");
    expect(firstDecision(0.85, s, 20)).toEqual({ at: 4, verdict: "below", uncertain: false });
  });

  it("falls back to the strict count after all m anchors and flags the verdict uncertain", () => {
    // 16 clear wins + a near tie: strictly 17 wins (> 16: above), but either way the tie went decides it.
    const up = seq("16W 1t+ 3L");
    expect(firstDecision(0.8, up, 20)).toEqual({ at: 20, verdict: "above", uncertain: true });
    expect(exhaustive(0.8, up)).toBe("above");
    const down = seq("16W 1t- 3L");
    expect(firstDecision(0.8, down, 20)).toEqual({ at: 20, verdict: "below", uncertain: true });
    expect(exhaustive(0.8, down)).toBe("below");
  });

  it("rejects an impossible tally", () => {
    expect(() => decideThreshold(0.5, { anchors: 4, resolved: 5, clearWins: 0, nearTies: 0, strictWins: 0 })).toThrow(RangeError);
    expect(() => decideThreshold(0.5, { anchors: 4, resolved: 2, clearWins: 2, nearTies: 1, strictWins: 2 })).toThrow(RangeError);
    expect(() => decideThreshold(0.5, { anchors: 4, resolved: 2, clearWins: 1, nearTies: 0, strictWins: 2 })).toThrow(RangeError);
  });
});

describe("chunk sizes", () => {
  const none = (anchors: number): SelectTally => ({ anchors, resolved: 0, clearWins: 0, nearTies: 0, strictWins: 0 });

  it("asks for exactly the anchors that could decide the nearest verdict", () => {
    expect(nextChunkSize([0.8], none(20))).toBe(4); // 4 losses would settle below
    expect(nextChunkSize([0.5], none(20))).toBe(10);
    expect(nextChunkSize([0.5, 0.8, 0.85], none(20))).toBe(3); // 0.85: 3 losses
    expect(nextChunkSize([0.8], tallyAfter(seq("2W 2L"), 20))).toBe(2);
    expect(nextChunkSize([0.8], tallyAfter(seq("16W"), 20))).toBe(1); // one more win decides above
  });

  it("respects the minimum chunk, never exceeds what is left, and is 0 when everything is decided", () => {
    expect(nextChunkSize([0.8], none(20), 8)).toBe(8);
    expect(nextChunkSize([0.8], tallyAfter(seq("16W 2L"), 20), 8)).toBe(2);
    expect(nextChunkSize([0.8], tallyAfter(seq("4L"), 20))).toBe(0);
    expect(nextChunkSize([1], none(20))).toBe(0);
  });

  it("scores to the end when only the strict fallback can decide", () => {
    // 16 clear wins, 1 near tie, 2 losses, 1 left: neither verdict is reachable conservatively before the end.
    expect(nextChunkSize([0.8], tallyAfter(seq("16W 1t+ 2L"), 20))).toBe(1);
  });

  it("finds the smallest win count above a threshold with the rule's own division", () => {
    expect(smallestAbove(0.8, 20)).toBe(17);
    expect(smallestAbove(0.85, 20)).toBe(18);
    expect(smallestAbove(0.5, 20)).toBe(11);
    expect(smallestAbove(0, 20)).toBe(1);
    expect(smallestAbove(1, 20)).toBe(21);
    expect(smallestAbove(0.1, 3)).toBe(1);
  });
});
