/**
 * Checking a NUGGETS job request against what exists — the engine and its capabilities, the datasets, the anchor
 * count — and whether any candidate can be scored at all, before anything is stored or scored. Shared by job
 * creation and the dry run, so a dry run refuses exactly what a submission refuses.
 */
import type { EngineDescriptor } from "../../../schemas/engines.js";
import { DEFAULT_THRESHOLDS, type CreateNuggetsJob, type NuggetsJobSpec } from "../../../schemas/nuggets-jobs.js";
import type { NuggetsExample, NuggetsPreset } from "../../../schemas/nuggets.js";
import { getDatasetMeta, loadDatasetExamples } from "../../datasets/dataset-store.js";
import type { Engine } from "../../engines/engine.js";
import { CapabilityError, ValidationError } from "../../errors.js";
import type { JobDeps } from "../../jobs/ports.js";
import { anchorTokenLimit, prepareCandidate } from "../anchor-tokens.js";
import { randomAnchors } from "../anchors.js";
import { resolvePreset } from "../presets.js";
import { bosPrefix } from "../prompts.js";
import { renderExample } from "../template.js";

/** A request that passed every check. */
export interface CheckedRequest {
  readonly request: CreateNuggetsJob;
  readonly engine: EngineDescriptor;
  readonly spec: NuggetsJobSpec;
}

/** Parses (defaults applied) and checks a request; 400/404 errors name what is wrong. */
export async function checkNuggetsRequest(deps: JobDeps, tenant: string, request: CreateNuggetsJob): Promise<CheckedRequest> {
  const engine = deps.engines.describe(request.engine);
  if (!engine.capabilities.promptLogprobs) throw new CapabilityError(engine.name, "prompt log-probs (scoring)");
  if (request.anchors.method === "kmeans" && !engine.capabilities.embeddings) {
    throw new CapabilityError(engine.name, "embeddings (K-Means anchors)");
  }
  const preset = resolvePreset(request.preset, { maxAnchorTokens: request.maxAnchorTokens });
  const dataset = await getDatasetMeta(deps.store, tenant, request.datasetId, "instructions");

  const spec = request.anchors;
  const anchorDatasetId = spec.method === "dataset" ? spec.datasetId : (spec.fromDatasetId ?? request.datasetId);
  const pool = anchorDatasetId === request.datasetId ? dataset : await getDatasetMeta(deps.store, tenant, anchorDatasetId, "instructions");
  let anchorCount = pool.records;
  if (spec.method !== "dataset") {
    const wanted = spec.method === "random" ? spec.size : spec.k;
    if (wanted > pool.records) {
      throw new ValidationError(`${spec.method} anchors: asked for ${wanted} but the pool has ${pool.records} examples`, {
        anchors: wanted,
        pool: pool.records,
      });
    }
    anchorCount = wanted;
  }
  if (request.mode === "select" && request.thresholds === undefined) {
    throw new ValidationError('mode "select" decides GS > t for the thresholds you give: add thresholds, e.g. [0.8]');
  }
  const thresholds = [...new Set(request.thresholds ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b);
  return {
    request,
    engine,
    spec: {
      datasetId: request.datasetId,
      candidates: dataset.records,
      anchors: request.anchors,
      anchorCount,
      anchorDatasetId,
      engine: engine.name,
      model: engine.model,
      preset,
      thresholds,
      mode: request.mode,
      selectSeed: request.selectSeed,
      reuse: request.reuse,
    },
  };
}

/** Up to this many candidates (and anchors) are tokenised exactly; beyond, a seeded sample of this size. */
export const EXACT_TOKEN_LIMIT = 2000;
const SAMPLE_SEED = 0;

/** The examples to tokenise and the factor that scales their total to the whole set. */
function sample(examples: readonly NuggetsExample[]): { picked: readonly NuggetsExample[]; scale: number; exact: boolean } {
  if (examples.length <= EXACT_TOKEN_LIMIT) return { picked: examples, scale: 1, exact: true };
  const { examples: picked } = randomAnchors(examples, EXACT_TOKEN_LIMIT, SAMPLE_SEED);
  return { picked, scale: examples.length / picked.length, exact: false };
}

/** Token counts of a request: the candidates (or a sample) and the anchors (or, for K-Means, the pool they come from). */
export interface TokenCensus {
  readonly candidates: readonly NuggetsExample[];
  readonly pool: readonly NuggetsExample[];
  /** The examples standing in for the anchors: the anchors themselves, or the pool for K-Means. */
  readonly anchorSource: readonly NuggetsExample[];
  readonly candidateTokens: readonly number[];
  readonly anchorTokens: readonly number[];
  readonly candidateScale: number;
  readonly anchorScale: number;
  readonly exact: boolean;
  /** BOS tokens in front of each one-shot prompt. */
  readonly bos: number;
}

/** Tokenises candidates and anchors (exactly up to {@link EXACT_TOKEN_LIMIT}, else a seeded sample). */
export async function tokenCensus(deps: JobDeps, tenant: string, checked: CheckedRequest, engine: Engine): Promise<TokenCensus> {
  const { spec } = checked;
  const tokenize = (t: string) => engine.tokenize(t);
  const limit = anchorTokenLimit(spec.preset, engine.contextSize);
  const candidates = await loadDatasetExamples(deps.store, tenant, spec.datasetId);
  const pool = spec.anchorDatasetId === spec.datasetId ? candidates : await loadDatasetExamples(deps.store, tenant, spec.anchorDatasetId);
  const anchors = spec.anchors;
  // Random anchors are known without the engine; K-Means anchors are not, so the pool stands in for them.
  const anchorSource = anchors.method === "random" ? randomAnchors(pool, anchors.size, anchors.seed).examples : pool;
  const c = sample(candidates);
  const a = sample(anchorSource);
  const candidateTokens = await Promise.all(c.picked.map(async (e) => (await prepareCandidate(e, tokenize)).length));
  const anchorTokens = await Promise.all(a.picked.map(async (e) => Math.min(limit, (await tokenize(renderExample(e).full)).length)));
  return {
    candidates,
    pool,
    anchorSource,
    candidateTokens,
    anchorTokens,
    candidateScale: c.scale,
    anchorScale: a.scale,
    exact: c.exact && a.exact && anchors.method !== "kmeans",
    bos: bosPrefix(spec.preset.oneShotBos, engine.bosToken).length,
  };
}

/** Sampled candidates whose one-shot prompt beside the longest anchor does not fit the context. */
export function tooLongCount(census: TokenCensus, contextSize: number): number {
  const longestAnchor = Math.max(0, ...census.anchorTokens);
  return census.candidateTokens.filter((t) => census.bos + t + longestAnchor > contextSize).length;
}

/**
 * Refuses a job in which no candidate could be scored: every one would be skipped for not fitting the engine's
 * context beside the longest anchor. (K-Means anchors are known only once chosen: prepare makes the same check.)
 */
export function assertSomeCandidateFits(census: TokenCensus, spec: NuggetsJobSpec, contextSize: number): void {
  if (census.candidateTokens.length === 0 || tooLongCount(census, contextSize) < census.candidateTokens.length) return;
  const longestAnchor = Math.max(0, ...census.anchorTokens);
  throw new ValidationError(
    `every candidate would be skipped: beside an anchor of ${longestAnchor} tokens no candidate fits the engine's ` +
      `${contextSize}-token context; lower maxAnchorTokens or use an engine with a longer context`,
    { contextSize, longestAnchorTokens: longestAnchor, maxAnchorTokens: spec.preset.maxAnchorTokens },
  );
}
