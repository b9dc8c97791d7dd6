/**
 * The NUGGETS dry run: how many pairs and tokens a job would score and how long the engine would take. Nothing is
 * stored. Tokens are exact for ≤ 2000 candidates and anchors, else estimated from a seeded sample.
 */
import type { NuggetsJobPlan, ThroughputEstimate } from "../../../schemas/nuggets-jobs.js";
import type { NuggetsExample, NuggetsPreset } from "../../../schemas/nuggets.js";
import type { Engine } from "../../engines/engine.js";
import { ValidationError } from "../../errors.js";
import { planShards } from "../../jobs/create-job.js";
import type { AnyJobKind } from "../../jobs/job-kind.js";
import { clockOf, type JobDeps } from "../../jobs/ports.js";
import { readThroughput } from "../../jobs/throughput.js";
import { prepareAnchor, prepareCandidate } from "../anchor-tokens.js";
import { scoreCandidate } from "../score-candidate.js";
import pLimit from "p-limit";
import type { NuggetsJobSpec } from "../../../schemas/nuggets-jobs.js";
import { tenantKey } from "../../store/tenant-key.js";
import { randomAnchors } from "../anchors.js";
import { EXACT_TOKEN_LIMIT, tooLongCount, type CheckedRequest, type TokenCensus } from "./job-request.js";
import { OneShotCache } from "./one-shot-cache.js";
import { zeroShotHash } from "./zero-shot-cache.js";

/**
 * Counts pairs and tokens and estimates engine-hours at the engine's measured throughput (recorded history, else a
 * tiny probe run).
 */
export async function planNuggetsJob(
  deps: JobDeps,
  kind: AnyJobKind,
  tenant: string,
  checked: CheckedRequest,
  engine: Engine,
  census: TokenCensus,
): Promise<NuggetsJobPlan> {
  const { spec, request } = checked;
  const m = spec.anchorCount;
  const n = spec.candidates;
  const pairs = n * m;
  const candidateSum = sum(census.candidateTokens) * census.candidateScale;
  const anchorSum = sum(census.anchorTokens) * census.anchorScale;
  const tokens = Math.round(pairs * census.bos + m * candidateSum + n * (anchorSum / census.anchorSource.length) * m);
  const skippedCandidates = Math.round(tooLongCount(census, engine.contextSize) * census.candidateScale);

  const history = await readThroughput(deps.store, tenant, kind.name, { costKey: spec.engine, model: spec.model });
  const throughput: ThroughputEstimate = history
    ? { pairsPerSecond: history.rates.pairs ?? history.unitsPerSecond * m, tokensPerSecond: history.rates.tokens ?? null, source: "history" }
    : await probeThroughput(deps, engine, census.candidates, census.pool, spec.preset);
  const knownPairs = spec.reuse ? await countKnownPairs(deps, tenant, census, engine, spec) : null;
  // Known pairs cost no engine time; the rest costs what an average pair does.
  const unknownShare = knownPairs && pairs > 0 ? Math.max(0, 1 - knownPairs.count / pairs) : 1;
  const seconds = (throughput.tokensPerSecond ? tokens / throughput.tokensPerSecond : pairs / throughput.pairsPerSecond) * unknownShare;
  const sizing = await planShards(
    deps,
    kind,
    tenant,
    n,
    { costKey: spec.engine, model: spec.model, assumedUnitsPerSecond: throughput.pairsPerSecond / m },
    request.shardSize,
  );
  return {
    dryRun: true,
    kind: "nuggets",
    candidates: n,
    anchors: m,
    pairs,
    tokens: {
      count: tokens,
      method: census.exact ? "exact" : "estimated",
      sampledCandidates: census.candidateTokens.length,
      sampledAnchors: census.anchorTokens.length,
    },
    skippedCandidates,
    mode: spec.mode,
    knownPairs,
    estimatedEngineHours: seconds / 3600,
    throughput,
    shardSize: sizing.shardSize,
    shards: sizing.shards,
    maxUnitErrors: request.maxUnitErrors ?? kind.defaultMaxUnitErrors,
    preset: spec.preset,
  };
}

/**
 * Pairs of this job already in the one-shot cache: exact for ≤ {@link EXACT_TOKEN_LIMIT} candidates, else from a seeded
 * sample. Null for K-Means anchors (chosen only when the job runs). A tenant with no cached sums at all costs one list.
 */
export async function countKnownPairs(
  deps: JobDeps,
  tenant: string,
  census: TokenCensus,
  engine: Engine,
  spec: NuggetsJobSpec,
): Promise<NonNullable<NuggetsJobPlan["knownPairs"]> | null> {
  if (spec.anchors.method === "kmeans") return null;
  const picked = census.candidates.length <= EXACT_TOKEN_LIMIT ? census.candidates : randomAnchors(census.candidates, EXACT_TOKEN_LIMIT, 0).examples;
  const exact = picked.length === census.candidates.length;
  const none = { count: 0, method: exact ? ("exact" as const) : ("estimated" as const), sampledCandidates: picked.length };
  for await (const _ of deps.store.list(tenantKey(tenant, "cache", "nuggets-oneshot") + "/", { pageSize: 1 })) {
    const tokenize = (t: string) => engine.tokenize(t);
    const anchors = await Promise.all(census.anchorSource.map((e) => prepareAnchor(e, tokenize, spec.preset, engine.contextSize)));
    const cache = new OneShotCache(deps.store, tenant, zeroShotHash(engine, spec.preset, anchors), anchors.length);
    const limit = pLimit(16);
    const counts = await Promise.all(picked.map((e) => limit(() => cache.knownPairs(e))));
    const total = counts.reduce((a, b) => a + b, 0);
    return { ...none, count: Math.round(total * (census.candidates.length / picked.length)) };
  }
  return none;
}

/**
 * A tiny scoring run (≤ 2 candidates × ≤ 4 anchors, one request at a time) timed on the engine. It measures one
 * request's latency, so it understates an endpoint that serves many requests at once: a conservative estimate.
 */
export async function probeThroughput(
  deps: JobDeps,
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
