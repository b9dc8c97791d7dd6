/**
 * `npm run bench:mti`: the MTI-Bench speed comparison (Son et al., ACL 2024 — Multi-Task Inference 1.46× faster than
 * Single-Task, Batch Prompting 2.1×) measured on the embedded engine, in process, with the sweep's own pieces:
 * `runMtiUnit` over `engineGenerate`, the authors' prompts (tulu template) and scorer, `pairInstances` for batches,
 * and `SweepAccumulator` / `speedRatiosOf` for the figures.
 *
 *   npm run bench:mti                                  # the whole slice: 25 tasks × 4 instances, 3 modes (~80 min)
 *   npm run bench:mti -- --quick                       # 2 short tasks × 2 instances, maxTokens 8 (the smoke test)
 *   npm run bench:mti -- --tasks 001,002 --instances 2 --max-tokens 32 --kv-cache warm --out /tmp/results
 *
 * Modes are interleaved task by task — each task runs all three modes back to back, in an order that rotates from
 * one task to the next — so a slow phase of the shared machine hits every mode alike. Every call samples at the
 * paper's temperature 0.7 / top_p 1 with a seed derived from `--seed`, the mode, the instance and the step.
 *
 * What it measures on this model: stories260K has a 512-token training context and these prompts are 1–7k tokens,
 * so its answers are noise (accuracy ≈ 0, reported anyway) and it rarely stops before maxTokens. Each call's cost is
 * then its prompt's: prefill of a 4k-token prompt takes seconds (attention grows with the square of the length),
 * while decoding maxTokens tokens takes a fraction of a second. The ratios therefore measure how many prompt tokens
 * each mode evaluates per instance — the calls and prompt lengths recorded beside them — not the models' answers.
 * By default the KV cache is emptied before every call (`--kv-cache cold`), so no call reuses an earlier prompt's
 * demonstration and the order of calls does not change what they cost; `--kv-cache warm` keeps the embedded engine's
 * prefix reuse, as a sweep on it would get, and records the tokens it saved.
 *
 * Results go to `bench-results/mti-<timestamp>.json` and `bench-results/mti-latest.json`.
 */
import { machineInfo } from "./machine.js";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { MtiDecoding, MtiMode, MtiUnitErrorLine, MtiUnitLine } from "../schemas/mti-sweeps.js";
import { repoRoot, sharedFile } from "../shared/config/shared-files.js";
import { createEmbeddedEngine, type EmbeddedEngine } from "../shared/engines/embedded/index.js";
import { ValidationError } from "../shared/errors.js";
import { parseMtiBench } from "../shared/mti/dataset/parse-bench.js";
import { parseMtiDemos } from "../shared/mti/dataset/parse-demos.js";
import { multiTaskPrompt } from "../shared/mti/prompts/multi-task-prompt.js";
import { tuluChatTemplate } from "../shared/mti/prompts/chat-template.js";
import { authorsAnswerScorer } from "../shared/mti/run/answer-scorer.js";
import { engineGenerate } from "../shared/mti/run/engine-call.js";
import { runMtiUnit, type MtiRunSettings } from "../shared/mti/run/run-unit.js";
import { instancesOf } from "../shared/mti/run/unit-work.js";
import { MtiCallLog, type KvCachePolicy } from "./mti-calls.js";
import { MTI_MODES, mtiResultFileName, renderMtiTable, summarizeMtiRun } from "./mti-report.js";
import { chooseMtiTasks, unitsOf } from "./mti-workload.js";
import { roundOrder } from "./round-robin.js";

const MODEL = "models/stories260K.gguf";
const SLICE = "data/mti_bench/mti_bench_slice.json";
const DEMOS = "data/mti_bench/cot_breakdown.json";
const CONTEXT_SIZE = 8192;
const THREADS = 1;
const ENGINE_NAME = "local";

/**
 * Default new tokens per call. Measured on this 2-core machine (stories260K, 8192-token context, one thread): a
 * 4k-token prompt's prefill takes ~15 s and decoding after it ~100 tokens/s, a 1k-token prompt ~1 s and ~370
 * tokens/s; over the slice's 430 calls (1.3M prompt tokens) a call took ≈ 1.14·k² − 0.59·k + 0.78 seconds for a
 * k-thousand-token prompt at 64 new tokens. No maxTokens brings the whole slice near 10 minutes — prefill alone is
 * over an hour (the full run took 82 minutes) — so 64 keeps decoding a small share (≈ 0.5 s a call) while leaving
 * every output long enough to hold an answer tag.
 */
