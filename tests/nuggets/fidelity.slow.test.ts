/**
 * Fidelity of `assay nuggets score`'s in-process path against a direct computation of REFERENCE.md §1, on the real
 * embedded engine: the first 40 Alpaca candidates × the first 20 K-Means anchors with the reference preset, and a
 * slice of them with the paper preset.
 *
 * The direct computation is written here from the template text, not with the prompt builders under test: each
 * (candidate, anchor) pair is one full prompt sent through `engine.score` on its own. Pairs are visited anchor-major,
 * so consecutive prompts share only BOS and the template's first tokens and the engine cannot reuse a candidate's KV
 * cache across calls; the path under test computes each candidate once and scores every anchor after it.
 *
 * stories260K has a 512-token context and the anchors' GPT-4 answers run to 1,400 tokens, so the `paper` preset's
 * only cap (the context) leaves no room for any candidate: every candidate is skipped. The paper preset is therefore
 * run with `maxAnchorTokens: 200` (the reference preset's cap); the two presets then score the same one-shot prompts
 * and differ only by the zero-shot BOS — which is exactly the quirk the presets exist for.
 *
 * The two sides split prompts into batches differently, and llama.cpp's sums depend on that and on the CPU's kernels
 * (up to 1.1e-3 of a sum across CPUs; 5.6e-5 between these two paths with AVX2 kernels, 0 with AVX-512): sums are
 * compared within `LOGPROB_SUM_TOLERANCE` (0.2 nats + 1.5e-3 of the sum; the figures are in
 * `shared/numerics/logprob-tolerance.ts`), and a candidate's wins may differ from the direct computation's only by
 * its near ties (pairs whose margin is inside the tolerance). A wrong BOS, span or template moves sums outside it
 * (`tolerance-sensitivity.test.ts`).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedFile } from "../../shared/config/shared-files.js";
import { createEmbeddedEngine, type EmbeddedEngine } from "../../shared/engines/embedded/index.js";
import {
  compareForGoldenScore,
  sumTolerance,
  winsRange,
  withinTolerance,
  type WinsRange,
} from "../../shared/numerics/logprob-tolerance.js";
import { parseDataset } from "../../shared/nuggets/dataset.js";
import { scoreDatasetInProcess } from "../../shared/nuggets/local/run-local-scoring.js";
import { resolvePreset } from "../../shared/nuggets/presets.js";
import type { NuggetsCandidateScore, NuggetsExample } from "../../schemas/nuggets.js";

/**
 * 40 × 20 is the acceptance size (about 5 minutes on one thread of this 2-core machine: llama.cpp evaluates
 * stories260K at ~1,700 tokens/s here and the test evaluates ~500k tokens). `ASSAY_FIDELITY_SIZE=12x8` runs a
 * smaller slice of the same data for a quick check.
 */
const [CANDIDATES, ANCHORS] = (process.env.ASSAY_FIDELITY_SIZE ?? "40x20").split("x").map(Number) as [number, number];
/**
 * The paper preset runs on a slice: with the cap above its one-shot prompts are the reference preset's, so the
 * slice checks what differs (the zero-shot BOS) without paying for the full size twice.
 */
const [PAPER_CANDIDATES, PAPER_ANCHORS] = (process.env.ASSAY_FIDELITY_PAPER_SIZE ?? "12x8").split("x").map(Number) as [number, number];
const ANCHOR_CAP = 200;

/** The NUGGETS template, from REFERENCE.md §1 (fields stripped; the data holds no exotic whitespace). */
function render(e: NuggetsExample): { query: string; full: string } {
  const instruction = e.instruction.trim();
  const input = (e.input ?? "").trim();
  const output = e.output.trim();
  const query = input
    ? "Instruction:\n" + instruction + "\nInput:\n" + input + "\nResponse:\n"
    : "Instruction:\n" + instruction + "\nResponse:\n";
  return { query, full: query + output };
}

interface DirectAnchor {
  /** tok(full) cut at the cap. */
  readonly tokens: number[];
  /** len(tok(query)), clamped to the cut. */
  readonly answerFrom: number;
}

interface DirectCondition {
  readonly zeroShotBos: boolean;
  readonly cap: number;
}

/** The per-candidate outcome of the direct computation; `range` holds its near ties. */
type DirectResult =
  | { status: "scored"; wins: number; goldenScore: number; oneShot: number[]; range: WinsRange }
  | { status: "skipped" };

/** The direct computation of one preset: zero-shot sums and each candidate's outcome. */
interface Direct {
  readonly zeroShot: number[];
  readonly results: DirectResult[];
}

let engine: EmbeddedEngine;
let candidates: NuggetsExample[];
let anchors: NuggetsExample[];
let bos: number;
/** One-shot sums by prompt: the two presets send identical one-shot prompts, so each is scored once. */
const oneShotMemo = new Map<string, number>();
const timings: string[] = [];

