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
import { tooLongCount, type CheckedRequest, type TokenCensus } from "./job-request.js";

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
  const seconds = throughput.tokensPerSecond ? tokens / throughput.tokensPerSecond : pairs / throughput.pairsPerSecond;
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
    estimatedEngineHours: seconds / 3600,
    throughput,
    shardSize: sizing.shardSize,
    shards: sizing.shards,
    maxUnitErrors: request.maxUnitErrors ?? kind.defaultMaxUnitErrors,
    preset: spec.preset,
  };
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