const DEFAULT_MAX_TOKENS = 64;

const MODES = {
  full: { tasks: null, instances: 4, maxTokens: DEFAULT_MAX_TOKENS },
  // The slice's two shortest tasks (prompts of ~0.5–1.3k tokens), so the smoke test takes seconds, not minutes.
  quick: { tasks: ["021", "022"], instances: 2, maxTokens: 8 },
} as const;

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    tasks: { type: "string" },
    instances: { type: "string" },
    "max-tokens": { type: "string" },
    seed: { type: "string" },
    "kv-cache": { type: "string" },
    "flash-attention": { type: "string" },
    out: { type: "string" },
  },
});
const mode = args.quick ? "quick" : "full";
const plan = MODES[mode];
const integer = (name: string, raw: string | undefined, fallback: number, min: number): number => {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${raw}`);
  return n;
};
const instances = integer("instances", args.instances, plan.instances, 1);
const maxTokens = integer("max-tokens", args["max-tokens"], plan.maxTokens, 1);
const seed = integer("seed", args.seed, 0, 0);
const taskIds = args.tasks === undefined ? plan.tasks : args.tasks.split(",").map((t) => t.trim()).filter((t) => t !== "");
const kvCache = (args["kv-cache"] ?? "cold") as KvCachePolicy;
if (kvCache !== "cold" && kvCache !== "warm") throw new Error(`--kv-cache must be cold or warm, got ${args["kv-cache"]}`);
/**
 * llama.cpp's flash attention: `auto` (node-llama-cpp's default, what the recorded full run used), `on` or `off`. The
 * local stack turns it off for long contexts (`--context-size` above 512); on this CPU that reads a 4,000-token prompt
 * in ~3.5-3.9 s instead of ~15-16 s, so `--flash-attention off` is the setting that matches `npm start -- --context-size 8192`.
 */
const flashAttentionArg = args["flash-attention"] ?? "auto";
if (!["auto", "on", "off"].includes(flashAttentionArg)) throw new Error(`--flash-attention must be auto, on or off, got ${flashAttentionArg}`);
const flashAttention = flashAttentionArg === "auto" ? undefined : flashAttentionArg === "on";
const outDir = resolve(args.out ?? join(repoRoot, "bench-results"));
const log = (line: string) => process.stderr.write(`${line}\n`);

const startedAt = new Date();
const loadAtStart = loadavg();
const dataset = parseMtiBench(readFileSync(sharedFile(SLICE), "utf8"));
const demos = parseMtiDemos(readFileSync(sharedFile(DEMOS), "utf8"));
const tasks = chooseMtiTasks(dataset, demos, taskIds, instances);
if (tasks.length === 0) throw new Error("--tasks names no task");
const modelPath = sharedFile(MODEL);
const decoding: MtiDecoding = { temperature: 0.7, topP: 1, maxTokens, seed };

let engine: EmbeddedEngine | undefined;
let callLog: MtiCallLog | undefined;
try {
  engine = await createEmbeddedEngine({ name: ENGINE_NAME, modelPath, contextSize: CONTEXT_SIZE, threads: THREADS, ...(flashAttention !== undefined ? { flashAttention } : {}) });
  callLog = new MtiCallLog(engine, kvCache);
  const generate = callLog.generator(engineGenerate(engine, decoding));
  const settings: MtiRunSettings = {
    template: tuluChatTemplate,
    lenient: false,
    batchScoring: "step1",
    seed,
    run: 0,
    score: authorsAnswerScorer,
  };
  log(
    `mti bench (${mode}): ${tasks.length} tasks × ≤ ${instances} instances, modes ${MTI_MODES.join("/")} interleaved per task; ` +
      `${engine.model}, context ${CONTEXT_SIZE}, ${THREADS} thread; temperature ${decoding.temperature}, top_p ${decoding.topP}, ` +
      `maxTokens ${maxTokens}, seed ${seed}; KV cache ${kvCache}; flash attention ${flashAttentionArg}`,
  );

  // Untimed: the first task's first Multi-Task prompt, once for one token and once for maxTokens, both from an empty
  // cache — the first calls of the process, and the split of a call's time between prefill and decoding.
  const first = tasks[0]!;
  const probePrompt = multiTaskPrompt({ sample: first.prompts.sample, instance: first.instances[0]! }, tuluChatTemplate);
  await callLog.clear();
  const prefill = await engineGenerate(engine, { ...decoding, maxTokens: 1 })(probePrompt, seed);
  await callLog.clear();
  const whole = await engineGenerate(engine, decoding)(probePrompt, seed);
  await callLog.clear();
  const probe = {
    task: first.prompts.task,
    uid: first.instances[0]!.uid,
    promptTokens: prefill.promptTokens,
    oneTokenSeconds: prefill.seconds,
    outputTokens: whole.outputTokens,
    seconds: whole.seconds,
    // Null when the difference is lost in the noise (a few tokens on a loaded machine).
    decodeTokensPerSecond: whole.outputTokens > 1 && whole.seconds > prefill.seconds ? (whole.outputTokens - 1) / (whole.seconds - prefill.seconds) : null,
    prefillShare: Math.min(1, prefill.seconds / whole.seconds),
  };
  log(
    `probe (untimed): ${probe.promptTokens}-token prompt of task ${probe.task}: ${prefill.seconds.toFixed(2)} s for one token, ` +
      `${whole.seconds.toFixed(2)} s for ${whole.outputTokens} (prefill ≈ ${(probe.prefillShare * 100).toFixed(0)}% of the call)`,
  );

  const lines: MtiUnitLine[] = [];
  const errors: MtiUnitErrorLine[] = [];
  const unitWallSeconds: Record<MtiMode, number> = { multi: 0, single: 0, batch: 0 };
  const modeOrders: string[][] = [];
  const runStarted = performance.now();
  let unit = 0;
  for (const [i, task] of tasks.entries()) {
    const order = roundOrder(MTI_MODES, i);
    modeOrders.push(order);
    const taskSeconds: Partial<Record<MtiMode, number>> = {};
    for (const m of order) {
      const modeStarted = performance.now();
      for (const work of unitsOf(m, task)) {
        const members = instancesOf(work);
        callLog.startUnit({ task: task.prompts.task, mode: m, unit: members.map((x) => x.uid).join(",") });
        const started = performance.now();
        try {
          const results = await runMtiUnit(work, generate, settings);
          lines.push({ unit, engine: engine.name, mode: m, run: 0, instances: results });
        } catch (error) {
          // A prompt that does not fit the context is the unit's result, not the run's end (it is counted per mode).
          if (!(error instanceof ValidationError)) throw error;
          errors.push({
            unit,
            engine: engine.name,
            mode: m,
            run: 0,
            uids: members.map((x) => x.uid),
            tasks: members.map((x) => x.task),
            error: { code: error.code, message: error.message },
          });
          log(`  unit ${unit} (${m}, ${members.map((x) => x.uid).join(",")}) failed: ${error.message}`);
        }
        unitWallSeconds[m] += (performance.now() - started) / 1000;
        unit += 1;
      }
      taskSeconds[m] = (performance.now() - modeStarted) / 1000;
    }
    const elapsed = (performance.now() - runStarted) / 1000;
    log(
      `  task ${task.prompts.task} (${i + 1}/${tasks.length}, ${task.instances.length} instances × ${task.steps} steps): ` +
        order.map((m) => `${m} ${taskSeconds[m as MtiMode]!.toFixed(1)} s`).join(", ") +
        `; ${(elapsed / 60).toFixed(1)} min so far`,
    );
  }
  const runSeconds = (performance.now() - runStarted) / 1000;

  const figures = summarizeMtiRun({ engine: engine.name, lines, errors, calls: callLog.calls, unitWallSeconds });
  const finishedAt = new Date();
  const result = {
    version: 1 as const,
    bench: "mti" as const,
    mode,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    timedSeconds: runSeconds,
    machine: { ...machineInfo(), loadAverage: { start: loadAtStart, end: loadavg() } },
    engine: { name: engine.name, kind: engine.kind, model: engine.model, modelPath, threads: THREADS, contextSize: engine.contextSize, bosToken: engine.bosToken },
    settings: {
      data: { slice: SLICE, demos: DEMOS },
      tasks: tasks.map((t) => t.prompts.task),
      instancesPerTask: instances,
      modes: MTI_MODES,
      decoding,
      maxTokensChoice:
        args["max-tokens"] !== undefined
          ? "given with --max-tokens"
          : mode === "quick"
            ? "quick: 8 new tokens, so the smoke test takes seconds"
            : `default ${DEFAULT_MAX_TOKENS}: prefill dominates every call on this model and machine, so no maxTokens keeps the whole slice near 10 minutes; ${DEFAULT_MAX_TOKENS} keeps decoding a small share of each call`,
      template: tuluChatTemplate.name,
      lenient: settings.lenient,
      batchScoring: settings.batchScoring,
      kvCache,
      flashAttention: flashAttentionArg,
      order: "task by task; each task runs every unit of the three modes, mode after mode, in an order rotated by one per task",
      modeOrders,
      timing:
        "per instance: the wall-clock of its generation requests (engineGenerate: tokenisation excluded); a Batch Prompting call's time is split between its two instances, as runMtiUnit does",
    },
    workload: {
      tasks: tasks.length,
      instances: tasks.reduce((n, t) => n + t.instances.length, 0),
      stepsPerTask: Object.fromEntries(tasks.map((t) => [t.prompts.task, t.steps])),
      units: unit,
      calls: callLog.calls.length,
    },
    probe,
    ...figures,
    calls: callLog.calls,
    notes: notesFor(kvCache, maxTokens, figures.modes.multi.outputTokensPerInstance, figures.modes.single.outputTokensPerInstance),
  };

  await mkdir(outDir, { recursive: true });
  const path = join(outDir, mtiResultFileName(startedAt));
  const json = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(path, json);
  await writeFile(join(outDir, "mti-latest.json"), json);
  const head =
    `mti bench (${mode}): ${result.workload.tasks} tasks, ${result.workload.instances} instances, ${result.workload.calls} calls; ` +
    `${engine.model}, context ${CONTEXT_SIZE}, ${THREADS} thread, maxTokens ${maxTokens}, temperature 0.7, seed ${seed}, KV cache ${kvCache}; ` +
    `${result.machine.cpus} CPUs, load ${loadAtStart.map((x) => x.toFixed(2)).join("/")} → ${result.machine.loadAverage.end.map((x) => x.toFixed(2)).join("/")}; ` +
    `${(result.wallSeconds / 60).toFixed(1)} min`;
  process.stdout.write(`\n${renderMtiTable(head, figures)}\n\nresults: ${path}\n`);
  if (errors.length > 0) log(`warning: ${errors.length} unit(s) could not run; their instances are left out of every figure`);
} finally {
  callLog?.close();
  await engine?.close();
}

function notesFor(kv: KvCachePolicy, max: number, multiOut: number | null, singleOut: number | null): string[] {
  return [
    "stories260K is a 260K-parameter TinyStories model with a 512-token training context; MTI-Bench prompts are 1–7k tokens in its vocabulary, so its outputs are noise and accuracy is ~0 in every mode. The figures are about cost, not quality.",
    `The model rarely stops before maxTokens (${max}): output tokens per instance (multi ${multiOut?.toFixed(1) ?? "–"}, single ${singleOut?.toFixed(1) ?? "–"}) are about maxTokens × calls per instance. With every call generating about the same number of tokens, the ratios measure the number of calls and, above all, the prompt tokens each mode evaluates — see calls, prompt tokens and evaluated prompt tokens per instance per mode.`,
    "On this CPU a call's time is mostly prefill, growing faster than linearly with prompt length (see probe): Single-Task Inference pays its task's long demonstrations and passage once per step, Multi-Task once per instance; Batch Prompting pays once per step for two instances, but with both instructions in one longer prompt, and a prompt's cost grows faster than its length.",
    kv === "cold"
      ? "KV cache cold: emptied before every call, so each call evaluates its whole prompt (as a server without prefix caching would) and the interleaving order does not change any call's cost. With --kv-cache warm the embedded engine reuses the longest common prefix with the previous call, which favours modes whose consecutive calls share a demonstration (Multi-Task: every instance of a task starts with the same sample)."
      : "KV cache warm: the embedded engine reuses the longest common prefix with the previous call; reused tokens are recorded per call (reusedTokens) and per mode (evaluated prompt tokens per instance). Which calls are adjacent depends on the interleaving, so a warm ratio also depends on the order units run in.",
    "The paper's 1.46× (single/multi) and 2.1× (single/batch) were measured with 7B–70B models on GPUs, where decoding hundreds of tokens dominates a call; here prefill does, so the ratios need not match.",
  ];
}

