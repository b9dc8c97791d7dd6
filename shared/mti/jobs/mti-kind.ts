/**
 * MTI-Bench sweeps as a job kind. A unit is one (engine, run, mode, instance) — a pair under Batch Prompting — so
 * Single-Task Inference's chain of calls stays in one unit; its line records every step's answer against the gold and
 * every call's time and tokens. A unit whose engine call is refused (a prompt too long for the context, a 4xx from a
 * server) becomes an error line and the sweep goes on: by default a sweep never fails on unit errors.
 */
import { MtiTaskSchema, type MtiInstance } from "../../../schemas/mti.js";
import {
  CreateMtiSweepSchema,
  MtiSweepLayoutSchema,
  MtiSweepSpecSchema,
  MtiSweepSummarySchema,
  type CreateMtiSweep,
  type MtiSweepLayout,
  type MtiSweepSpec,
  type MtiSweepSummary,
  type MtiUnitErrorLine,
  type MtiUnitLine,
} from "../../../schemas/mti-sweeps.js";
import { chatTemplate } from "../../chat/chat-template-registry.js";
import { MtiDemosRecordSchema } from "../../datasets/dataset-kinds.js";
import { loadDatasetRecords } from "../../datasets/dataset-store.js";
import type { Engine } from "../../engines/engine.js";
import type { JobKind } from "../../jobs/job-kind.js";
import { fromChatTemplate, mtiChatTemplate, plainChatTemplate, type MtiChatTemplate } from "../prompts/chat-template.js";
import { authorsAnswerScorer } from "../run/answer-scorer.js";
import { freeFormAnswerScorer } from "../run/free-form-scorer.js";
import { chatGenerate, engineGenerate, type MtiGenerate } from "../run/engine-call.js";
import { runMtiUnit, type MtiAnswerScorer } from "../run/run-unit.js";
import type { MtiTaskPrompts, MtiUnitWork } from "../run/unit-work.js";
import { sweepAggregator, templateLabel } from "./sweep-aggregator.js";
import { checkSweepRequest } from "./sweep-request.js";
import { MtiUnits } from "./unit-layout.js";

/** Units per second assumed before any was measured (a unit is 1–3 generations of up to `maxTokens`). */
const ASSUMED_UNITS_PER_SECOND: Record<string, number> = { vllm: 0.5, sglang: 0.5, sagemaker: 0.3, embedded: 0.2, fake: 1000 };

/** What a shard keeps in memory for a sweep. */
export interface MtiSweepContext {
  readonly units: MtiUnits;
  readonly tasks: readonly MtiTaskPrompts[];
  /** Per task (layout order), its chosen instances in order. */
  readonly instances: readonly (readonly MtiInstance[])[];
  readonly engines: ReadonlyMap<string, Engine>;
  readonly generators: ReadonlyMap<string, MtiGenerate>;
  readonly request: CreateMtiSweep;
  /** Per engine: the sweep's template, or none for a chat-completions engine (its server applies the model's). */
  readonly templates: ReadonlyMap<string, MtiChatTemplate>;
  /** Exact match (`mti-bench`) or ROUGE-L (`mti-free-form`). */
  readonly score: MtiAnswerScorer;
}

