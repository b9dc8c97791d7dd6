import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EngineCapabilities } from "../../shared/engines/engine.js";
import { CapabilityError } from "../../shared/errors.js";
import { prepareAnchor, prepareCandidate } from "../../shared/nuggets/anchor-tokens.js";
import { openAtomicFile } from "../../shared/nuggets/local/atomic-file.js";
import { parseEngineSpec } from "../../shared/nuggets/local/engine-spec.js";
import { scoreLine } from "../../shared/nuggets/score-line.js";
import { formatDuration, progressSnapshot, type ScoringProgress } from "../../shared/nuggets/local/progress.js";
import { scoreDatasetInProcess, type LocalScoringEngine } from "../../shared/nuggets/local/run-local-scoring.js";
import { meanGoldenScore, summaryLine } from "../../shared/nuggets/local/summary.js";
import { resolvePreset } from "../../shared/nuggets/presets.js";
import { scoreCandidate, zeroShotScores } from "../../shared/nuggets/score-candidate.js";
import { NuggetsCandidateScoreSchema, type NuggetsCandidateScore, type NuggetsExample } from "../../schemas/nuggets.js";
import { charTokenize, FakeScoringEngine } from "./fakes.js";

const CAPABILITIES: EngineCapabilities = {
  chat: false,
  promptLogprobs: true,
  sharedPrefix: true,
  generate: false,
  embeddings: false,
  kvSequences: false,
};

/** The recording fake scorer with the few extra members an in-process run asks for. */
function fakeEngine(contextSize = 512, capabilities = CAPABILITIES) {
  const fake = new FakeScoringEngine(contextSize);
  let tokenizeCalls = 0;
  const engine: LocalScoringEngine = {
    name: "fake-scorer",
    capabilities,
    contextSize: fake.contextSize,
    bosToken: fake.bosToken,
    tokenize: async (text) => {
      tokenizeCalls++;
      return charTokenize(text);
    },
    score: (rs) => fake.score(rs),
    scoreSuffixes: (r) => fake.scoreSuffixes(r),
  };
  return { engine, fake, tokenizeCalls: () => tokenizeCalls };
}

const anchors: NuggetsExample[] = [
  { instruction: "Name a colour.", output: "red" },
  { instruction: "Add.", input: "2 3", output: "5" },
  { instruction: "Greet.", output: "hello there" },
];
const candidates: NuggetsExample[] = [
  { instruction: "Spell cat.", output: "c-a-t" },
  { instruction: "Say yes.", output: "yes" },
  { instruction: "Write a long answer.", output: "x".repeat(300) },
  { instruction: "Count.", input: "1 2", output: "3" },
];

async function collect(iterable: AsyncIterable<NuggetsCandidateScore>): Promise<NuggetsCandidateScore[]> {
  const out: NuggetsCandidateScore[] = [];
  for await (const r of iterable) out.push(r);
  return out;
}

describe("scoreDatasetInProcess", () => {
  it("should give, per candidate and in order, the record the worker core gives", async () => {
    const preset = resolvePreset("reference");
    const { engine } = fakeEngine(320);
    const records = await collect(scoreDatasetInProcess({ candidates, anchors, engine, preset }));

    const ref = fakeEngine(320).engine;
    const prepared = await Promise.all(anchors.map((a) => prepareAnchor(a, charTokenize, preset, 320)));
    const zeroShot = await zeroShotScores(prepared, ref, preset);
    const expected = await Promise.all(
      candidates.map(async (c, index) =>
        scoreCandidate({ index, candidateTokens: await prepareCandidate(c, charTokenize), anchors: prepared, zeroShot, engine: ref, preset }),
      ),
    );
    expect(records).toEqual(expected);
    expect(records.map((r) => r.status)).toEqual(["scored", "scored", "skipped", "scored"]);
    records.forEach((r) => expect(NuggetsCandidateScoreSchema.safeParse(r).success).toBe(true));
  });

  it("should compute zero-shot once and call the engine once per scored candidate", async () => {
    const { engine, fake } = fakeEngine(320);
    await collect(scoreDatasetInProcess({ candidates, anchors, engine, preset: resolvePreset("paper") }));
    expect(fake.scoreCalls).toHaveLength(1);
    expect(fake.scoreCalls[0]).toHaveLength(anchors.length);
    expect(fake.suffixCalls).toHaveLength(3); // the 300-char candidate is skipped without a call
    fake.suffixCalls.forEach((c) => expect(c.suffixes).toHaveLength(anchors.length));
  });

  it("should report progress after the zero-shot pass and after every candidate", async () => {
    const { engine } = fakeEngine(320);
    let clock = 0;
    const seen: ScoringProgress[] = [];
    const records = scoreDatasetInProcess({
      candidates,
      anchors,
      engine,
      preset: resolvePreset("paper"),
      now: () => (clock += 500),
      onProgress: (p) => seen.push(p),
    });
    await collect(records);
    expect(seen.map((p) => p.done)).toEqual([0, 1, 2, 3, 4]);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ total: 4, scored: 3, skipped: 1, pairs: 9, etaMs: 0 });
    expect(last.pairsPerSecond).toBeCloseTo(9 / (last.elapsedMs / 1000), 10);
  });

  it("should stop between candidates when the signal aborts", async () => {
    const { engine, fake } = fakeEngine();
    const controller = new AbortController();
    const seen: NuggetsCandidateScore[] = [];
    const run = async () => {
      for await (const r of scoreDatasetInProcess({ candidates, anchors, engine, preset: resolvePreset("paper"), signal: controller.signal })) {
        seen.push(r);
        controller.abort(new Error("stop here"));
      }
    };
    await expect(run()).rejects.toThrow("stop here");
    expect(seen).toHaveLength(1);
    expect(fake.suffixCalls).toHaveLength(1);
  });

  it("should refuse an engine without prompt log-probs before tokenising anything", async () => {
    const { engine, tokenizeCalls } = fakeEngine(512, { ...CAPABILITIES, promptLogprobs: false });
    const run = collect(scoreDatasetInProcess({ candidates, anchors, engine, preset: resolvePreset("paper") }));
    await expect(run).rejects.toBeInstanceOf(CapabilityError);
    expect(tokenizeCalls()).toBe(0);
  });
});

