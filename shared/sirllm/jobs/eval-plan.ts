/**
 * An evaluation request checked against its engine and resolved: each task's settings (the paper's defaults filled
 * in), its unit scripts, the memory level, and the layout of the job's units. Shared by the job (accept, the dry run,
 * prepare, every shard's context) and `assay sirllm eval`, so both run the same units the same way.
 */
import type { EngineDescriptor } from "../../../schemas/engines.js";
import { SirllmEvalRequestSchema, type SirllmEvalRequest } from "../../../schemas/sirllm-eval.js";
import {
  evaluationTasks,
  taskPart,
  type CreateSirllmEvaluation,
  type SirllmEvalLayout,
  type SirllmEvalSpec,
  type SirllmEvalTaskSpec,
} from "../../../schemas/sirllm-eval-jobs.js";
import { CapabilityError, ValidationError } from "../../errors.js";
import { dataDirSource, evalUnitScripts, type EvalDataSource } from "../eval/eval-units.js";
import type { UnitScript } from "../eval/script-turn.js";
import { memoryCapacity, refuseUnsupportedMemory } from "../turns/select-driver.js";

/** What the plan needs to know about the engine (a registry descriptor has it; so does a built engine). */
export type EvalEngineInfo = Pick<EngineDescriptor, "name" | "kind" | "model" | "contextSize"> & {
  readonly capabilities: Pick<EngineDescriptor["capabilities"], "promptLogprobs" | "generate">;
};

/** A resolved evaluation. */
export interface ResolvedSirllmEval {
  readonly spec: SirllmEvalSpec;
  readonly layout: SirllmEvalLayout;
  /** Per task (spec order), its units' scripts in order. */
  readonly scripts: readonly (readonly UnitScript[])[];
}

/** The request parts the plan reads (a stored request, or the CLI's flags). */
export type SirllmEvalPlanRequest = Pick<
  CreateSirllmEvaluation,
  "task" | "tasks" | "policies" | "limit" | "cacheSize" | "sinks" | "decay" | "rps" | "seed" | "entropy" | "memoryLevel" | "rpsWindow"
>;

/**
 * Each task's part of the request with the paper's defaults filled in.
 *
 * @example
 * taskRequests({ tasks: ["dailydialog", "rps"], policies: ["sirllm"], cacheSize: 512, … }).map((r) => r.decay); // [0.7, 0.9]
 */
export function taskRequests(request: Pick<SirllmEvalPlanRequest, "task" | "tasks" | "policies" | "limit" | "cacheSize" | "sinks" | "decay" | "rps">): SirllmEvalRequest[] {
  const tasks = evaluationTasks(request);
  if (tasks.length === 0) throw new ValidationError("name at least one task");
  return tasks.map((task) => {
    const parsed = SirllmEvalRequestSchema.safeParse(taskPart(request, task));
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message));
      throw new ValidationError(`task ${task}: ${problems.join("; ")}`, { task, problems });
    }
    return parsed.data;
  });
}

/**
 * Every task's unit scripts, in the request's task order (the data files read again: a shard's context).
 *
 * @example
 * evaluationScripts(request).map((units) => units.length); // [2, 2, 3]
 */
export function evaluationScripts(request: Parameters<typeof taskRequests>[0], source: EvalDataSource = dataDirSource()): UnitScript[][] {
  return taskRequests(request).map((part) => evalUnitScripts(part, source));
}

/** The most tokens a unit's memory may hold on the engine (`memoryCapacity`); null when its context is unknown. */
export function memoryCapacityOf(engine: Pick<EvalEngineInfo, "kind" | "contextSize">): number | null {
  return engine.contextSize === null ? null : memoryCapacity({ kind: engine.kind, contextSize: engine.contextSize });
}

/** `kv` where the engine is the embedded one (a live KV cache per unit), `token` elsewhere. */
export function defaultEvalMemoryLevel(engine: Pick<EvalEngineInfo, "kind">): "kv" | "token" {
  return engine.kind === "embedded" ? "kv" : "token";
}

/**
 * Checks the request against the engine and the data, and resolves it. 400s name what is wrong: an engine that cannot
 * score prompts, `kv` or `reference` on an engine that is not the embedded one, a cache larger than the engine's
 * context; a bad data file is a 400 naming its lines, a missing one a configuration error.
 *
 * @example
 * const { spec, layout, scripts } = resolveSirllmEval(request, engines.describe(request.engine));
 */