async function sumOfAnswer(tokens: number[], from: number): Promise<number> {
  if (from >= tokens.length) return 0; // no answer token survived the cut: 0 in both conditions
  const [result] = await engine.score([{ tokens, from }]);
  expect(result!.logprobs).toHaveLength(tokens.length - from);
  return result!.logprobs.reduce((a, b) => a + b, 0);
}

async function directGoldenScores(
  condition: DirectCondition,
  candidates: NuggetsExample[],
  anchors: NuggetsExample[],
): Promise<Direct> {
  const prepared: DirectAnchor[] = [];
  for (const a of anchors) {
    const { query, full } = render(a);
    const tokens = (await engine.tokenize(full)).slice(0, condition.cap);
    prepared.push({ tokens, answerFrom: Math.min((await engine.tokenize(query)).length, tokens.length) });
  }
  const zeroShot: number[] = [];
  for (const a of prepared) {
    const lead = condition.zeroShotBos ? [bos] : [];
    zeroShot.push(await sumOfAnswer([...lead, ...a.tokens], lead.length + a.answerFrom));
  }
  const candidateTokens = await Promise.all(candidates.map(async (c) => engine.tokenize(render(c).full)));
  const fits = candidateTokens.map((c) => prepared.every((a) => 1 + c.length + a.tokens.length <= engine.contextSize));
  const oneShot = candidates.map(() => new Array<number>(anchors.length).fill(0));
  for (const [j, a] of prepared.entries()) {
    for (const [k, c] of candidateTokens.entries()) {
      if (!fits[k]) continue;
      const tokens = [bos, ...c, ...a.tokens];
      const from = 1 + c.length + a.answerFrom;
      const key = `${from}:${tokens.join(",")}`;
      let sum = oneShotMemo.get(key);
      if (sum === undefined) {
        sum = await sumOfAnswer(tokens, from);
        oneShotMemo.set(key, sum);
      }
      oneShot[k]![j] = sum;
    }
  }
  const results = candidates.map((_, k): DirectResult => {
    if (!fits[k]) return { status: "skipped" };
    const wins = oneShot[k]!.filter((s, j) => s > zeroShot[j]!).length;
    const range = winsRange(zeroShot, oneShot[k]!);
    return { status: "scored", wins, goldenScore: wins / anchors.length, oneShot: oneShot[k]!, range };
  });
  return { zeroShot, results };
}

