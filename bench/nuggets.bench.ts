/**
 * `npm run bench:nuggets`: NUGGETS scoring three ways on the same pairs, in one run, on one llama.cpp context —
 *   (a) direct: every pair as its own full prompt (`scorePairDirect` → `engine.score`);
 *   (b) shared prefix: one `scoreSuffixes` call per candidate with all anchors (`scoreCandidate`, what workers do);
 *   (c) pipeline: a job over HTTP on the local stack (API → SQS emulator → worker thread → S3 emulator → aggregate),
 *       its status polled every 25 ms (`--poll-ms`) while it runs;
 * interleaved round-robin, with the per-round ratios (b)/(a) and (c)/(b); then worker scaling (the same job on a
 * stack with 1 worker thread and one with 2, alternately: target ≥ 1.6× on 2 cores); then `select` against
 * exhaustive scoring on the same pairs at t = 0.5, 0.8 and 0.85 (pairs sent to the engine and wall-clock, target
 * ≥ 2× fewer pairs at 0.8 with the same subset; `bench/nuggets-select.ts`); then orchestration alone with an instant
 * engine stand-in: (d) in process (target ≥ 20,000 pairs/s) and (e) through the local stack's emulators.
 *
 *   npm run bench:nuggets                                   # 24 × 12 pairs, 3 rounds; select 30 × 60: about 15 minutes
 *   npm run bench:nuggets -- --quick                        # seconds (the smoke test)
 *   npm run bench:nuggets -- --candidates 40 --anchors 20 --rounds 5 --out /tmp/results
 *
 * Every variant tokenises, computes the zero-shot sums and scores every pair in every round: the pipeline's
 * zero-shot cache is keyed by the preset, so round r uses `maxAnchorTokens = contextSize − 1 − r` (above every
 * chosen anchor's length, so no token is cut and the scores are the same) and no round reuses another's sums.
 * Results go to `bench-results/nuggets-<timestamp>.json` and `bench-results/nuggets-latest.json`.
 */
import { machineInfo } from "./machine.js";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot, sharedFile } from "../shared/config/shared-files.js";
import { LOCAL_ENGINE, LOCAL_TENANT, startLocalStack, type LocalStack } from "../shared/dev/stack.js";
import { createInstantFakeEngine } from "../shared/engines/fake/instant-fake-engine.js";
import { parseDataset } from "../shared/nuggets/dataset.js";
import { resolvePreset } from "../shared/nuggets/presets.js";
import { startCallbackReceiver, type CallbackReceiver } from "./nuggets-callback-receiver.js";
import { BusyMeter, meterEngine } from "./nuggets-engine-meter.js";
import { scoreDirect, scoreSharedPrefix, type RunScores } from "./nuggets-engine-runs.js";
import {
  orchestrationInProcess,
  orchestrationOnStack,
  uploadOrchestrationData,
  type OrchestrationRun,
  type OrchestrationSize,
} from "./nuggets-orchestration.js";
import { pipelinePhases, readPipelineJob, runPipelineJob, uploadDataset, type CompletionWatch, type PipelinePhases } from "./nuggets-pipeline.js";
import {
  compareScores,
  NUGGETS_TARGETS,
  nuggetsResultFileName,
  renderNuggetsTable,
  summarizeNuggetsRun,
  summarizeOrchestration,
  summarizePhases,
} from "./nuggets-report.js";
import { runRoundRobin, type Variant } from "./round-robin.js";
import { benchSelect, renderSelectTable } from "./nuggets-select.js";
import { summarizeWorkerScaling, type WorkerScalingResult } from "./nuggets-worker-scaling.js";
import { chooseWorkload, type NuggetsWorkload } from "./nuggets-workload.js";

const FAKE_ENGINE = "instant-fake";
/** Longest anchor accepted (tokens), so every pair fits the test model's 512-token context beside a candidate. */
const MAX_ANCHOR_TOKENS = 240;

