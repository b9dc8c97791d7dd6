/**
 * Measures how far llama.cpp's log-prob sums move when nothing changes but how the prompt is evaluated: the figures
 * behind `shared/numerics/logprob-tolerance.ts`. Not a test (vitest does not collect it); run it by hand:
 *
 *   node --import tsx tests/numerics/measure-logprob-spread.ts [--candidates 24] [--anchors 32] [--out spread.json]
 *   node --import tsx tests/numerics/measure-logprob-spread.ts --compare a.json b.json
 *
 * To measure another CPU's kernels on this machine, load a chosen ggml CPU variant (see ggml-cpu-variant.mjs):
 *
 *   ASSAY_GGML_CPU_VARIANT=haswell node --import ./tests/numerics/ggml-cpu-variant.mjs --import tsx \
 *     tests/numerics/measure-logprob-spread.ts --out haswell.json
 *
 * Workload: the first `--anchors` K-Means anchors (reference preset, cut at 200 tokens) and the first `--candidates`
 * Alpaca candidates that fit beside every one of them in stories260K's 512-token context — the fidelity test's data.
 * For every (candidate, anchor) pair it scores the one-shot answer span, and for every anchor the zero-shot span with
 * and without BOS, in each of these ways (all on one thread):
 * - `direct`: the embedded engine, one full prompt per `score` call, anchor-major (the fidelity test's direct side:
 *   only BOS and the template's first tokens come from the KV cache);
 * - `shared-prefix`: the embedded engine's `scoreSuffixes`, one call per candidate (the path under test: the prefix
 *   is evaluated once, each anchor in its own batch after it);
 * - `batch-N`: a context whose batch holds N tokens, every prompt evaluated from an empty cache, so llama.cpp splits
 *   it into ⌈len/N⌉ batches (N = 1 is token by token);
 * - `flash-attention`: one full-prompt batch with llama.cpp's flash-attention kernel instead of the default.
 * Every way reads log-probs through the engine's own `LogitsSequence` and full log-softmax.
 *
 * It prints, for each way against `direct`, the max and p90 over pairs of |Δ sum|, |Δ sum| / |sum| and
 * |Δ sum| / scored tokens, and the max over tokens of |Δ log-prob|. `--out` writes every sum and token log-prob so two
 * runs (two machines, or two CPU kernels of one machine) can be compared with `--compare`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { sharedFile } from "../../shared/config/shared-files.js";
import { createEmbeddedEngine } from "../../shared/engines/embedded/index.js";
import { loadLlamaRuntime } from "../../shared/engines/embedded/llama-runtime.js";
import { logNormalizer } from "../../shared/engines/embedded/logits-math.js";
import { LogitsSequence } from "../../shared/engines/embedded/logits-sequence.js";
import type { ScoreRequest } from "../../shared/engines/engine.js";
import { parseDataset } from "../../shared/nuggets/dataset.js";
import { prepareAnchor, prepareCandidate } from "../../shared/nuggets/anchor-tokens.js";
import { resolvePreset } from "../../shared/nuggets/presets.js";
import { oneShotPrompt, zeroShotPrompt } from "../../shared/nuggets/prompts.js";

const CONTEXT = 512;
const BATCH_SIZES = [1, 7, 64];

/** Token log-probs of every scored span, by condition; `oneShot[k][j]` is candidate k against anchor j. */
interface Way {
  readonly oneShot: number[][][];
  readonly zeroShotBos: number[][];
  readonly zeroShotNoBos: number[][];
  readonly seconds: number;
}

interface Measurement {
  readonly kernel: string;
  readonly candidates: number[];
  readonly anchors: number;
  readonly ways: Record<string, Way>;
}

const { values, positionals } = parseArgs({
  options: {
    candidates: { type: "string", default: "24" },
    anchors: { type: "string", default: "32" },
    out: { type: "string" },
    compare: { type: "boolean", default: false },
    only: { type: "string" },
  },
  allowPositionals: true,
});

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

/** Every scored span of a way, flattened in a fixed order: one-shot pairs, then zero-shot with BOS, then without. */
function spans(w: Way): { label: string; tokens: number[] }[] {
  return [
    ...w.oneShot.flatMap((row, k) => row.map((tokens, j) => ({ label: `one-shot c${k} a${j}`, tokens }))),
    ...w.zeroShotBos.map((tokens, j) => ({ label: `zero-shot+BOS a${j}`, tokens })),
    ...w.zeroShotNoBos.map((tokens, j) => ({ label: `zero-shot a${j}`, tokens })),
  ];
}

