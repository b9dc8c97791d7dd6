/**
 * The dry run: how many pairs and tokens a job would score and how long the engine would take. Nothing is stored.
 */
import type { NuggetsJobPlan, ThroughputEstimate } from "../../../schemas/nuggets-jobs.js";
import type { NuggetsExample, NuggetsPreset } from "../../../schemas/nuggets.js";
import { loadDatasetExamples } from "../../datasets/dataset-store.js";
import type { Engine } from "../../engines/engine.js";
import { ValidationError } from "../../errors.js";
import { anchorTokenLimit, prepareAnchor, prepareCandidate } from "../anchor-tokens.js";
import { randomAnchors } from "../anchors.js";
import { scoreCandidate } from "../score-candidate.js";
import { bosPrefix } from "../prompts.js";
import { renderExample } from "../template.js";
import { checkJobRequest } from "./job-request.js";
import { clockOf, type NuggetsJobDeps } from "./ports.js";
import { chooseShardSize, readThroughput } from "./throughput.js";

/** Up to this many candidates (and anchors) are tokenised exactly; beyond, a seeded sample of this size. */
export const EXACT_TOKEN_LIMIT = 2000;
const SAMPLE_SEED = 0;

/** The examples to tokenise and the factor that scales their total to the whole set. */
function sample(examples: readonly NuggetsExample[]): { picked: readonly NuggetsExample[]; scale: number; exact: boolean } {
  if (examples.length <= EXACT_TOKEN_LIMIT) return { picked: examples, scale: 1, exact: true };
  const { examples: picked } = randomAnchors(examples, EXACT_TOKEN_LIMIT, SAMPLE_SEED);
  return { picked, scale: examples.length / picked.length, exact: false };
}

/**
 * Count pairs and tokens for a job request and estimate engine-hours at the engine's measured throughput (recorded
 * history, else a tiny probe run). Tokens are exact for ≤ 2000 candidates and anchors, else estimated from a seeded
 * sample (`tokens.method` says which).
 */
export async function planNuggetsJob(deps: NuggetsJobDeps, tenant: string, input: unknown): Promise<NuggetsJobPlan> {
  const checked = await checkJobRequest(deps, tenant, input);
  const { request, preset } = checked;
  const engine = await deps.engines.get(request.engine);
  const tokenize = (t: string) => engine.tokenize(t);
  const limit = anchorTokenLimit(preset, engine.contextSize);

  const candidates = await loadDatasetExamples(deps.store, tenant, request.datasetId);
  const pool =
    checked.anchorDatasetId === request.datasetId
      ? candidates
      : await loadDatasetExamples(deps.store, tenant, checked.anchorDatasetId);
  const spec = request.anchors;
  // Random anchors are known without the engine; K-Means anchors are not, so the pool stands in for them.
  const anchorSource = spec.method === "random" ? randomAnchors(pool, spec.size, spec.seed).examples : pool;

  const c = sample(candidates);
  const a = sample(anchorSource);
  const candidateTokens = await Promise.all(c.picked.map((e) => prepareCandidate(e, tokenize)));
  const anchorTokens = await Promise.all(a.picked.map(async (e) => Math.min(limit, (await tokenize(renderExample(e).full)).length)));
  const candidateSum = sum(candidateTokens.map((t) => t.length)) * c.scale;
  const anchorSum = sum(anchorTokens) * a.scale;
  const m = checked.anchors;
  const n = checked.candidates;
  const pairs = n * m;
  const bos = bosPrefix(preset.oneShotBos, engine.bosToken).length;
  const tokens = Math.round(pairs * bos + m * candidateSum + n * (anchorSum / anchorSource.length) * m);
  const exact = c.exact && a.exact && spec.method !== "kmeans";
  // A candidate is skipped when its one-shot prompt beside the longest anchor does not fit the context.
  const longestAnchor = Math.max(0, ...anchorTokens);
  const tooLong = candidateTokens.filter((t) => bos + t.length + longestAnchor > engine.contextSize).length;
  const skippedCandidates = Math.round(tooLong * c.scale);
  if (tooLong === candidateTokens.length) {
    throw new ValidationError(
      `every candidate would be skipped: beside an anchor of ${longestAnchor} tokens no candidate fits the engine's ` +
        `${engine.contextSize}-token context; lower maxAnchorTokens or use an engine with a longer context`,
      { contextSize: engine.contextSize, longestAnchorTokens: longestAnchor, maxAnchorTokens: preset.maxAnchorTokens },
    );
  }

  const history = await readThroughput(deps.store, tenant, engine);
  const throughput: ThroughputEstimate = history
    ? { pairsPerSecond: history.pairsPerSecond, tokensPerSecond: history.tokensPerSecond, source: "history" }
    : await probeThroughput(deps, engine, candidates, pool, preset);
  const seconds = throughput.tokensPerSecond ? tokens / throughput.tokensPerSecond : pairs / throughput.pairsPerSecond;
  const shardSize =
    request.shardSize ??
    chooseShardSize({ anchors: m, pairsPerSecond: throughput.pairsPerSecond, targetSeconds: targetSeconds(deps) });
  return {
    dryRun: true,
    candidates: n,
    anchors: m,
    pairs,
    tokens: { count: tokens, method: exact ? "exact" : "estimated", sampledCandidates: c.picked.length, sampledAnchors: a.picked.length },
    skippedCandidates,
    estimatedEngineHours: seconds / 3600,
    throughput,
    shardSize,
    shards: Math.ceil(n / shardSize),
    preset,
  };
}

export const targetSeconds = (deps: NuggetsJobDeps): number => deps.options?.targetShardSeconds ?? 300;

/**
 * A tiny scoring run (≤ 2 candidates × ≤ 4 anchors, one request at a time) timed on the engine. It measures one
 * request's latency, so it understates an endpoint that serves many requests at once: a conservative estimate.
 */
export async function probeThroughput(
  deps: NuggetsJobDeps,
  engine: Engine,
  candidates: readonly NuggetsExample[],
  pool: readonly NuggetsExample[],
  preset: NuggetsPreset,
): Promise<ThroughputEstimate> {
  const tokenize = (t: string) => engine.tokenize(t);
  const anchors = await Promise.all(pool.slice(0, 4).map((e) => prepareAnchor(e, tokenize, preset, engine.contextSize)));
  if (anchors.length === 0) throw new ValidationError("the anchor pool is empty");
  const zeroShot = anchors.map(() => 0);
  let pairs = 0;
  let tokens = 0;
  const started = clockOf(deps);
  for (const [index, example] of candidates.slice(0, 2).entries()) {
    const candidateTokens = await prepareCandidate(example, tokenize);
    const result = await scoreCandidate({ index, candidateTokens, anchors, zeroShot, engine, preset });
    if (result.status !== "scored") continue;
    pairs += anchors.length;
    tokens += sum(anchors.map((x) => x.tokens.length + candidateTokens.length + 1));
  }
  const seconds = Math.max(0.001, (clockOf(deps) - started) / 1000);
  if (pairs === 0) throw new ValidationError("the probe could not score any candidate on this engine");
  return { pairsPerSecond: pairs / seconds, tokensPerSecond: tokens / seconds, source: "probe" };
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
