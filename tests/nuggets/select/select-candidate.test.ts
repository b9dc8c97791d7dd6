import { describe, expect, it } from "vitest";
import type { ScoreResult, SuffixScoreRequest } from "../../../shared/engines/engine.js";
import type { PreparedAnchor } from "../../../shared/nuggets/anchor-tokens.js";
import { NUGGETS_PRESETS } from "../../../shared/nuggets/presets.js";
import { scoreCandidateCounted } from "../../../shared/nuggets/score-candidate.js";
import { scoreLine } from "../../../shared/nuggets/score-line.js";
import { anchorOrder, candidateHash } from "../../../shared/nuggets/select/anchor-order.js";
import { selectCandidate } from "../../../shared/nuggets/select/select-candidate.js";
import { mulberry32 } from "../../../shared/random/mulberry32.js";
import { NuggetsDecidedScoreSchema } from "../../../schemas/nuggets.js";

const preset = NUGGETS_PRESETS.paper;
const BOS = 1;

/** Anchor j is tokens [50, 1000 + j]: one query token and one answer token whose log-prob the table gives. */
const anchorsOf = (m: number): PreparedAnchor[] =>
  Array.from({ length: m }, (_, j) => ({ tokens: [50, 1000 + j], spanStart: 1, spanEnd: 2, queryTokens: 1, fullTokens: 2 }));

/** An engine that answers one-shot sums from a table (candidate token → per-anchor sum) and counts pairs. */
class TableEngine {
  readonly contextSize = 64;
  readonly bosToken = BOS;
  readonly calls: number[][] = [];
  constructor(private readonly table: Map<number, readonly number[]>) {}
  async scoreSuffixes(request: SuffixScoreRequest): Promise<ScoreResult[]> {
    const sums = this.table.get(request.prefix.at(-1)!)!;
    const anchors = request.suffixes.map((s) => s.tokens[1]! - 1000);
    this.calls.push(anchors);
    return anchors.map((j) => ({ logprobs: [sums[j]!] }));
  }
  get pairs(): number {
    return this.calls.reduce((n, c) => n + c.length, 0);
  }
}

/** Random one-shot sums around a zero-shot of -300: wins, losses and (about one in six) near ties. */
function randomCase(seed: number, m: number, candidates: number) {
  const next = mulberry32(seed);
  const zeroShot = Array.from({ length: m }, () => -300);
  const table = new Map<number, number[]>();
  for (let c = 0; c < candidates; c++) {
    const p = next(); // this candidate's win rate
    table.set(
      2000 + c,
      Array.from({ length: m }, () => {
        const r = next();
        if (r < 0.15) return -300 + (next() - 0.5) * 0.4; // within 0.2 + 1.5e-3·300 = 0.65 nats: a near tie
        return r < 0.15 + 0.85 * p ? -300 + 1 + next() * 5 : -300 - 1 - next() * 5;
      }),
    );
  }
  return { zeroShot, table };
}