/** The spread of `b` against `a` over every span (empty spans are left out). */
function spread(a: Way, b: Way) {
  const sa = spans(a);
  const sb = spans(b);
  const abs: number[] = [];
  const rel: number[] = [];
  const perToken: number[] = [];
  const sums: number[] = [];
  const lengths: number[] = [];
  let maxToken = 0;
  let worst = { label: "", abs: 0, sum: 0, tokens: 0 };
  sa.forEach((x, i) => {
    const y = sb[i]!;
    if (x.tokens.length !== y.tokens.length) throw new Error(`${x.label}: ${x.tokens.length} vs ${y.tokens.length} tokens`);
    if (x.tokens.length === 0) return;
    const s = sum(x.tokens);
    const d = Math.abs(s - sum(y.tokens));
    abs.push(d);
    rel.push(d / Math.abs(s));
    perToken.push(d / x.tokens.length);
    sums.push(Math.abs(s));
    lengths.push(x.tokens.length);
    x.tokens.forEach((t, p) => (maxToken = Math.max(maxToken, Math.abs(t - y.tokens[p]!))));
    if (d > worst.abs) worst = { label: x.label, abs: d, sum: s, tokens: x.tokens.length };
  });
  const fig = (xs: number[]) => ({ max: Math.max(...xs), p90: quantile(xs, 0.9), median: quantile(xs, 0.5) });
  return {
    spans: abs.length,
    abs: fig(abs),
    rel: fig(rel),
    perToken: fig(perToken),
    maxTokenLogprob: maxToken,
    worst,
    sumSize: fig(sums),
    spanTokens: fig(lengths),
    identical: abs.filter((d) => d === 0).length,
  };
}

function report(label: string, s: ReturnType<typeof spread>): void {
  const e = (x: number) => x.toExponential(2);
  console.log(
    `${label.padEnd(34)} spans ${s.spans} (identical ${s.identical}) | |Δ| max ${e(s.abs.max)} p90 ${e(s.abs.p90)} | ` +
      `rel max ${e(s.rel.max)} p90 ${e(s.rel.p90)} | per token max ${e(s.perToken.max)} p90 ${e(s.perToken.p90)} | ` +
      `token max ${e(s.maxTokenLogprob)} | worst ${s.worst.label} (${s.worst.sum.toFixed(1)} nats, ${s.worst.tokens} tokens)`,
  );
}

/** Which `libggml-cpu-<variant>.so` llama.cpp loaded into this process (see ggml-cpu-variant.mjs). */
function loadedCpuKernel(): string {
  const maps = existsSync("/proc/self/maps") ? readFileSync("/proc/self/maps", "utf8") : "";
  return /libggml-cpu-([\w-]+)\.so/.exec(maps)?.[1] ?? "unknown";
}

