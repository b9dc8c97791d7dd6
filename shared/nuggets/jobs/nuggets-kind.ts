/**
 * NUGGETS as a job kind: one unit per candidate of the pool being ranked. Prepare chooses and tokenises the anchors
 * and gets their zero-shot sums; a unit is the candidate's one-shot sums against every anchor in one engine call
 * (shared prefix where the engine has one) and its golden score; the aggregation is the golden-score distribution.
 */
import {
  CreateNuggetsJobSchema,
  NuggetsJobSpecSchema,
  NuggetsJobSummarySchema,
  NuggetsPreparedAnchorsSchema,
  NuggetsPreparedContextSchema,
  type CreateNuggetsJob,
  type NuggetsJobSpec,
  type NuggetsJobSummary,
  type NuggetsPreparedContext,
} from "../../../schemas/nuggets-jobs.js";
import { NuggetsZeroShotRecordSchema, type NuggetsCandidateScore, type NuggetsDecidedScore, type NuggetsExample } from "../../../schemas/nuggets.js";
import { loadDatasetExamples } from "../../datasets/dataset-store.js";
import type { Engine } from "../../engines/engine.js";
import type { JobKind } from "../../jobs/job-kind.js";
import { jobKeys } from "../../jobs/job-keys.js";
import { prepareCandidate, type PreparedAnchor } from "../anchor-tokens.js";
import { bosPrefix } from "../prompts.js";
import { scoreCandidateCounted } from "../score-candidate.js";
import { anchorOrder, candidateHash } from "../select/anchor-order.js";
import { selectCandidate } from "../select/select-candidate.js";
import { OneShotCache } from "./one-shot-cache.js";
import { zeroShotHash } from "./zero-shot-cache.js";
import { scoreLine } from "../score-line.js";
import { assertSomeCandidateFits, checkNuggetsRequest, tokenCensus } from "./job-request.js";
import { planNuggetsJob } from "./plan-job.js";
import { nuggetsScratch, prepareNuggets } from "./prepare-anchors.js";
import { nuggetsAggregator } from "./summary-aggregator.js";

/**
 * Pair scorings per second assumed before anything was measured. GPU figures from DESIGN.md (one H100, 7B: ≈110
 * pairs/s full prefill, ≈190 with prefix reuse); the embedded engine is a CPU llama.cpp on a small model.
 */
export const ASSUMED_PAIRS_PER_SECOND: Record<string, number> = { vllm: 110, sglang: 190, sagemaker: 110, embedded: 5, fake: 20_000 };

/** What a shard keeps in memory for a job. */
export interface NuggetsContext {
  readonly engine: Engine;
  readonly examples: readonly NuggetsExample[];
  readonly anchors: readonly PreparedAnchor[];
  readonly zeroShot: readonly number[];
  readonly spec: NuggetsJobSpec;
  /** Σ anchor tokens and the one-shot BOS count, for token accounting. */
  readonly anchorTokens: number;
  readonly bos: number;
  /** One-shot sums of earlier jobs on the same model, preset and anchors; null when the job does not reuse them. */
  readonly cache: OneShotCache | null;
}

