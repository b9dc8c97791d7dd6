/**
 * `npm run bench`: the embedded engine's throughput on this machine, in process and through its HTTP face
 * (`assay engine serve` in a separate process, driven by the vLLM adapter), side by side in one run.
 *
 *   npm run bench                  # about 1–2 minutes
 *   npm run bench -- --quick       # a few seconds (the smoke test)
 *   npm run bench -- --rounds 11 --out /tmp/results --model models/x.gguf
 *
 * Variants run round-robin over several rounds; every figure is a median with its spread, and each ratio is taken
 * per round before it is summarised. Results go to `bench-results/engine-<timestamp>.json` and
 * `bench-results/engine-latest.json`.
 */
import { machineInfo } from "./machine.js";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot, resolveDefaultModel, sharedFile } from "../shared/config/shared-files.js";
import { createEmbeddedEngine, type EmbeddedEngine } from "../shared/engines/embedded/index.js";
import type { Engine } from "../shared/engines/engine.js";
import { createVllmEngine } from "../shared/engines/vllm/index.js";
import { parseDataset } from "../shared/nuggets/dataset.js";
import { benchVariants, COMPARISONS } from "./cases.js";
import { runChecks } from "./checks.js";
import { spawnEngineServer, type EngineServerProcess } from "./engine-server-process.js";
import { renderTable, resultFileName, summarizeRun, type EngineBenchResult } from "./report.js";
import { runRoundRobin } from "./round-robin.js";
import { buildWorkload, fullPrompts, tokenizeExamples, type BenchWorkload, type WorkloadSize } from "./workload.js";

const THREADS = 1; // DESIGN.md: more llama.cpp threads than free cores runs hundreds of times slower.
const EXAMPLES_READ = 600;

const MODES = {
  full: {
    rounds: 7,
    warmupRounds: 1,
    size: { scorePrompts: 8, generatePrompts: 8, generateTokens: 64, prefixGroups: 3, suffixesPerGroup: 6, promptTokens: [150, 300] },
  },
  quick: {
    rounds: 2,
    warmupRounds: 0,
    size: { scorePrompts: 2, generatePrompts: 1, generateTokens: 8, prefixGroups: 2, suffixesPerGroup: 2, promptTokens: [150, 300] },
  },
} as const satisfies Record<string, { rounds: number; warmupRounds: number; size: WorkloadSize }>;

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    out: { type: "string" },
    model: { type: "string" },
  },
});
const mode = args.quick ? "quick" : "full";
const plan = MODES[mode];
const rounds = args.rounds === undefined ? plan.rounds : Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${args.rounds}`);
const outDir = resolve(args.out ?? join(repoRoot, "bench-results"));
const modelPath = resolve(args.model ?? resolveDefaultModel());
const log = (line: string) => process.stderr.write(`${line}\n`);

const startedAt = new Date();
let direct: EmbeddedEngine | undefined;
let server: EngineServerProcess | undefined;
let http: Engine | undefined;
log(`engine bench (${mode}): loading ${modelPath} in process and in \`assay engine serve\`…`);
// The server starts while the model loads here; whichever fails, the other is still cleaned up in `finally`.
const starting = spawnEngineServer({ modelPath }).then((s) => (server = s));
starting.catch(() => undefined);
try {
  direct = await createEmbeddedEngine({ name: "direct", modelPath, threads: THREADS });
  const running = await starting;
  const served = await servedModel(running.url);
  http = createVllmEngine({
    name: "http",
    kind: "vllm",
    baseUrl: running.url,
    model: served.id,
    contextSize: served.maxModelLen,
    bosToken: direct.bosToken,
  });

  const examples = parseDataset(readFileSync(sharedFile("data/alpaca/alpaca_5000.json"), "utf8")).examples;
  const tokenized = await tokenizeExamples(examples.slice(0, EXAMPLES_READ), (t) => direct!.tokenize(t));
  const bos = direct.bosToken === null ? [] : [direct.bosToken];
  const workload = buildWorkload(tokenized, bos, plan.size);
  const checks = await runChecks(direct, http, workload);
  if (!checks.sameWork) log(`warning: direct and HTTP did not compute the same thing: ${JSON.stringify(checks)}`);

  const variants = benchVariants(direct, http, workload);
  log(`${variants.length} variants × ${rounds} rounds (+${plan.warmupRounds} warm-up), round-robin…`);
  const samples = await runRoundRobin(variants, {
    rounds,
    warmupRounds: plan.warmupRounds,
    onRound: (r, n) => log(`  round ${r}/${n} done`),
  });

  const machine = {
    ...machineInfo(),
    serverNode: running.nodeVersion,
  };
  const engine = {
    model: direct.model,
    modelPath,
    threads: THREADS,
    contextSize: direct.contextSize,
    bosToken: direct.bosToken,
  };
  const result: EngineBenchResult = {
    version: 1,
    bench: "engine",
    mode,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    engine,
    workload: describeWorkload(workload, plan.size, rounds, plan.warmupRounds),
    checks,
    ...summarizeRun(variants, COMPARISONS, samples),
  };

  await mkdir(outDir, { recursive: true });
  const path = join(outDir, resultFileName(startedAt));
  const json = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(path, json);
  await writeFile(join(outDir, "engine-latest.json"), json);
  process.stdout.write(`\n${renderTable(result)}\n\nresults: ${path}\n`);
} finally {
  await http?.close().catch(() => undefined);
  await starting.catch(() => undefined);
  await server?.close();
  await direct?.close();
}