export function resolveSirllmEval(request: SirllmEvalPlanRequest, engine: EvalEngineInfo, source: EvalDataSource = dataDirSource()): ResolvedSirllmEval {
  if (!engine.capabilities.promptLogprobs) throw new CapabilityError(engine.name, "prompt log-probabilities (a SirLLM evaluation scores every option)");
  if (!engine.capabilities.generate) throw new CapabilityError(engine.name, "generation (a SirLLM evaluation holds a memory session)");
  const memoryLevel = request.memoryLevel ?? defaultEvalMemoryLevel(engine);
  // Planned from the engine's description: an embedded engine's workers run it with its own sequence.
  refuseUnsupportedMemory(engine, engine.kind === "embedded", memoryLevel, request.entropy, "unit");
  const parts = taskRequests(request);
  const policies = parts[0]!.policies;
  const evaluations: SirllmEvalTaskSpec[] = [];
  const scripts: UnitScript[][] = [];
  const capacity = memoryCapacityOf(engine);
  for (const part of parts) {
    if (capacity !== null && part.cacheSize > capacity) {
      const of = capacity === engine.contextSize ? `engine "${engine.name}"'s ${engine.contextSize}-token context` : `the ${capacity} tokens a session can hold in engine "${engine.name}"'s ${engine.contextSize}-token context`;
      throw new ValidationError(`task ${part.task}: cacheSize ${part.cacheSize} is larger than ${of}; give a smaller cacheSize (or a larger context)`, {
        task: part.task,
        cacheSize: part.cacheSize,
        contextSize: engine.contextSize,
      });
    }
    const units = evalUnitScripts(part, source);
    scripts.push(units);
    evaluations.push({
      task: part.task,
      cacheSize: part.cacheSize,
      sinks: part.sinks,
      decay: part.decay,
      limit: part.limit ?? null,
      players: part.task === "rps" ? part.rps.players : null,
      units: units.length,
      data: part.task === "rps" && part.rps.players !== "data" ? "generated" : source.origin(part.task),
    });
  }
  const spec: SirllmEvalSpec = {
    engine: { name: engine.name, kind: engine.kind, model: engine.model, contextSize: engine.contextSize },
    policies: [...policies],
    entropy: request.entropy,
    memoryLevel,
    seed: request.seed,
    rpsWindow: request.rpsWindow,
    evaluations,
    units: evaluations.reduce((n, e) => n + e.units * policies.length, 0),
  };
  const layout: SirllmEvalLayout = {
    policies: [...policies],
    tasks: evaluations.map((e, t) => ({ task: e.task, units: scripts[t]!.map((s) => s.unit) })),
  };
  return { spec, layout, scripts };
}

/** One (task, unit, policy) of the job. */
export interface SirllmEvalUnitAddress {
  /** Position of the task in the spec. */
  readonly taskIndex: number;
  readonly task: SirllmEvalLayout["tasks"][number]["task"];
  /** Position of the unit in its task. */
  readonly unitIndex: number;
  readonly unit: string;
  readonly policy: SirllmEvalLayout["policies"][number];
}

/**
 * The job's units by number: task by task, each unit with every policy in turn (so the policies of one unit are
 * neighbours, and a stopped job still compares them side by side).
 *
 * @example
 * new SirllmEvalUnits({ policies: ["sirllm", "streaming"], tasks: [{ task: "rps", units: ["a", "b"] }] }).at(3); // b under streaming
 */
export class SirllmEvalUnits {
  readonly count: number;
  private readonly starts: number[];

  constructor(readonly layout: SirllmEvalLayout) {
    this.starts = [];
    let n = 0;
    for (const t of layout.tasks) {
      this.starts.push(n);
      n += t.units.length * layout.policies.length;
    }
    this.count = n;
  }

  at(index: number): SirllmEvalUnitAddress {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) throw new RangeError(`unit ${index} is outside 0..${this.count - 1}`);
    let taskIndex = this.starts.length - 1;
    while (this.starts[taskIndex]! > index) taskIndex--;
    const t = this.layout.tasks[taskIndex]!;
    const within = index - this.starts[taskIndex]!;
    const p = this.layout.policies.length;
    const unitIndex = Math.floor(within / p);
    return { taskIndex, task: t.task, unitIndex, unit: t.units[unitIndex]!, policy: this.layout.policies[within % p]! };
  }
}