describe("selectCandidate", () => {
  const thresholds = [0.5, 0.8, 0.85];

  it("decides every threshold as the exhaustive golden score would, scoring fewer pairs (400 random candidates)", async () => {
    const m = 20;
    const { zeroShot, table } = randomCase(7, m, 400);
    const anchors = anchorsOf(m);
    let selectPairs = 0;
    let uncertain = 0;
    for (const [token] of table) {
      const full = await scoreCandidateCounted({ index: 0, candidateTokens: [token], anchors, zeroShot, engine: new TableEngine(table), preset });
      if (full.record.status !== "scored") throw new Error("not scored");
      const engine = new TableEngine(table);
      const order = anchorOrder(3, String(token).padStart(8, "0"), m);
      const { record, enginePairs } = await selectCandidate({ index: 0, candidateTokens: [token], anchors, zeroShot, engine, preset, thresholds, order, seed: 3 });
      if (record.status !== "decided") throw new Error("not decided");
      NuggetsDecidedScoreSchema.parse(record);
      for (const t of thresholds) expect(record.decisions[String(t)], `t=${t}`).toBe(full.record.goldenScore > t ? "above" : "below");
      expect(enginePairs).toBe(engine.pairs);
      expect(record.anchorsScored).toBe(enginePairs);
      // Anchors were scored in the seeded order, and the engine was asked about each at most once.
      expect(engine.calls.flat()).toEqual(order.slice(0, record.anchorsScored));
      const [lo, hi] = record.bounds;
      expect(lo).toBeLessThanOrEqual(full.record.goldenScore);
      expect(hi).toBeGreaterThanOrEqual(full.record.goldenScore);
      expect(hi - lo).toBeCloseTo((m - record.anchorsScored) / m, 12);
      if (record.anchorsScored === m) expect(record.goldenScore).toBe(full.record.goldenScore);
      else expect(record.goldenScore).toBeUndefined();
      selectPairs += enginePairs;
      uncertain += record.uncertain.length;
    }
    expect(selectPairs).toBeLessThan(400 * m);
    expect(uncertain).toBeGreaterThan(0); // the case has near ties that straddle a threshold
  });

  it("flags a verdict only the strict comparison decided, and names its near ties", async () => {
    // m = 5: 3 clear wins, anchor 3 a near tie that strictly wins, anchor 4 a clear loss. GS > 0.7 holds strictly
    // (4/5), but the near tie going the other way (3/5) would not hold it: above, uncertain.
    const zeroShot = [-300, -300, -300, -300, -300];
    const table = new Map([[2000, [-290, -290, -290, -299.9, -310]]]);
    const engine = new TableEngine(table);
    const { record } = await selectCandidate({
      index: 9, candidateTokens: [2000], anchors: anchorsOf(5), zeroShot, engine, preset, thresholds: [0.5, 0.7], order: [0, 1, 2, 3, 4], seed: 0,
    });
    expect(record).toMatchObject({
      status: "decided",
      decisions: { "0.5": "above", "0.7": "above" },
      uncertain: ["0.7"],
      anchorsScored: 5,
      wins: 4,
      nearTies: [3],
      goldenScore: 0.8,
      goldenScoreRange: [0.6, 0.8],
    });
  });

  it("uses known sums where the procedure reaches them and writes the same line as without them", async () => {
    const m = 20;
    const { zeroShot, table } = randomCase(11, m, 50);
    const anchors = anchorsOf(m);
    let saved = 0;
    for (const [token, sums] of table) {
      const order = anchorOrder(0, String(token), m);
      const input = { index: 1, candidateTokens: [token], anchors, zeroShot, preset, thresholds: [0.8], order, seed: 0 };
      const fresh = await selectCandidate({ ...input, engine: new TableEngine(table) });
      // Half the sums known, from an earlier job (select or exhaustive).
      const known = sums.map((v, j) => (j % 2 === 0 ? v : null));
      const engine = new TableEngine(table);
      const again = await selectCandidate({ ...input, engine, known });
      expect(scoreLine(again.record, { raw: true })).toBe(scoreLine(fresh.record, { raw: true }));
      expect(engine.calls.flat().every((j) => j % 2 === 1)).toBe(true);
      expect(again.enginePairs + again.reusedPairs).toBe(fresh.enginePairs);
      saved += again.reusedPairs;
    }
    expect(saved).toBeGreaterThan(0);
  });

  it("makes no engine call when every anchor it needs is known, and exhaustive scoring likewise", async () => {
    const m = 8;
    const { zeroShot, table } = randomCase(5, m, 1);
    const [token, sums] = [...table][0]!;
    const engine = new TableEngine(table);
    const sel = await selectCandidate({ index: 0, candidateTokens: [token], anchors: anchorsOf(m), zeroShot, engine, preset, thresholds: [0.5], order: anchorOrder(0, "x", m), seed: 0, known: sums });
    const ex = await scoreCandidateCounted({ index: 0, candidateTokens: [token], anchors: anchorsOf(m), zeroShot, engine, preset, known: sums });
    expect(engine.calls).toEqual([]);
    expect(ex.enginePairs).toBe(0);
    expect(ex.reusedPairs).toBe(m);
    expect(sel.enginePairs).toBe(0);
  });

  it("skips a candidate that does not fit, without calling the engine", async () => {
    const engine = new TableEngine(new Map());
    const { record } = await selectCandidate({
      index: 2, candidateTokens: new Array(70).fill(7), anchors: anchorsOf(3), zeroShot: [0, 0, 0], engine, preset, thresholds: [0.5], order: [0, 1, 2], seed: 0,
    });
    expect(record.status).toBe("skipped");
    expect(engine.calls).toEqual([]);
  });

  it("rejects an order that is not a permutation and a threshold outside [0, 1]", async () => {
    const base = { index: 0, candidateTokens: [2000], anchors: anchorsOf(3), zeroShot: [0, 0, 0], engine: new TableEngine(new Map()), preset, seed: 0 };
    await expect(selectCandidate({ ...base, thresholds: [0.5], order: [0, 0, 1] })).rejects.toThrow(/permutation/);
    await expect(selectCandidate({ ...base, thresholds: [1.5], order: [0, 1, 2] })).rejects.toThrow(/not in \[0, 1\]/);
  });
});

describe("anchorOrder", () => {
  it("is a permutation fixed by (seed, content), different across candidates and seeds", () => {
    const h = candidateHash({ instruction: "Add 2 and 3.", output: "5" });
    expect(candidateHash({ instruction: "Add 2 and 3.", input: "", output: "5" })).toBe(h);
    const a = anchorOrder(0, h, 50);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(anchorOrder(0, h, 50)).toEqual(a);
    expect(anchorOrder(1, h, 50)).not.toEqual(a);
    expect(anchorOrder(0, candidateHash({ instruction: "Add 2 and 4.", output: "6" }), 50)).not.toEqual(a);
    expect(anchorOrder(2 ** 40, h, 50)).not.toEqual(anchorOrder(0, h, 50));
  });
});