async function inProcess(
  presetName: "paper" | "reference",
  candidates: NuggetsExample[],
  anchors: NuggetsExample[],
): Promise<NuggetsCandidateScore[]> {
  const preset = resolvePreset(presetName, presetName === "paper" ? { maxAnchorTokens: ANCHOR_CAP } : {});
  const records: NuggetsCandidateScore[] = [];
  for await (const r of scoreDatasetInProcess({ candidates, anchors, engine, preset })) records.push(r);
  return records;
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const value = await work();
  timings.push(`${label} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return value;
}

/** How the path under test compared with the direct computation, for the log. */
interface Agreement {
  /** Largest |Δ one-shot sum| / tolerance (≤ 1 passes). */
  maxDiffOverTolerance: number;
  maxAbsDiff: number;
  /** Near ties in the direct computation, over all scored pairs. */
  nearTies: number;
  pairs: number;
  /** Candidates whose wins differ from the direct computation's (by near ties only, or the test fails). */
  winsDiffering: number;
}

function expectSame(records: NuggetsCandidateScore[], direct: Direct, candidates: NuggetsExample[]): Agreement {
  expect(records.map((r) => r.index)).toEqual(candidates.map((_, i) => i));
  const agreement: Agreement = { maxDiffOverTolerance: 0, maxAbsDiff: 0, nearTies: 0, pairs: 0, winsDiffering: 0 };
  const sumsOutside: string[] = [];
  const winsOutside: string[] = [];
  records.forEach((record, k) => {
    const expected = direct.results[k]!;
    expect({ index: k, status: record.status }).toEqual({ index: k, status: expected.status });
    if (record.status !== "scored" || expected.status !== "scored") return;
    expect(record.goldenScore).toBe(record.wins / record.anchors);
    record.oneShot.forEach((s, j) => {
      const d = expected.oneShot[j]!;
      const ratio = Math.abs(s - d) / sumTolerance(s, d);
      agreement.maxDiffOverTolerance = Math.max(agreement.maxDiffOverTolerance, ratio);
      agreement.maxAbsDiff = Math.max(agreement.maxAbsDiff, Math.abs(s - d));
      if (!withinTolerance(s, d)) sumsOutside.push(`candidate ${k} anchor ${j}: ${s} vs direct ${d}`);
    });
    // Only a near tie may be decided the other way: wins within [clear wins, clear wins + near ties].
    const { min, max, nearTies } = expected.range;
    agreement.nearTies += nearTies;
    agreement.pairs += expected.oneShot.length;
    if (record.wins !== expected.wins) agreement.winsDiffering++;
    if (record.wins < min || record.wins > max) {
      winsOutside.push(`candidate ${k}: ${record.wins} wins, direct ${expected.wins} with ${nearTies} near ties (${min}–${max})`);
    }
  });
  expect(sumsOutside, "one-shot sums outside the tolerance").toEqual([]);
  expect(winsOutside, "wins that differ by more than the near ties").toEqual([]);
  return agreement;
}

const results: Record<string, { records: NuggetsCandidateScore[]; direct: Direct; agreement: Agreement }> = {};

describe(`nuggets score fidelity (embedded stories260K, ${CANDIDATES} candidates × ${ANCHORS} anchors)`, () => {
  beforeAll(async () => {
    engine = await createEmbeddedEngine({ name: "fidelity", modelPath: sharedFile("models/stories260K.gguf"), threads: 1 });
    bos = engine.bosToken!;
    candidates = parseDataset(readFileSync(sharedFile("data/alpaca/alpaca_5000.json"), "utf8")).examples.slice(0, CANDIDATES);
    anchors = parseDataset(readFileSync(sharedFile("data/nuggets/alpaca_gpt4_kmeans_100.json"), "utf8")).examples.slice(
      0,
      ANCHORS,
    );
  });

  afterAll(async () => {
    await engine?.close();
    const scored = (p: string) => results[p]?.records.filter((r) => r.status === "scored").length;
    const agreed = (p: string) => {
      const a = results[p]?.agreement;
      if (!a) return `${p} not compared`;
      return (
        `${p}: max |Δ one-shot| ${a.maxAbsDiff.toExponential(1)} nats (${a.maxDiffOverTolerance.toFixed(3)} of the tolerance), ` +
        `${a.nearTies} of ${a.pairs} pairs near ties, ${a.winsDiffering} candidates' wins differ`
      );
    };
    console.log(
      `fidelity ${CANDIDATES}x${ANCHORS}: scored reference ${scored("reference")}, paper ${scored("paper")}; ` +
        `${agreed("reference")}; ${agreed("paper")}; ${timings.join(", ")}`,
    );
  });

  it("should give the direct computation's sums within the tolerance, and its wins up to near ties, with the reference preset", async () => {
    const direct = await timed("direct reference", () =>
      directGoldenScores({ zeroShotBos: false, cap: ANCHOR_CAP }, candidates, anchors),
    );
    const records = await timed("in-process reference", () => inProcess("reference", candidates, anchors));
    results.reference = { records, direct, agreement: expectSame(records, direct, candidates) };
  }, 600_000);

  it(`should give the direct computation's sums within the tolerance, and its wins up to near ties, with the paper preset (${PAPER_CANDIDATES} × ${PAPER_ANCHORS})`, async () => {
    const cands = candidates.slice(0, PAPER_CANDIDATES);
    const anchs = anchors.slice(0, PAPER_ANCHORS);
    const direct = await timed("direct paper", () => directGoldenScores({ zeroShotBos: true, cap: ANCHOR_CAP }, cands, anchs));
    const records = await timed("in-process paper", () => inProcess("paper", cands, anchs));
    results.paper = { records, direct, agreement: expectSame(records, direct, cands) };
  }, 600_000);

  it("should be a meaningful comparison: most candidates scored, golden scores vary, presets decide pairs differently", async () => {
    const { reference, paper } = results;
    expect(reference && paper).toBeTruthy();
    const scored = (rs: NuggetsCandidateScore[]) => rs.flatMap((r) => (r.status === "scored" ? [r.goldenScore] : []));
    expect(scored(reference!.records).length).toBeGreaterThanOrEqual(CANDIDATES / 2);
    expect(new Set(scored(reference!.records)).size).toBeGreaterThan(2);
    expect(new Set(scored(paper!.records)).size).toBeGreaterThan(2);
    // Same candidates, same anchors, same one-shot prompts: only the zero-shot BOS differs, and it decides some pairs
    // the other way by more than the tolerance (near ties under either preset do not count): 7 pairs at 12 × 8.
    const referenceOnSlice = await directGoldenScores(
      { zeroShotBos: false, cap: ANCHOR_CAP },
      candidates.slice(0, PAPER_CANDIDATES),
      anchors.slice(0, PAPER_ANCHORS),
    );
    const paperDirect = paper!.direct;
    let decidedOtherwise = 0;
    referenceOnSlice.results.forEach((r, k) => {
      if (r.status !== "scored") return;
      r.oneShot.forEach((s, j) => {
        const underReference = compareForGoldenScore(s, referenceOnSlice.zeroShot[j]!);
        const underPaper = compareForGoldenScore(s, paperDirect.zeroShot[j]!);
        if (underReference !== "near-tie" && underPaper !== "near-tie" && underReference !== underPaper) decidedOtherwise++;
      });
      expect(paperDirect.results[k]).toMatchObject({ status: "scored", oneShot: r.oneShot });
    });
    console.log(`presets: ${decidedOtherwise} pairs decided otherwise beyond the tolerance by the zero-shot BOS alone`);
    expect(decidedOtherwise).toBeGreaterThan(0);
    // Every one-shot prompt of the paper preset was one the reference preset had already sent.
    expect(oneShotMemo.size).toBeLessThanOrEqual(CANDIDATES * ANCHORS);
  });
});