/** The model id and context length the server reports, as a client configured from `/v1/models` would use. */
async function servedModel(url: string): Promise<{ id: string; maxModelLen: number }> {
  const response = await fetch(`${url}/v1/models`);
  const body = (await response.json()) as { data: { id: string; max_model_len: number }[] };
  const model = body.data[0];
  if (!model) throw new Error(`${url}/v1/models lists no model`);
  return { id: model.id, maxModelLen: model.max_model_len };
}


function describeWorkload(workload: BenchWorkload, size: WorkloadSize, rounds: number, warmupRounds: number) {
  const lengths = (rs: readonly { tokens: readonly number[]; from: number }[]) => rs.map((r) => r.tokens.length);
  const scored = (rs: readonly { tokens: readonly number[]; from: number }[]) => rs.map((r) => r.tokens.length - r.from);
  const full = fullPrompts(workload.sharedPrefix, "grouped");
  return {
    source: "alpaca_5000.json (NUGGETS template), in file order",
    rounds,
    warmupRounds,
    size,
    score: {
      what: "NUGGETS one-shot prompts: BOS + candidate + anchor, scored from the anchor's answer",
      prompts: workload.score.length,
      promptTokens: lengths(workload.score),
      scoredTokens: scored(workload.score),
      batchSize: workload.score.length,
    },
    generate: {
      what: "greedy (temperature 0) from BOS + an anchor's query; tokens/s includes the prompt's prefill",
      prompts: workload.generate.length,
      promptTokens: workload.generate.map((r) => r.prompt.length),
      maxTokens: size.generateTokens,
    },
    sharedPrefix: {
      what: "each candidate against the same anchors; tokens/s counts the full prompts' tokens for every variant",
      candidates: workload.sharedPrefix.length,
      anchorsPerCandidate: size.suffixesPerGroup,
      prefixTokens: workload.sharedPrefix.map((g) => g.prefix.length),
      suffixTokens: workload.sharedPrefix[0]?.suffixes.map((s) => s.tokens.length) ?? [],
      fullPromptTokens: lengths(full),
      /** Tokens evaluated in full ÷ with each prefix once: the speed-up if cost were proportional to tokens. */
      tokenSpeedUpBound:
        full.reduce((n, r) => n + r.tokens.length, 0) /
        workload.sharedPrefix.reduce((n, g) => n + g.prefix.length + g.suffixes.reduce((m, s) => m + s.tokens.length, 0), 0),
    },
  };
}
