/**
 * `assay sirllm eval`: SirLLM's evaluations in this process (no queue, no API) — the same units, the same per-unit code
 * and the same tables as a `POST /v1/sirllm/evaluations` job on the same inputs. Prints the tables as Markdown, or with
 * `--json` the report the job's `summary.json` is built around (`SirllmEvalReport`). Progress goes to stderr.
 * The heavy modules load inside the action so `assay --help` stays fast.
 */
import { writeFileSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { CreateSirllmEvaluationInput, SirllmEvalReport } from "../../schemas/sirllm-eval-jobs.js";
import type { Engine } from "../engines/engine.js";
import { ValidationError } from "../errors.js";

/** Parsed options of `assay sirllm eval`. */
export interface SirllmEvalOptions {
  readonly task: string[];
  readonly policy: string[];
  /** `local` / `embedded` (the embedded engine on the default model), `local:PATH.gguf`, or a configured engine's name. */
  readonly engine: string;
  readonly limit?: number;
  readonly cacheSize?: number;
  readonly sinks?: number;
  readonly decay?: number;
  readonly seed?: number;
  readonly entropy?: "paper" | "reference";
  readonly memoryLevel?: "kv" | "token";
  readonly rpsGenerate?: { count: number; seed: number; rounds?: number };
  readonly rpsWindow?: number;
  /** The embedded engine's context in tokens (default: the model's, at most 512, as the local stack's). */
  readonly contextSize?: number;
  readonly json?: boolean;
  /** Also write every unit's result line (JSONL, the job's `outcomes.jsonl`) here. */
  readonly lines?: string;
  readonly quiet?: boolean;
}

const list = (value: string) => value.split(",").map((s) => s.trim()).filter(Boolean);

const integer = (min: number, what: string) => (value: string) => {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${what} is an integer ≥ ${min}`);
  return n;
};

const decimal = (value: string) => {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError("expected a number");
  return n;
};

/**
 * `--rps-generate count:seed[:rounds]`.
 *
 * @example
 * parseRpsGenerate("3:7:200"); // { count: 3, seed: 7, rounds: 200 }
 */
export function parseRpsGenerate(value: string): { count: number; seed: number; rounds?: number } {
  const parts = value.split(":");
  const ok = (parts.length === 2 || parts.length === 3) && parts.every((p) => /^\d+$/.test(p.trim()));
  if (!ok) throw new InvalidArgumentError("expected count:seed or count:seed:rounds, non-negative integers (e.g. 3:7:2000)");
  const [count, seed, rounds] = parts.map(Number);
  return { count: count!, seed: seed!, ...(rounds !== undefined ? { rounds } : {}) };
}

/**
 * The evaluation request the flags describe (validated by the job's own schema, so the two refuse the same things).
 *
 * @example
 * evalRequestOf({ task: ["rps"], policy: ["sirllm"], engine: "local", rpsGenerate: { count: 2, seed: 7, rounds: 20 } }, "local");
 */
export function evalRequestOf(opts: SirllmEvalOptions, engineName: string): CreateSirllmEvaluationInput {
  return {
    engine: engineName,
    ...(opts.task.length === 1 ? { task: opts.task[0] as never } : { tasks: opts.task as never }),
    policies: opts.policy as never,
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.cacheSize !== undefined ? { cacheSize: opts.cacheSize } : {}),
    ...(opts.sinks !== undefined ? { sinks: opts.sinks } : {}),
    ...(opts.decay !== undefined ? { decay: opts.decay } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.entropy !== undefined ? { entropy: opts.entropy } : {}),
    ...(opts.memoryLevel !== undefined ? { memoryLevel: opts.memoryLevel } : {}),
    ...(opts.rpsWindow !== undefined ? { rpsWindow: opts.rpsWindow } : {}),
    ...(opts.rpsGenerate !== undefined ? { rps: { players: { generate: opts.rpsGenerate } } } : {}),
  };
}

/** An engine ready for units, and how to let it go. */
interface OpenedEvalEngine {
  readonly engine: Engine;
  close(): Promise<void>;
}

/** `local`, `embedded`, `local:` and `local:PATH.gguf`: the embedded engine; anything else a configured engine. */
async function openEvalEngine(spec: string, contextSize: number | undefined): Promise<OpenedEvalEngine> {
  const { parseEngineSpec, openEngine } = await import("../nuggets/local/engine-spec.js");
  const parsed = spec === "local" || spec === "embedded" ? parseEngineSpec(undefined) : parseEngineSpec(spec);
  if (parsed.kind === "local") {
    const { createEmbeddedEngine } = await import("../engines/embedded/index.js");
    // Named "local" and on one thread, as the local stack registers it, so a job there and this run compute alike.
    const engine = await createEmbeddedEngine({ name: "local", modelPath: parsed.modelPath, threads: 1, ...(contextSize !== undefined ? { contextSize } : {}) });
    return { engine, close: () => engine.close() };
  }
  if (contextSize !== undefined) throw new ValidationError("--context-size applies to the embedded engine only (local, local:PATH.gguf)");
  const opened = await openEngine(parsed);
  return { engine: opened.engine, close: () => opened.close() };
}

/** What the command prints, and where. */
export interface SirllmEvalIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * Runs the evaluation and returns its report (printing it to `io.out` as Markdown, or JSON with `--json`). Bad flags
 * and refusals are ValidationErrors (exit 2 from `main.ts`).
 *
 * @example
 * const report = await runSirllmEval({ task: ["dailydialog"], policy: ["sirllm", "streaming"], engine: "local", limit: 2, json: true });
 */
export async function runSirllmEval(
  opts: SirllmEvalOptions,
  io: SirllmEvalIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) },
): Promise<SirllmEvalReport> {
  const [{ CreateSirllmEvaluationSchema }, { resolveSirllmEval }, { sirllmEvalRun, evalUnitLine }, { SirllmEvalAccumulator, renderSirllmEvalMarkdown }] = await Promise.all([
    import("../../schemas/sirllm-eval-jobs.js"),
    import("../sirllm/jobs/eval-plan.js"),
    import("../sirllm/jobs/eval-run.js"),
    import("../sirllm/jobs/eval-report.js"),
  ]);
  // Checked before a model loads: the flags' mistakes come back at once.
  const check = (engineName: string) => {
    const parsed = CreateSirllmEvaluationSchema.safeParse(evalRequestOf(opts, engineName));
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message));
      throw new ValidationError(`bad options: ${problems.join("; ")}`, { problems });
    }
    return parsed.data;
  };
  check("local");
  const { engine, close } = await openEvalEngine(opts.engine, opts.contextSize);
  try {
    let request = check(engine.name);
    if (request.memoryLevel === undefined) {
      // The level this engine object gives (an embedded engine built by the registry is pooled: no live sequence).
      const { defaultMemoryLevel } = await import("../sirllm/turns/select-driver.js");
      request = { ...request, memoryLevel: engine.kind === "embedded" ? defaultMemoryLevel(engine) : "token" };
    }
    const info = { name: engine.name, kind: engine.kind, model: engine.model, contextSize: Number.isFinite(engine.contextSize) ? engine.contextSize : null, capabilities: engine.capabilities };
    const { spec, layout, scripts } = resolveSirllmEval(request, info);
    const run = await sirllmEvalRun(spec, layout, scripts, engine, "eval:cli");
    if (run.driverError !== null) throw new ValidationError(run.driverError);
    const acc = new SirllmEvalAccumulator(spec);
    const lines: string[] = [];
    const started = Date.now();
    for (let i = 0; i < run.units.count; i++) {
      const line = await evalUnitLine(run, i);
      acc.add(line);
      if (opts.lines) lines.push(JSON.stringify(line));
      if (!opts.quiet) {
        const result = line.result.status === "ok" ? "ok" : `failed: ${line.result.reason}`;
        io.err(`[${i + 1}/${run.units.count}] ${line.task} ${line.unit} ${line.policy}: ${line.work.turns} turns, ${line.work.evictions} evictions, ${result} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      }
    }
    if (opts.lines) writeFileSync(opts.lines, lines.map((l) => `${l}\n`).join(""));
    const report = acc.report();
    io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderSirllmEvalMarkdown(report));
    return report;
  } finally {
    await close();
  }
}

