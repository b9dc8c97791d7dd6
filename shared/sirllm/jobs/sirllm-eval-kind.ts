/**
 * SirLLM's evaluations (DailyDialog, Grocery Shopping, Rock-Paper-Scissors; REFERENCE.md §2) as a job kind. A unit is
 * one dialogue, episode or player under one memory policy, walked turn by turn on the engine from empty memory; its
 * line is the outcome the paper's tables count. The aggregator builds every task's table with the requested policies
 * side by side (`summary.json`) and `report.md`. A unit memory refuses (or an engine refuses for good) is a `failed`
 * line, counted apart in the tables; the job goes on.
 *
 * The data comes from the authors' files in the shared folder (`$ASSAY_SIRLLM_DATA_DIR`), or, for RPS, players
 * generated from a seed.
 */
import {
  CreateSirllmEvaluationSchema,
  SIRLLM_EVAL_FILES,
  SirllmEvalLayoutSchema,
  SirllmEvalSpecSchema,
  SirllmEvalSummarySchema,
  SirllmEvalUnitLineSchema,
  type CreateSirllmEvaluation,
  type SirllmEvalLayout,
  type SirllmEvalSpec,
  type SirllmEvalSummary,
  type SirllmEvalUnitLine,
} from "../../../schemas/sirllm-eval-jobs.js";
import type { JobKind } from "../../jobs/job-kind.js";
import type { JobDeps } from "../../jobs/ports.js";
import { failedUnit } from "../eval/score-unit.js";
import { SirllmEvalAccumulator, renderSirllmEvalMarkdown } from "./eval-report.js";
import { evalDataSource } from "./eval-data.js";
import { evaluationScripts, resolveSirllmEval, SirllmEvalUnits } from "./eval-plan.js";
import { evalUnitLine, sirllmEvalRun, type SirllmEvalRun } from "./eval-run.js";

/**
 * Units per second assumed before any was measured. A unit is a whole dialogue (≈ 6 turns), episode (22 turns) or
 * player (up to 2,000 rounds), each turn a forward pass over the context and one probe per option.
 */
const ASSUMED_UNITS_PER_SECOND: Record<string, number> = { embedded: 0.05, fake: 50, vllm: 0.02, sglang: 0.02, sagemaker: 0.01 };

/** The request checked against the deployment's engine and its data (uploaded datasets or the authors' files), resolved. */
async function resolve(deps: JobDeps, tenant: string, request: CreateSirllmEvaluation) {
  const engine = deps.engines.describe(request.engine);
  return resolveSirllmEval(request, engine, await evalDataSource(deps.store, tenant, request));
}

/** The SirLLM evaluation kind (`se_…` ids; `POST /v1/sirllm/evaluations`). */
export const sirllmEvalKind: JobKind<CreateSirllmEvaluation, SirllmEvalSpec, SirllmEvalLayout, SirllmEvalRun, SirllmEvalSummary> = {
  name: "sirllm-eval",
  idPrefix: "se",
  title: "SirLLM evaluation",
  requestSchema: CreateSirllmEvaluationSchema,
  specSchema: SirllmEvalSpecSchema,
  preparedSchema: SirllmEvalLayoutSchema,
  summarySchema: SirllmEvalSummarySchema,
  linesFile: SIRLLM_EVAL_FILES.lines,
  // A unit that cannot be completed is a `failed` outcome the tables count apart, not a reason to stop the job.
  defaultMaxUnitErrors: Number.MAX_SAFE_INTEGER,
  // One unit at a time: a KV-level driver keeps one unit's sequence resident on the engine's one sequence.
  unitConcurrency: 1,

  async accept(deps, tenant, request) {
    const { spec } = await resolve(deps, tenant, request);
    return {
      spec,
      unitsHint: spec.units,
      costKey: spec.engine.name,
      model: spec.engine.model,
      assumedUnitsPerSecond: ASSUMED_UNITS_PER_SECOND[spec.engine.kind] ?? 0.02,
    };
  },

  async plan(_deps, _tenant, _request, accepted) {
    const { spec } = accepted;
    return {
      engine: spec.engine,
      policies: spec.policies,
      entropy: spec.entropy,
      memoryLevel: spec.memoryLevel,
      evaluations: spec.evaluations,
      unitsByTask: Object.fromEntries(spec.evaluations.map((e) => [e.task, e.units * spec.policies.length])),
    };
  },

  async prepare(deps, job) {
    const { layout } = await resolve(deps, job.tenant, job.request);
    return { status: "done", units: new SirllmEvalUnits(layout).count, context: layout };
  },

  async loadContext(deps, job) {
    const scripts = evaluationScripts(job.request, await evalDataSource(deps.store, job.tenant, job.request));
    const engine = await deps.engines.get(job.spec.engine.name);
    return sirllmEvalRun(job.spec, job.context, scripts, engine, `eval:${job.jobId}`);
  },

  async processUnit(run, index) {
    const line = await evalUnitLine(run, index);
    return {
      line: JSON.stringify(line),
      outcome: line.result.status === "ok" ? "scored" : "failed",
      work: { turns: line.work.turns, tokens: line.work.tokens, evictions: line.work.evictions },
    };
  },

  errorLine(job, index, error) {
    const units = new SirllmEvalUnits(job.context);
    const { task, unit, policy } = units.at(index);
    const line: SirllmEvalUnitLine = {
      ...failedUnit({ task, unit }, policy, `${error.code}: ${error.message}`),
      index,
      engine: job.spec.engine.name,
      entropy: job.spec.entropy,
      memoryLevel: job.spec.memoryLevel,
      work: { turns: 0, tokens: 0, evictions: 0, evictedTokens: 0 },
      error: { code: error.code, message: error.message },
    };
    return JSON.stringify(line);
  },

  async aggregator(_deps, job, { partial }) {
    const acc = new SirllmEvalAccumulator(job.spec);
    return {
      add(line) {
        acc.add(SirllmEvalUnitLineSchema.parse(JSON.parse(line)));
      },
      async finish(facts) {
        const report = acc.report();
        const summary: SirllmEvalSummary = {
          ...report,
          jobId: job.jobId,
          partial,
          units: facts.units,
          unitsCovered: facts.unitsCovered,
          failedUnits: acc.failedUnits,
          files: { ...SIRLLM_EVAL_FILES },
          preparedAt: facts.preparedAt,
          finishedAt: facts.finishedAt,
        };
        const title = `SirLLM evaluation \`${job.jobId}\`${partial ? ` (partial: ${facts.unitsCovered} of ${facts.units} units)` : ""}`;
        return {
          summary,
          files: [{ name: SIRLLM_EVAL_FILES.markdown, contentType: "text/markdown; charset=utf-8", body: renderSirllmEvalMarkdown(report, title) }],
        };
      },
    };
  },

  engineStats: (run) => run.engine.stats?.() ?? null,

  callbackBody(job, summary, status) {
    return {
      type: `sirllm.evaluation.${status}`,
      evaluationId: job.jobId,
      status,
      partial: summary.partial,
      tasks: summary.evaluations.map((e) => e.task),
      failedUnits: summary.failedUnits,
      links: { self: `/v1/sirllm/evaluations/${job.jobId}`, report: `/v1/sirllm/evaluations/${job.jobId}/report`, results: `/v1/jobs/${job.jobId}/results` },
    };
  },
};