const MODES = {
  full: {
    candidates: 24,
    anchors: 12,
    rounds: 3,
    shards: 6,
    orchestration: { runs: 3, inProcess: { candidates: 2000, anchors: 100, shardSize: 250 }, stack: { candidates: 2000, anchors: 100, shardSize: 250 } },
    select: { candidates: 30, anchors: 60, rounds: 1, maxAnchorTokens: 160 },
  },
  quick: {
    candidates: 4,
    anchors: 3,
    rounds: 2,
    shards: 2,
    orchestration: { runs: 1, inProcess: { candidates: 200, anchors: 20, shardSize: 50 }, stack: { candidates: 100, anchors: 20, shardSize: 50 } },
    select: { candidates: 3, anchors: 6, rounds: 1, maxAnchorTokens: 160 },
  },
} as const;

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    candidates: { type: "string" },
    anchors: { type: "string" },
    rounds: { type: "string" },
    shards: { type: "string" },
    "poll-ms": { type: "string" },
    "scaling-rounds": { type: "string" },
    "select-candidates": { type: "string" },
    "select-anchors": { type: "string" },
    "select-rounds": { type: "string" },
    out: { type: "string" },
  },
});
const mode = args.quick ? "quick" : "full";
const plan = MODES[mode];
const positive = (name: string, raw: string | undefined, fallback: number): number => {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
};
const N = positive("candidates", args.candidates, plan.candidates);
const M = positive("anchors", args.anchors, plan.anchors);
const rounds = positive("rounds", args.rounds, plan.rounds);
const shards = Math.min(N, positive("shards", args.shards, plan.shards));
const shardSize = Math.ceil(N / shards);
const pollMs = positive("poll-ms", args["poll-ms"], 25);
const scalingRounds = positive("scaling-rounds", args["scaling-rounds"], rounds);
const selectSize = {
  candidates: positive("select-candidates", args["select-candidates"], plan.select.candidates),
  anchors: positive("select-anchors", args["select-anchors"], plan.select.anchors),
  rounds: positive("select-rounds", args["select-rounds"], plan.select.rounds),
};
const SELECT_THRESHOLDS = [0.5, 0.8, 0.85];
/** Where the select section's anchors start in the Alpaca file (its candidates are the file's first examples). */
const SELECT_ANCHOR_OFFSET = 2500;
const outDir = resolve(args.out ?? join(repoRoot, "bench-results"));
const log = (line: string) => process.stderr.write(`${line}\n`);
const SHARD_CONCURRENCY = 8; // the worker's default lanes per shard