/**
 * Adds `eval` under the `sirllm` command group.
 *
 * @example
 * registerSirllmEvalCommand(program.command("sirllm"));
 * // assay sirllm eval --task dailydialog --policy sirllm,streaming --engine local --limit 2
 */
export function registerSirllmEvalCommand(sirllm: Command): Command {
  return sirllm
    .command("eval")
    .description(
      "run SirLLM's evaluations (REFERENCE.md §2) in this process, every policy side by side: DailyDialog accuracy, Grocery Shopping " +
        "recall and CommonsenseQA accuracy, Rock-Paper-Scissors win/tie/lose rates (also per window of rounds); the same tables " +
        "as POST /v1/sirllm/evaluations",
    )
    .requiredOption("--task <T[,T…]>", "dailydialog, grocery and/or rps", list)
    .requiredOption("--policy <P[,P…]>", "memory policies: sirllm, streaming, random, interval, full", list)
    .requiredOption("--engine <E>", "local (or embedded: the embedded engine on the default model), local:PATH.gguf, or a configured engine (ASSAY_ENGINES)")
    .option("--limit <n>", "the first n units of each task (dialogues, episodes, players)", integer(1, "--limit"))
    .option("--cache-size <n>", "tokens in memory after a turn (default: the paper's per task: 512, 1024, 1024)", integer(1, "--cache-size"))
    .option("--sinks <n>", "the session's first tokens, always kept (default 4)", integer(0, "--sinks"))
    .option("--decay <d>", "multiplies every stored entropy once per turn, 0 < d ≤ 1 (default: the paper's per task: 0.7, 1, 0.9)", decimal)
    .option("--seed <n>", "seed of the random policy", integer(0, "--seed"))
    .addOption(new Option("--entropy <preset>", "paper: −log p of the token; reference: the authors' previous-token quirk").choices(["paper", "reference"]))
    .addOption(new Option("--memory-level <level>", "kv: a live KV cache per unit (embedded engine; default there); token: kept ids re-sent").choices(["kv", "token"]))
    .option("--rps-generate <count:seed[:rounds]>", "RPS: generated players (favourite 0.5, its beater 0.3, the other 0.2) instead of the authors' three", parseRpsGenerate)
    .option("--rps-window <n>", "RPS: rounds per window of the learning curve (default 100)", integer(1, "--rps-window"))
    .option("--context-size <n>", "the embedded engine's context in tokens (default: the model's, at most 512, as `assay dev`)", integer(16, "--context-size"))
    .option("--json", "print the report as JSON (the job's summary.json has the same fields)")
    .option("--lines <file.jsonl>", "also write every unit's result line here (the job's outcomes.jsonl)")
    .option("--quiet", "no progress lines on stderr")
    .action(async (opts: SirllmEvalOptions) => {
      await runSirllmEval(opts);
    });
}