async function measure(): Promise<Measurement> {
  const nCandidates = Number(values.candidates);
  const nAnchors = Number(values.anchors);
  const preset = resolvePreset("reference");
  const engine = await createEmbeddedEngine({ name: "spread", modelPath: sharedFile("models/stories260K.gguf"), threads: 1 });
  const bos = engine.bosToken!;
  const kernel = loadedCpuKernel();
  console.error(`ggml CPU kernel: ${kernel}`);
  const tokenize = (t: string) => engine.tokenize(t);
  const anchorExamples = parseDataset(readFileSync(sharedFile("data/nuggets/alpaca_gpt4_kmeans_100.json"), "utf8")).examples;
  const pool = parseDataset(readFileSync(sharedFile("data/alpaca/alpaca_5000.json"), "utf8")).examples;
  const anchors = await Promise.all(anchorExamples.slice(0, nAnchors).map((a) => prepareAnchor(a, tokenize, preset, CONTEXT)));
  const longest = Math.max(...anchors.map((a) => a.tokens.length));
  const chosen: number[] = [];
  const candidateTokens: number[][] = [];
  for (let i = 0; i < pool.length && chosen.length < nCandidates; i++) {
    const tokens = await prepareCandidate(pool[i]!, tokenize);
    if (1 + tokens.length + longest <= CONTEXT) {
      chosen.push(i);
      candidateTokens.push(tokens);
    }
  }
  const zeroPrompts = (zeroShotBos: boolean) => anchors.map((a) => zeroShotPrompt(a, { ...preset, zeroShotBos }, bos));
  const onePrompts = candidateTokens.map((c) => anchors.map((a) => oneShotPrompt(c, a, preset, bos)));
  const ways: Record<string, Way> = {};
  const wanted = (name: string) => !values.only || values.only.split(",").some((w) => name.startsWith(w));

  const timed = async (name: string, run: () => Promise<Omit<Way, "seconds">>) => {
    if (!wanted(name)) return;
    const t0 = performance.now();
    const way = await run();
    ways[name] = { ...way, seconds: (performance.now() - t0) / 1000 };
    console.error(`${name}: ${ways[name]!.seconds.toFixed(1)} s`);
  };

  const viaScore = async (r: ScoreRequest) => (await engine.score([r]))[0]!.logprobs;
  await timed("direct", async () => {
    const zeroShotBos: number[][] = [];
    const zeroShotNoBos: number[][] = [];
    for (const r of zeroPrompts(true)) zeroShotBos.push(await viaScore(r));
    for (const r of zeroPrompts(false)) zeroShotNoBos.push(await viaScore(r));
    const oneShot = candidateTokens.map(() => new Array<number[]>(anchors.length));
    for (let j = 0; j < anchors.length; j++) {
      for (let k = 0; k < candidateTokens.length; k++) oneShot[k]![j] = await viaScore(onePrompts[k]![j]!);
    }
    return { oneShot, zeroShotBos, zeroShotNoBos };
  });

  await timed("shared-prefix", async () => {
    const zeroShotBos = (await engine.score(zeroPrompts(true))).map((r) => r.logprobs);
    const zeroShotNoBos = (await engine.score(zeroPrompts(false))).map((r) => r.logprobs);
    const oneShot: number[][][] = [];
    for (const c of candidateTokens) {
      const results = await engine.scoreSuffixes({
        prefix: [bos, ...c],
        suffixes: anchors.map((a) => ({ tokens: a.tokens, from: a.spanStart })),
      });
      oneShot.push(results.map((r) => r.logprobs));
    }
    return { oneShot, zeroShotBos, zeroShotNoBos };
  });
  // The same runtime and model file the engine loaded; vocabulary 512 (stories260K's tok512).
  const model = await (await loadLlamaRuntime(false)).loadModel({ modelPath: sharedFile("models/stories260K.gguf"), gpuLayers: 0 });
  const vocab = 512;

  /** Every prompt from an empty cache in a context with these options, through the engine's LogitsSequence. */
  const fromScratch = async (options: { batchSize?: number; flashAttention?: boolean }) => {
    const context = await model.createContext({ contextSize: CONTEXT, threads: 1, sequences: 1, ...options });
    const sequence = new LogitsSequence(context.getSequence(), vocab);
    const score = async (r: ScoreRequest) => {
      await sequence.reset(true);
      const lps: number[] = [];
      await sequence.rows(r.tokens, r.from - 1, (p, row) => {
        if (p + 1 < r.tokens.length) lps.push(row[r.tokens[p + 1]!]! - logNormalizer(row));
      });
      return lps;
    };
    const zeroShotBos: number[][] = [];
    const zeroShotNoBos: number[][] = [];
    for (const r of zeroPrompts(true)) zeroShotBos.push(await score(r));
    for (const r of zeroPrompts(false)) zeroShotNoBos.push(await score(r));
    const oneShot: number[][][] = [];
    for (const row of onePrompts) {
      const out: number[][] = [];
      for (const r of row) out.push(await score(r));
      oneShot.push(out);
    }
    await context.dispose();
    return { oneShot, zeroShotBos, zeroShotNoBos };
  };
  for (const n of BATCH_SIZES) await timed(`batch-${n}`, () => fromScratch({ batchSize: n }));
  await timed("flash-attention", () => fromScratch({ flashAttention: true }));
  await timed("no-flash-attention", () => fromScratch({ flashAttention: false }));
  await engine.close();
  await model.dispose();
  return { kernel, candidates: chosen, anchors: nAnchors, ways };
}

if (values.compare) {
  const [a, b] = positionals.map((p) => JSON.parse(readFileSync(p, "utf8")) as Measurement);
  if (!a || !b) throw new Error("--compare needs two files written with --out");
  console.log(`${a.kernel} against ${b.kernel}: ${a.candidates.length} candidates × ${a.anchors} anchors`);
  for (const name of Object.keys(a.ways)) {
    if (b.ways[name]) report(`${name} (${a.kernel} vs ${b.kernel})`, spread(a.ways[name]!, b.ways[name]!));
  }
  const direct = b.ways.direct;
  if (direct) for (const name of Object.keys(a.ways)) report(`${a.kernel} ${name} vs ${b.kernel} direct`, spread(direct, a.ways[name]!));
} else {
  const m = await measure();
  const direct = m.ways.direct;
  const first = Object.values(m.ways)[0]!;
  console.log(`kernel ${m.kernel}: ${m.candidates.length} candidates (pool indices ${m.candidates.join(",")}) × ${m.anchors} anchors`);
  const size = spread(first, first);
  console.log(`sums: |sum| median ${size.sumSize.median.toFixed(1)} max ${size.sumSize.max.toFixed(1)} nats; span tokens median ${size.spanTokens.median} max ${size.spanTokens.max}`);
  for (const [name, way] of Object.entries(m.ways)) {
    if (direct && way !== direct) report(`${name} vs direct`, spread(direct, way));
  }
  const sp = m.ways["shared-prefix"];
  if (sp) for (const [name, way] of Object.entries(m.ways)) if (way !== sp && way !== direct) report(`${name} vs shared-prefix`, spread(sp, way));
  if (values.out) writeFileSync(values.out, JSON.stringify(m));
}
