import { describe, expect, it } from "vitest";
import { EngineError } from "../../shared/errors.js";
import { prepareAnchor, prepareCandidate, type PreparedAnchor } from "../../shared/nuggets/anchor-tokens.js";
import { NUGGETS_PRESETS } from "../../shared/nuggets/presets.js";
import { oneShotPrompt, planOneShot, sumSpan, zeroShotPrompt } from "../../shared/nuggets/prompts.js";
import { scoreCandidate, scorePairDirect, zeroShotScores } from "../../shared/nuggets/score-candidate.js";
import { NuggetsCandidateScoreSchema, type NuggetsPreset } from "../../schemas/nuggets.js";
import { charTokenize, FakeScoringEngine } from "./fakes.js";

const { paper, reference } = NUGGETS_PRESETS;
const BOS = 1;

const anchorExamples = [
  { instruction: "Name a colour.", output: "red" },
  { instruction: "Add.", input: "2 3", output: "5" },
  { instruction: "Greet.", output: "hello there" },
];
const candidateExample = { instruction: "Spell cat.", output: "c-a-t" };

async function setup(preset: NuggetsPreset, contextSize = 512) {
  const anchors = await Promise.all(anchorExamples.map((e) => prepareAnchor(e, charTokenize, preset, contextSize)));
  const candidateTokens = await prepareCandidate(candidateExample, charTokenize);
  return { anchors, candidateTokens };
}

describe("prompt building", () => {
  it("should put BOS in front of both conditions in the paper preset", async () => {
    const { anchors, candidateTokens } = await setup(paper);
    const a = anchors[0]!;
    const zs = zeroShotPrompt(a, paper, BOS);
    expect(zs.tokens).toEqual([BOS, ...a.tokens]);
    expect(zs.from).toBe(1 + a.spanStart);
    const os = oneShotPrompt(candidateTokens, a, paper, BOS);
    expect(os.tokens).toEqual([BOS, ...candidateTokens, ...a.tokens]);
    expect(os.from).toBe(1 + candidateTokens.length + a.spanStart);
  });

  it("should leave BOS out of the zero-shot prompt only, in the reference preset", async () => {
    const { anchors, candidateTokens } = await setup(reference);
    const a = anchors[1]!;
    const zs = zeroShotPrompt(a, reference, BOS);
    expect(zs.tokens).toEqual(a.tokens);
    expect(zs.from).toBe(a.spanStart);
    expect(oneShotPrompt(candidateTokens, a, reference, BOS).tokens[0]).toBe(BOS);
  });

  it("should add no BOS for a model without one", async () => {
    const { anchors, candidateTokens } = await setup(paper);
    expect(oneShotPrompt(candidateTokens, anchors[0]!, paper, null).tokens).toEqual([
      ...candidateTokens,
      ...anchors[0]!.tokens,
    ]);
  });

  it("should build one shared-prefix request with the anchors' spans, leaving out empty spans", async () => {
    const { anchors, candidateTokens } = await setup(paper);
    const empty: PreparedAnchor = { tokens: [5, 6, 7], spanStart: 3, spanEnd: 3, queryTokens: 9, fullTokens: 12 };
    const { request, anchorIndices } = planOneShot(candidateTokens, [anchors[0]!, empty, anchors[2]!], paper, BOS);
    expect(request.prefix).toEqual([BOS, ...candidateTokens]);
    expect(anchorIndices).toEqual([0, 2]);
    expect(request.suffixes.map((s) => s.from)).toEqual([anchors[0]!.spanStart, anchors[2]!.spanStart]);
  });
});