/** The MTI-Bench sweep kind (`ms_…` ids; `POST /v1/mti/sweeps`). */
export const mtiSweepKind: JobKind<CreateMtiSweep, MtiSweepSpec, MtiSweepLayout, MtiSweepContext, MtiSweepSummary> = {
  name: "mti",
  idPrefix: "ms",
  title: "MTI-Bench sweep",
  requestSchema: CreateMtiSweepSchema,
  specSchema: MtiSweepSpecSchema,
  preparedSchema: MtiSweepLayoutSchema,
  summarySchema: MtiSweepSummarySchema,
  linesFile: "units.jsonl",
  // A refused call is an error line, not a failed sweep (the issue): the sweep reports them and goes on.
  defaultMaxUnitErrors: Number.MAX_SAFE_INTEGER,
  unitConcurrency: 1,

  async accept(deps, tenant, request) {
    templateOf(request); // a bad Jinja template is a 400 now, not an error line per unit later
    const { spec } = await checkSweepRequest(deps, tenant, request);
    const kinds = spec.engines.map((e) => deps.engines.describe(e.name).kind);
    const slowest = Math.min(...kinds.map((k) => ASSUMED_UNITS_PER_SECOND[k] ?? 0.2));
    return {
      spec,
      unitsHint: spec.units,
      costKey: spec.engines.map((e) => e.name).join("+"),
      model: spec.engines.map((e) => e.model).join("+"),
      assumedUnitsPerSecond: slowest,
    };
  },

  async plan(deps, tenant, request) {
    const { spec, layout } = await checkSweepRequest(deps, tenant, request);
    const units = new MtiUnits(layout);
    const perMode = Object.fromEntries(layout.modes.map((m) => [m, units.slotsPerRun(m) * layout.engines.length * layout.runs]));
    return { engines: spec.engines, tasks: spec.tasks, instances: spec.instances, units: spec.units, unitsByMode: perMode, template: templateLabel(request.template) };
  },

  async prepare(deps, job) {
    const { layout } = await checkSweepRequest(deps, job.tenant, job.request);
    return { status: "done", units: new MtiUnits(layout).count, context: layout };
  },

  async loadContext(deps, job) {
    const layout = job.context;
    const [all, demos] = await Promise.all([
      loadDatasetRecords(deps.store, job.tenant, job.spec.datasetId, job.spec.datasetKind, MtiTaskSchema),
      loadDatasetRecords(deps.store, job.tenant, job.spec.demosDatasetId, "mti-demos", MtiDemosRecordSchema),
    ]);
    const byTask = new Map(all.map((t) => [t.task, t]));
    const demosOf = new Map(demos.map((d) => [d.task, d.steps]));
    const tasks: MtiTaskPrompts[] = [];
    const instances: MtiInstance[][] = [];
    for (const { task, uids } of layout.tasks) {
      const t = byTask.get(task);
      if (t === undefined) throw new Error(`task ${task} is gone from dataset ${job.spec.datasetId}`);
      const byUid = new Map(t.instances.map((i) => [i.uid, i]));
      tasks.push({ task, sample: t.sample, demos: demosOf.get(task) ?? [] });
      instances.push(uids.map((uid) => byUid.get(uid) ?? missing(uid, job.spec.datasetId)));
    }
    const engines = new Map<string, Engine>();
    for (const name of layout.engines) engines.set(name, await deps.engines.get(name));
    // A token-level engine gets the sweep's template; a chat-completions engine gets the bare user content, which
    // its server wraps in the model's own template.
    const chats = (e: Engine) => !e.capabilities.generate && e.capabilities.chat;
    const generators = new Map(
      [...engines].map(([name, engine]) => [name, chats(engine) ? chatGenerate(engine, job.request.decoding) : engineGenerate(engine, job.request.decoding)]),
    );
    const requested = templateOf(job.request);
    const templates = new Map([...engines].map(([name, engine]) => [name, chats(engine) ? plainChatTemplate : requested]));
    return {
      units: new MtiUnits(layout),
      tasks,
      instances,
      engines,
      generators,
      request: job.request,
      templates,
      score: job.spec.datasetKind === "mti-free-form" ? freeFormAnswerScorer : authorsAnswerScorer,
    };
  },

  async processUnit(ctx, index) {
    const { engine, run, mode, slot } = ctx.units.at(index);
    const task = ctx.tasks[slot.task]!;
    const [first, second] = slot.instances.map((i) => ctx.instances[slot.task]![i]!);
    const work: MtiUnitWork =
      mode !== "batch" ? { mode, task, instance: first! } : second !== undefined ? { mode, task, pair: [first!, second] } : { mode, task, lone: first! };
    const results = await runMtiUnit(work, ctx.generators.get(engine)!, {
      template: ctx.templates.get(engine)!,
      lenient: ctx.request.lenient,
      batchScoring: ctx.request.batchScoring,
      seed: ctx.request.decoding.seed,
      run,
      score: ctx.score,
    });
    const line: MtiUnitLine = { unit: index, engine, mode, run, instances: results };
    return {
      line: JSON.stringify(line),
      outcome: "scored",
      work: {
        calls: Math.max(...results.map((r) => r.calls)),
        outputTokens: results.reduce((n, r) => n + r.outputTokens, 0),
      },
    };
  },

  errorLine(job, index, error) {
    const units = new MtiUnits(job.context);
    const { engine, run, mode, slot } = units.at(index);
    const t = job.context.tasks[slot.task]!;
    const line: MtiUnitErrorLine = {
      unit: index,
      engine,
      mode,
      run,
      uids: slot.instances.map((i) => t.uids[i]!),
      tasks: slot.instances.map(() => t.task),
      error: { code: error.code, message: error.message },
    };
    return JSON.stringify(line);
  },

  aggregator: sweepAggregator,

  engineStats: (ctx) => (ctx.engines.size === 1 ? ([...ctx.engines.values()][0]!.stats?.() ?? null) : null),

  callbackBody(job, summary, status) {
    return {
      type: `mti.sweep.${status}`,
      sweepId: job.jobId,
      status,
      partial: summary.partial,
      gate: summary.gate === null ? null : { verdict: summary.gate.verdict, failed: summary.gate.failed.map((c) => c.name) },
      links: { self: `/v1/mti/sweeps/${job.jobId}`, results: `/v1/jobs/${job.jobId}/results` },
    };
  },
};

function missing(uid: string, datasetId: string): never {
  throw new Error(`instance ${uid} is gone from dataset ${datasetId}`);
}

/** The request's template as a one-user-turn MTI template. */
function templateOf(request: CreateMtiSweep): MtiChatTemplate {
  return typeof request.template === "string" ? mtiChatTemplate(request.template) : fromChatTemplate(chatTemplate(request.template));
}