/** The NUGGETS kind. Candidates per shard come from the measured pairs/s; 8 candidates are scored at once in a shard. */
export const nuggetsKind: JobKind<CreateNuggetsJob, NuggetsJobSpec, NuggetsPreparedContext, NuggetsContext, NuggetsJobSummary> = {
  name: "nuggets",
  idPrefix: "nj",
  title: "NUGGETS job",
  requestSchema: CreateNuggetsJobSchema,
  specSchema: NuggetsJobSpecSchema,
  preparedSchema: NuggetsPreparedContextSchema,
  summarySchema: NuggetsJobSummarySchema,
  linesFile: "scores.jsonl",
  defaultMaxUnitErrors: 0,
  unitConcurrency: 8,

  async accept(deps, tenant, request) {
    const checked = await checkNuggetsRequest(deps, tenant, request);
    if (request.anchors.method !== "kmeans") {
      const engine = await deps.engines.get(request.engine);
      assertSomeCandidateFits(await tokenCensus(deps, tenant, checked, engine), checked.spec, engine.contextSize);
    }
    const pairsPerSecond = ASSUMED_PAIRS_PER_SECOND[checked.engine.kind] ?? 5;
    return {
      spec: checked.spec,
      unitsHint: checked.spec.candidates,
      costKey: checked.engine.name,
      model: checked.engine.model,
      assumedUnitsPerSecond: pairsPerSecond / checked.spec.anchorCount,
    };
  },

  async plan(deps, tenant, request) {
    const checked = await checkNuggetsRequest(deps, tenant, request);
    const engine = await deps.engines.get(request.engine);
    return planNuggetsJob(deps, nuggetsKind, tenant, checked, engine, await tokenCensus(deps, tenant, checked, engine));
  },

  prepare: prepareNuggets,

  async loadContext(deps, job) {
    const { store } = deps;
    const keys = nuggetsScratch({ scratchKey: jobKeys(job.tenant, job.jobId).scratch });
    const [prepared, zero, examples, engine] = await Promise.all([
      store.getJson(keys.preparedAnchors, NuggetsPreparedAnchorsSchema),
      store.getJson(job.context.zeroShotKey, NuggetsZeroShotRecordSchema),
      loadDatasetExamples(store, job.tenant, job.spec.datasetId),
      deps.engines.get(job.spec.engine),
    ]);
    const anchors = prepared.anchors;
    const spec = job.spec;
    return {
      engine,
      examples,
      anchors,
      zeroShot: zero.zeroShot,
      spec,
      anchorTokens: anchors.reduce((n, a) => n + a.tokens.length, 0),
      bos: bosPrefix(spec.preset.oneShotBos, engine.bosToken).length,
      cache: spec.reuse ? new OneShotCache(store, job.tenant, zeroShotHash(engine, spec.preset, anchors), anchors.length) : null,
    };
  },

  async processUnit(ctx, index) {
    const { engine, anchors, zeroShot, spec, cache } = ctx;
    const example = ctx.examples[index]!;
    const candidateTokens = await prepareCandidate(example, (t) => engine.tokenize(t));
    const known = cache ? await cache.get(example) : null;
    const base = { index, candidateTokens, anchors, zeroShot, engine, preset: spec.preset, known };
    const scoring =
      spec.mode === "select"
        ? await selectCandidate({ ...base, thresholds: spec.thresholds, seed: spec.selectSeed, order: anchorOrder(spec.selectSeed, candidateHash(example), anchors.length) })
        : await scoreCandidateCounted(base);
    const { record, enginePairs, reusedPairs } = scoring;
    if (cache && enginePairs > 0) await cache.put(example, known, scoring.oneShot);
    const outcome = record.status === "skipped" ? "skipped" : "scored";
    // Pairs compared without the cache: sent to the engine, or with an empty span (0 = 0, no call needed).
    const compared = record.status === "decided" ? record.anchorsScored : anchors.length;
    // Tokens the engine prefilled: the candidate prefix once per pair sent, plus those anchors' tokens.
    const sentAnchorTokens = enginePairs === anchors.length ? ctx.anchorTokens : sentTokens(anchors, record, known);
    return {
      line: scoreLine(record, { raw: true }),
      outcome,
      work:
        outcome === "scored"
          ? { pairs: compared - reusedPairs, pairsReused: reusedPairs, tokens: enginePairs * (ctx.bos + candidateTokens.length) + sentAnchorTokens }
          : ({} as Record<string, number>),
    };
  },

  errorLine(job, index, error) {
    return JSON.stringify({
      index,
      status: "error",
      anchors: job.context.anchors,
      error,
      version: 1,
      preset: job.spec.preset.name,
      maxAnchorTokens: job.spec.preset.maxAnchorTokens,
    });
  },

  aggregator: nuggetsAggregator,

  engineStats: (ctx) => ctx.engine.stats?.() ?? null,

  callbackBody(job, summary, status) {
    const base = `/v1/nuggets/jobs/${job.jobId}`;
    return {
      type: `nuggets.job.${status}`,
      jobId: job.jobId,
      status,
      partial: summary.partial,
      engine: summary.engine,
      model: summary.model,
      preset: summary.preset.name,
      mode: summary.mode,
      candidates: summary.candidates,
      anchors: summary.anchors,
      scored: summary.scored,
      skipped: summary.skipped,
      errors: summary.errors,
      thresholds: summary.thresholds,
      histogram: summary.histogram,
      finishedAt: summary.timings.finishedAt,
      links: { summary: `${base}/results`, scores: `${base}/scores` },
    };
  },
};

/** Σ tokens of the anchors the engine was sent for one candidate: scored now, not known before. */
function sentTokens(anchors: readonly PreparedAnchor[], record: NuggetsCandidateScore | NuggetsDecidedScore, known: readonly (number | null)[] | null): number {
  if (record.status === "skipped") return 0;
  let n = 0;
  record.oneShot.forEach((v, j) => {
    const a = anchors[j]!;
    if (v !== null && (known?.[j] ?? null) === null && a.spanEnd > a.spanStart) n += a.tokens.length;
  });
  return n;
}