describe("progressSnapshot", () => {
  it("should extrapolate the time per finished candidate", () => {
    const p = progressSnapshot({ done: 10, total: 40, scored: 10, skipped: 0, pairs: 200, elapsedMs: 4000 });
    expect(p.pairsPerSecond).toBe(50);
    expect(p.etaMs).toBe(12_000);
  });

  it("should give no ETA and no rate before anything is scored", () => {
    const p = progressSnapshot({ done: 0, total: 40, scored: 0, skipped: 0, pairs: 0, elapsedMs: 0 });
    expect(p.pairsPerSecond).toBe(0);
    expect(p.etaMs).toBeNull();
  });

  it("should format durations for a progress line", () => {
    expect(formatDuration(12_340)).toBe("12.3 s");
    expect(formatDuration(245_000)).toBe("4 m 05 s");
    expect(formatDuration(3_720_000)).toBe("1 h 02 m");
    expect(formatDuration(null)).toBe("?");
  });
});

describe("output lines and summary", () => {
  const scored: NuggetsCandidateScore = {
    version: 1,
    preset: "paper",
    maxAnchorTokens: null,
    index: 3,
    anchors: 4,
    status: "scored",
    goldenScore: 0.5,
    wins: 2,
    goldenScoreRange: [0.25, 0.5],
    nearTies: [1],
    oneShot: [-1, -2, -3, -4],
  };

  it("should drop the per-anchor sums unless raw is asked for", () => {
    expect(scoreLine(scored, { raw: false })).toBe(
      '{"index":3,"status":"scored","goldenScore":0.5,"wins":2,"anchors":4,"goldenScoreRange":[0.25,0.5],"nearTies":[1],"version":1,"preset":"paper","maxAnchorTokens":null}',
    );
    expect(JSON.parse(scoreLine(scored, { raw: true }))).toMatchObject({ oneShot: [-1, -2, -3, -4] });
  });

  it("should carry the reason of a skipped candidate", () => {
    const skipped: NuggetsCandidateScore = { version: 1, preset: "reference", maxAnchorTokens: 200, index: 1, anchors: 4, status: "skipped", reason: "too long" };
    expect(JSON.parse(scoreLine(skipped, { raw: true }))).toEqual({
      index: 1,
      anchors: 4,
      status: "skipped",
      reason: "too long",
      version: 1,
      preset: "reference",
      maxAnchorTokens: 200,
    });
  });

  it("should summarise counts, mean golden score and rate in one line", () => {
    const p = progressSnapshot({ done: 3, total: 3, scored: 2, skipped: 1, pairs: 8, elapsedMs: 2000 });
    expect(summaryLine(p, meanGoldenScore([0.5, 0.25]))).toBe("scored 2, skipped 1, mean GS 0.3750, 2.0 s, 4.0 pairs/s");
    expect(meanGoldenScore([])).toBeNull();
  });
});

describe("parseEngineSpec", () => {
  it("should read local:PATH relative to the working folder and anything else as a configured name", () => {
    expect(parseEngineSpec("local:models/m.gguf", "/w")).toEqual({ kind: "local", modelPath: resolve("/w/models/m.gguf") });
    expect(parseEngineSpec("gpu-vllm", "/w")).toEqual({ kind: "named", name: "gpu-vllm" });
  });

  it("should fall back to the default model when none is named", () => {
    const spec = parseEngineSpec(undefined, "/nonexistent");
    expect(spec.kind).toBe("local");
    expect(spec.kind === "local" && spec.modelPath.endsWith(".gguf")).toBe(true);
  });
});

describe("openAtomicFile", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "assay-atomic-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("should show nothing at the target until commit", async () => {
    const target = join(dir, "out.jsonl");
    const file = await openAtomicFile(target);
    await file.write("a\n");
    expect(await readdir(dir)).not.toContain("out.jsonl");
    await file.write("b\n");
    await file.commit();
    expect(await readFile(target, "utf8")).toBe("a\nb\n");
    expect(await readdir(dir)).toEqual(["out.jsonl"]);
  });

  it("should leave an existing target untouched and no temporary file on abort", async () => {
    const target = join(dir, "out.jsonl");
    await writeFile(target, "old\n");
    const file = await openAtomicFile(target);
    await file.write("half");
    await file.abort();
    expect(await readFile(target, "utf8")).toBe("old\n");
    expect(await readdir(dir)).toEqual(["out.jsonl"]);
  });
});