const startedAt = new Date();
let stack: LocalStack | undefined;
let stack2: LocalStack | undefined;
let receiver: CallbackReceiver | undefined;
let unmeter: (() => void) | undefined;
log(`nuggets bench (${mode}): starting the local stack (S3+SQS emulator, API, 1 worker thread, embedded engines)…`);
try {
  const fake = createInstantFakeEngine({ name: FAKE_ENGINE });
  // A shard's time budget follows the visibility timeout; Lambda's 15 minutes keeps a long shard from checkpointing
  // (the stack's interactive default is 60 s). The instant engine is configured, so each worker thread builds its own.
  const stackOptions = { port: 0, engineConfigs: [{ name: FAKE_ENGINE, kind: "fake" as const }], jobs: { visibilityTimeoutSeconds: 900 } };
  stack = await startLocalStack({ ...stackOptions, workers: 1 });
  receiver = await startCallbackReceiver();
  const engine = await stack.engines.get(LOCAL_ENGINE);
  const meter = new BusyMeter();
  unmeter = meterEngine(engine, meter);
  const api = { apiUrl: stack.apiUrl, apiKey: stack.apiKey };
  const watch: CompletionWatch = { pollMs, timeoutMs: 30 * 60_000, callbackUrl: receiver.url, callbackArrived: receiver.arrived };
  const bos = engine.bosToken === null ? 0 : 1;

  const read = (path: string) => parseDataset(readFileSync(sharedFile(path), "utf8")).examples;
  const workload = await chooseWorkload(
    read("data/alpaca/alpaca_5000.json"),
    read("data/nuggets/alpaca_gpt4_kmeans_100.json"),
    (t) => engine.tokenize(t),
    { candidates: N, anchors: M, maxAnchorTokens: MAX_ANCHOR_TOKENS },
    engine.contextSize,
    bos,
  );
  const pairs = N * M;
  const tokensPerRound = workload.oneShotTokens + workload.zeroShotTokens;
  const upload = async (w: NuggetsWorkload) => ({
    datasetId: await uploadDataset(api, w.candidates.map((c) => c.example)),
    anchorSetId: await uploadDataset(api, w.anchors.map((a) => a.example)),
  });
  const datasets = await upload(workload);
  // Every variant's k-th call uses the k-th cap: same preset within a round, a fresh zero-shot cache key per round.
  const capFor = (k: number) => {
    const cap = engine.contextSize - bos - k;
    if (cap < MAX_ANCHOR_TOKENS) throw new RangeError(`too many rounds: the anchor cap would fall to ${cap}`);
    return cap;
  };
  const pipelineJob = async (w: NuggetsWorkload, ids: { datasetId: string; anchorSetId: string }, cap: number, size: number) => {
    const run = await runPipelineJob(
      api,
      { ...ids, engine: LOCAL_ENGINE, preset: "paper", maxAnchorTokens: cap, shardSize: size },
      watch,
    );
    const record = await readPipelineJob(stack!.store, LOCAL_TENANT, run.jobId, w.anchors.length);
    // The worker's engine lives in its thread: its busy time is the pieces' scoring intervals.
    return { run, record, phases: pipelinePhases(run, record, pieceIntervals(record.pieces)) };
  };

  // Warm-up and first check, untimed: two candidates through all three, on a cap no timed round uses.
  const warm = { ...workload, candidates: workload.candidates.slice(0, Math.min(2, N)) };
  const warmCap = capFor(rounds);
  const warmScores = {
    direct: await scoreDirect(engine, warm, resolvePreset("paper", { maxAnchorTokens: warmCap })),
    "shared-prefix": await scoreSharedPrefix(engine, warm, resolvePreset("paper", { maxAnchorTokens: warmCap })),
    pipeline: (await pipelineJob(warm, await upload(warm), warmCap, 1)).record.scores,
  };
  const warmAgreement = compareScores([warmScores]);
  if (!warmAgreement.agree) log(`warning: the variants disagree before timing: ${JSON.stringify(warmAgreement.mismatches)}`);

  const scores = { direct: [] as RunScores[], "shared-prefix": [] as RunScores[], pipeline: [] as RunScores[] };
  const phases: PipelinePhases[] = [];
  const busyFraction = { direct: [] as number[], "shared-prefix": [] as number[], pipeline: [] as number[] };
  const timedEngineRun = async (id: "direct" | "shared-prefix", fn: typeof scoreDirect) => {
    const k = scores[id].length;
    const from = performance.timeOrigin + performance.now();
    const result = await fn(engine, workload, resolvePreset("paper", { maxAnchorTokens: capFor(k) }));
    const to = performance.timeOrigin + performance.now();
    busyFraction[id].push(meter.busyWithin(from, to) / (to - from));
    scores[id].push(result);
    return pairs;
  };
  const variants: Variant[] = [
    { id: "direct", run: () => timedEngineRun("direct", scoreDirect) },
    { id: "shared-prefix", run: () => timedEngineRun("shared-prefix", scoreSharedPrefix) },
    {
      id: "pipeline",
      run: async () => {
        const job = await pipelineJob(workload, datasets, capFor(scores.pipeline.length), shardSize);
        scores.pipeline.push(job.record.scores);
        phases.push(job.phases);
        busyFraction.pipeline.push(job.phases.total.engineBusyMs / job.phases.total.ms);
        return pairs;
      },
    },
  ];
  log(`${N} × ${M} = ${pairs} pairs; 3 variants × ${rounds} rounds, round-robin…`);
  const samples = await runRoundRobin(variants, { rounds, warmupRounds: 0, onRound: (r, n) => log(`  round ${r}/${n} done`) });
  // The pipeline's k-th job ran at the same cap as the others' k-th run, whatever order the round used.
  const agreement = compareScores(
    scores.direct.map((d, k) => ({ direct: d, "shared-prefix": scores["shared-prefix"][k]!, pipeline: scores.pipeline[k]! })),
  );
  if (!agreement.agree) log(`warning: the variants disagree: ${JSON.stringify(agreement.mismatches)}`);
  unmeter();
  unmeter = undefined;

  // Worker scaling: the same job on this stack (1 worker) and on a second one with 2, alternately.
  let workerScaling: WorkerScalingResult | null = null;
  if (cpus().length >= 2) {
    log(`worker scaling: a second local stack with 2 worker threads; ${scalingRounds} rounds, alternately…`);
    stack2 = await startLocalStack({ ...stackOptions, workers: 2 });
    const api2 = { apiUrl: stack2.apiUrl, apiKey: stack2.apiKey };
    const datasets2 = await upload2(api2, workload);
    // Completion by callback, with a 1 s poll as the fallback: this measures the workers, not status polling.
    const quiet: CompletionWatch = { ...watch, pollMs: 1000 };
    const perStack: [number[], number[]] = [[], []];
    // Untimed: one job on the new stack, so its worker threads' engines have run before the first timed round.
    await runPipelineJob(api2, { ...datasets2, engine: LOCAL_ENGINE, preset: "paper", maxAnchorTokens: capFor(rounds + 1 + scalingRounds), shardSize }, quiet);
    for (let r = 0; r < scalingRounds; r++) {
      for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
        const [target, ids] = i === 0 ? [api, datasets] : [api2, datasets2];
        const job = await runPipelineJob(target, { ...ids, engine: LOCAL_ENGINE, preset: "paper", maxAnchorTokens: capFor(rounds + 1 + r), shardSize }, quiet);
        perStack[i]!.push(pairs / ((job.completedAt - job.postedAt) / 1000));
      }
      log(`  scaling round ${r + 1}/${scalingRounds}: ${perStack[0]!.at(-1)!.toFixed(1)} vs ${perStack[1]!.at(-1)!.toFixed(1)} pairs/s`);
    }
    workerScaling = summarizeWorkerScaling([1, 2], pairs, Math.ceil(N / shardSize), perStack);
  }

  log(`select vs exhaustive: ${selectSize.candidates} × ${selectSize.anchors} pairs at t = ${SELECT_THRESHOLDS.join(", ")}, ${selectSize.rounds} round(s)…`);
  // Anchors from the second half of the Alpaca file (random anchors, as the paper's 1,000-random setting): the
  // K-Means file holds too few anchors short enough to leave room for candidates in a 512-token context.
  const alpaca = read("data/alpaca/alpaca_5000.json");
  const selectWorkload = await chooseWorkload(
    alpaca,
    alpaca.slice(SELECT_ANCHOR_OFFSET),
    (t) => engine.tokenize(t),
    { candidates: selectSize.candidates, anchors: selectSize.anchors, maxAnchorTokens: plan.select.maxAnchorTokens },
    engine.contextSize,
    bos,
  );
  const select = await benchSelect({
    engine,
    candidates: selectWorkload.candidates.map((c) => c.example),
    anchors: selectWorkload.anchors.map((a) => a.example),
    // A cap no other part of the bench uses; every anchor chosen is shorter, so nothing is cut.
    preset: resolvePreset("paper", { maxAnchorTokens: plan.select.maxAnchorTokens }),
    thresholds: SELECT_THRESHOLDS,
    rounds: selectSize.rounds,
    seed: 0,
    onRound: (r, n) => log(`  select round ${r}/${n} done`),
  });

  log("orchestration with the instant engine: (d) in process, (e) through the local stack…");
  const o = plan.orchestration;
  const withLanes = (s: { candidates: number; anchors: number; shardSize: number }): OrchestrationSize => ({
    ...s,
    shardConcurrency: SHARD_CONCURRENCY,
  });
  const inProcessRuns: OrchestrationRun[] = [];
  for (let i = 0; i < o.runs; i++) inProcessRuns.push(await orchestrationInProcess(fake, withLanes(o.inProcess)));
  const stackData = await uploadOrchestrationData(api, withLanes(o.stack));
  const stackRuns: OrchestrationRun[] = [];
  for (let i = 0; i < o.runs; i++) {
    // A new anchor seed per run: the same anchors would find every pair in the one-shot cache after the first run.
    stackRuns.push(await orchestrationOnStack(api, FAKE_ENGINE, stackData.datasetId, withLanes(o.stack), watch, i));
  }

  const inProcess = summarizeOrchestration(
    "(d) handleJobMessage in process: memory object store, memory queue, instant fake engine, synthetic short examples, random anchors",
    o.inProcess,
    inProcessRuns,
    NUGGETS_TARGETS.orchestrationPairsPerSecond,
  );
  const localStack = summarizeOrchestration(
    "(e) the local stack with the instant fake engine: HTTP API, SQS emulator + poller, worker thread, S3 emulator, callback",
    o.stack,
    stackRuns,
    null,
  );
  const summarized = summarizeNuggetsRun(
    {
      direct: "(a) each pair one full prompt through engine.score (scorePairDirect), anchor by anchor; zero-shot one prompt per anchor",
      "shared-prefix": "(b) one engine.scoreSuffixes call per candidate with all anchors (scoreCandidate); zero-shot in one call",
      pipeline: `(c) a job over HTTP on the local stack (1 worker thread): POST → prepare → shards → aggregate → status \`completed\`, status polled every ${pollMs} ms`,
    },
    samples,
    tokensPerRound,
  );
  const result = {
    version: 1 as const,
    bench: "nuggets" as const,
    mode,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { ...machineInfo(), loadAverage: loadavg() },
    engine: { name: LOCAL_ENGINE, model: engine.model, modelPath: stack.modelPath, threads: 1, contextSize: engine.contextSize, bosToken: engine.bosToken },
    workload: {
      candidates: N,
      anchors: M,
      pairs,
      rounds,
      shards: Math.ceil(N / shardSize),
      shardSize,
      shardConcurrency: SHARD_CONCURRENCY,
      preset: "paper",
      candidateSource: "data/alpaca/alpaca_5000.json, the first examples (file order) that fit beside the longest anchor",
      anchorSource: `data/nuggets/alpaca_gpt4_kmeans_100.json, the first examples (file order) of at most ${MAX_ANCHOR_TOKENS} tokens`,
      candidateIndices: workload.candidates.map((c) => c.sourceIndex),
      anchorIndices: workload.anchors.map((a) => a.sourceIndex),
      candidateTokens: workload.candidates.map((c) => c.fullTokens),
      anchorTokens: workload.anchors.map((a) => a.fullTokens),
      oneShotPromptTokens: workload.oneShotTokens,
      zeroShotPromptTokens: workload.zeroShotTokens,
      unit: "pair scorings per second (N·M per round); tokens/s counts every one-shot and zero-shot prompt's tokens in full, alike for every variant",
      zeroShot:
        "computed in every variant every round: round k runs with maxAnchorTokens = contextSize − 1 − k (above every anchor's length, so the scores are unchanged), which gives the pipeline's zero-shot cache a new key each round",
      completion: `the pipeline's time runs from the POST until a status GET answers \`completed\`; a status GET is made when the job's completion callback arrives (loopback receiver) and every ${pollMs} ms otherwise`,
      warmup: "untimed: 2 candidates through all three variants (also the first agreement check)",
    },
    checks: { agreement, warmupAgreement: warmAgreement },
    ...summarized,
    engineBusyFraction: busyFraction,
    pipelinePhases: { perRound: phases, summary: summarizePhases(phases) },
    workerScaling,
    select: {
      description:
        "select vs exhaustive on the same pairs, in process on the embedded engine (one llama.cpp context), interleaved round-robin: pairs sent to the engine, wall-clock of scoring every candidate (zero-shot computed once, untimed), and whether the subsets agree",
      anchorSource: `data/alpaca/alpaca_5000.json from example ${SELECT_ANCHOR_OFFSET} on, the first of at most ${plan.select.maxAnchorTokens} tokens`,
      candidateIndices: selectWorkload.candidates.map((c) => c.sourceIndex),
      anchorIndices: selectWorkload.anchors.map((a) => SELECT_ANCHOR_OFFSET + a.sourceIndex),
      ...select,
    },
    orchestration: { inProcess, localStack },
    targets: {
      pipelineOverEngine: {
        target: NUGGETS_TARGETS.pipelineOverEngine,
        median: summarized.comparisons["pipeline/shared-prefix"]!.summary.median,
        held: summarized.comparisons["pipeline/shared-prefix"]!.held,
      },
      orchestrationPairsPerSecond: {
        target: NUGGETS_TARGETS.orchestrationPairsPerSecond,
        median: inProcess.pairsPerSecond.median,
        held: inProcess.held,
      },
      workerScaling: workerScaling
        ? { target: workerScaling.target, median: workerScaling.ratio.summary.median, held: workerScaling.held }
        : null,
      selectPairRatio: select.target,
    },
  };

  await mkdir(outDir, { recursive: true });
  const path = join(outDir, nuggetsResultFileName(startedAt));
  const json = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(path, json);
  await writeFile(join(outDir, "nuggets-latest.json"), json);
  const table = renderNuggetsTable({
    workload: result.workload,
    variants: result.variants,
    comparisons: result.comparisons,
    phases: result.pipelinePhases.summary,
    orchestration: result.orchestration,
    checks: result.checks,
  });
  process.stdout.write(`\n${table}\n\n${renderSelectTable(select)}\n\nresults: ${path}\n`);
} finally {
  unmeter?.();
  await receiver?.close();
  await stack2?.stop();
  await stack?.stop();
}

/** Scoring intervals [start, end] of a job's pieces, merged (the worker thread's engine busy time). */
function pieceIntervals(pieces: readonly { start: number; end: number }[]): [number, number][] {
  const sorted = [...pieces].sort((a, b) => a.start - b.start);
  const out: [number, number][] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && p.start <= last[1]) last[1] = Math.max(last[1], p.end);
    else out.push([p.start, p.end]);
  }
  return out;
}

async function upload2(api: { apiUrl: string; apiKey: string }, w: NuggetsWorkload) {
  return {
    datasetId: await uploadDataset(api, w.candidates.map((c) => c.example)),
    anchorSetId: await uploadDataset(api, w.anchors.map((a) => a.example)),
  };
}