describe("scoreCandidate", () => {
  for (const preset of [paper, reference]) {
    it(`should match one full prompt per pair and call scoreSuffixes once (${preset.name})`, async () => {
      const { anchors, candidateTokens } = await setup(preset);
      const engine = new FakeScoringEngine();
      const zeroShot = await zeroShotScores(anchors, engine, preset);
      expect(engine.scoreCalls).toHaveLength(1);
      const record = await scoreCandidate({ index: 4, candidateTokens, anchors, zeroShot, engine, preset });
      expect(engine.suffixCalls).toHaveLength(1);

      const directZero = await Promise.all(anchors.map((a) => scorePairDirect(null, a, engine, preset)));
      const directOne = await Promise.all(anchors.map((a) => scorePairDirect(candidateTokens, a, engine, preset)));
      expect(zeroShot).toEqual(directZero);
      expect(NuggetsCandidateScoreSchema.parse(record)).toEqual(record);
      if (record.status !== "scored") throw new Error("expected a scored record");
      expect(record.oneShot).toEqual(directOne);
      const wins = directOne.filter((s, j) => s > directZero[j]!).length;
      expect(record).toMatchObject({ preset: preset.name, index: 4, wins, anchors: 3, goldenScore: wins / 3 });
      expect(record.maxAnchorTokens).toBe(preset.maxAnchorTokens);
    });
  }

  it("should give the two presets different zero-shot sums (BOS or not) and the same one-shot sums", async () => {
    const engine = new FakeScoringEngine();
    const p = await setup(paper);
    const r = await setup(reference);
    expect(p.anchors).toEqual(r.anchors);
    const zp = await zeroShotScores(p.anchors, engine, paper);
    const zr = await zeroShotScores(r.anchors, engine, reference);
    expect(zp).not.toEqual(zr);
    expect(engine.scoreCalls[1]!.every((req) => req.tokens[0] !== BOS)).toBe(true);
    const op = await scoreCandidate({ index: 0, ...p, zeroShot: zp, engine, preset: paper });
    const or = await scoreCandidate({ index: 0, ...r, zeroShot: zr, engine, preset: reference });
    if (op.status !== "scored" || or.status !== "scored") throw new Error("expected scored records");
    expect(op.oneShot).toEqual(or.oneShot);
  });

  it("should score an empty span 0 = 0, a tie, so a loss, without asking the engine about it", async () => {
    // One-shot always better than zero-shot: the candidate marker (token 9) in context lifts every log-prob.
    const lift = (ctx: readonly number[]) => (ctx.includes(9) ? -1 : -2);
    const engine = new FakeScoringEngine(4096, BOS, lift);
    const fits = await prepareAnchor({ instruction: "Q", output: "ab" }, charTokenize, reference, 4096);
    const empty = await prepareAnchor(
      { instruction: "x".repeat(250), output: "never scored" },
      charTokenize,
      reference,
      4096,
    );
    const anchors = [fits, empty];
    const zeroShot = await zeroShotScores(anchors, engine, reference);
    expect(zeroShot).toEqual([-4, 0]);
    const record = await scoreCandidate({ index: 0, candidateTokens: [9], anchors, zeroShot, engine, preset: reference });
    expect(engine.suffixCalls[0]!.suffixes).toHaveLength(1);
    expect(record).toMatchObject({ status: "scored", oneShot: [-2, 0], wins: 1, goldenScore: 0.5 });
  });

  it("should skip, with its reason, a candidate whose one-shot prompt would overflow the context", async () => {
    const engine = new FakeScoringEngine(120);
    const { anchors } = await setup(paper, 120);
    const zeroShot = await zeroShotScores(anchors, engine, paper);
    const longest = Math.max(...anchors.map((a) => a.tokens.length));
    const candidateTokens = new Array(120 - 1 - longest + 1).fill(7);
    const record = await scoreCandidate({ index: 2, candidateTokens, anchors, zeroShot, engine, preset: paper });
    expect(record.status).toBe("skipped");
    expect(NuggetsCandidateScoreSchema.parse(record)).toEqual(record);
    if (record.status === "skipped") expect(record.reason).toMatch(/121 tokens .* context of 120/);
    expect(engine.suffixCalls).toHaveLength(0);

    // One token shorter fits exactly and is scored.
    const fits = await scoreCandidate({
      index: 2,
      candidateTokens: candidateTokens.slice(1),
      anchors,
      zeroShot,
      engine,
      preset: paper,
    });
    expect(fits.status).toBe("scored");
  });

  it("should refuse zero-shot scores that do not match the anchors", async () => {
    const { anchors, candidateTokens } = await setup(paper);
    const engine = new FakeScoringEngine();
    await expect(
      scoreCandidate({ index: 0, candidateTokens, anchors, zeroShot: [0], engine, preset: paper }),
    ).rejects.toThrow(/do not match/);
  });

  it("should fail rather than sum a range the engine got wrong", async () => {
    const a: PreparedAnchor = { tokens: [3, 4, 5, 6], spanStart: 2, spanEnd: 4, queryTokens: 2, fullTokens: 4 };
    expect(sumSpan({ logprobs: [-1, -2] }, a, 0)).toBe(-3);
    expect(() => sumSpan({ logprobs: [-1, -2, -3] }, a, 0)).toThrow(EngineError);
    expect(() => sumSpan({ logprobs: [-1, Number.NaN] }, a, 0)).toThrow(/NaN/);
    expect(() => sumSpan(undefined, a, 0)).toThrow(EngineError);
  });
});
