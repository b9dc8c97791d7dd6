/**
 * Reading a finished job: the summary, `scores.jsonl` (with or without the raw per-anchor sums), and training
 * subsets as `{instruction, input, output}` lines in dataset order. Everything streams; nothing holds the whole file.
 */
import { NuggetsJobSummarySchema, type NuggetsJobSummary } from "../../../schemas/nuggets-jobs.js";
import { NuggetsExampleSchema } from "../../../schemas/nuggets.js";
import { datasetKeys } from "../../datasets/dataset-store.js";
import { ValidationError } from "../../errors.js";
import type { ObjectStore } from "../../store/object-store.js";
import { NuggetsJobSpecSchema, type NuggetsJobSpec } from "../../../schemas/nuggets-jobs.js";
import { thresholdKey } from "../select/select-candidate.js";
import { jobKeys } from "../../jobs/job-keys.js";
import { readManifest } from "../../jobs/job-views.js";
import type { JobDeps } from "../../jobs/ports.js";
import { validate } from "../../store/json-codec.js";
import { noResultsYet } from "../../jobs/stop.js";
import { nuggetsKind } from "./nuggets-kind.js";
import { bestFirst, type ScoredEntry } from "./summary-stats.js";

/**
 * The spec and summary of a job with results: 404 if there is no such job, 409 while it has none yet. A job that
 * stopped early (cancelled, or failed past its error threshold) has partial results: the summary says `partial`.
 */
async function completedJob(deps: Pick<JobDeps, "store">, tenant: string, jobId: string) {
  const manifest = await readManifest(deps.store, tenant, jobId, nuggetsKind);
  const summary = await deps.store.getJsonOrNull(jobKeys(tenant, jobId).summary, NuggetsJobSummarySchema);
  if (!summary) throw await noResultsYet(deps.store, tenant, jobId);
  return { spec: validate(NuggetsJobSpecSchema, manifest.spec, { key: "spec" }), summary };
}

/** The summary of a job with results; 409 while it has none. */
export async function readSummary(deps: Pick<JobDeps, "store">, tenant: string, jobId: string): Promise<NuggetsJobSummary> {
  return (await completedJob(deps, tenant, jobId)).summary;
}

/**
 * `scores.jsonl`, line by line (each newline-terminated). Without `raw` the `oneShot` sums are dropped. The job is
 * checked before the promise resolves, so a caller can answer 404/409 before it starts streaming.
 *
 * @example
 * for await (const line of await streamScores(deps, "acme", jobId, { raw: false })) res.write(line);
 */
export async function streamScores(
  deps: Pick<JobDeps, "store">,
  tenant: string,
  jobId: string,
  opts: { raw?: boolean } = {},
): Promise<AsyncIterable<string>> {
  await completedJob(deps, tenant, jobId);
  const { store } = deps;
  return (async function* () {
    for await (const line of store.lines(jobKeys(tenant, jobId).result("scores.jsonl"))) {
      if (line === "") continue;
      if (opts.raw) {
        yield `${line}\n`;
        continue;
      }
      const { oneShot: _raw, ...rest } = JSON.parse(line) as Record<string, unknown>;
      yield `${JSON.stringify(rest)}\n`;
    }
  })();
}

/** Which candidates a subset takes: GS strictly above a threshold, or the best p percent. */
export type SubsetSpec = { threshold: number } | { topPercent: number };

/** The candidates in a subset, as a set of dataset indices. A select job answers only the thresholds it decided. */
export async function subsetIndices(
  store: ObjectStore,
  tenant: string,
  jobId: string,
  spec: SubsetSpec,
  job: Pick<NuggetsJobSpec, "mode" | "thresholds"> = { mode: "exhaustive", thresholds: [] },
): Promise<Set<number>> {
  if ("threshold" in spec && !(spec.threshold >= 0 && spec.threshold <= 1)) throw new ValidationError("threshold must be in [0, 1]");
  if ("topPercent" in spec && !(spec.topPercent > 0 && spec.topPercent <= 100)) throw new ValidationError("topPercent must be in (0, 100]");
  if (job.mode === "select") {
    if (!("threshold" in spec) || !job.thresholds.includes(spec.threshold)) {
      throw new ValidationError(
        `this select job decided GS > t only for t in [${job.thresholds.join(", ")}]; ask for one of those thresholds, or run an exhaustive job`,
        { thresholds: job.thresholds },
      );
    }
    const key = thresholdKey(spec.threshold);
    const wanted = new Set<number>();
    for await (const line of store.lines(jobKeys(tenant, jobId).result("scores.jsonl"))) {
      if (line === "") continue;
      const v = JSON.parse(line) as { index: number; status: string; decisions?: Record<string, string> };
      if (v.status === "decided" && v.decisions?.[key] === "above") wanted.add(v.index);
    }
    return wanted;
  }
  const scored: ScoredEntry[] = [];
  for await (const line of store.lines(jobKeys(tenant, jobId).result("scores.jsonl"))) {
    if (line === "") continue;
    // Only the leading fields are needed; the raw sums are parsed too, once per candidate.
    const v = JSON.parse(line) as { index: number; status: string; goldenScore?: number; wins?: number };
    if (v.status === "scored") scored.push({ index: v.index, goldenScore: v.goldenScore!, wins: v.wins! });
  }
  if ("threshold" in spec) return new Set(scored.filter((e) => e.goldenScore > spec.threshold).map((e) => e.index));
  const count = Math.ceil((spec.topPercent / 100) * scored.length);
  return new Set(scored.sort(bestFirst).slice(0, count).map((e) => e.index));
}

/**
 * A training subset, in dataset order, ready for fine-tuning. Like {@link streamScores}, the job and the subset's
 * definition are checked before the promise resolves.
 *
 * @example
 * for await (const ex of await subset(deps, "acme", jobId, { threshold: 0.8 })) write(JSON.stringify(ex) + "\n");
 */
export async function subset(
  deps: Pick<JobDeps, "store">,
  tenant: string,
  jobId: string,
  spec: SubsetSpec,
): Promise<AsyncIterable<{ instruction: string; input: string; output: string }>> {
  const { spec: job } = await completedJob(deps, tenant, jobId);
  const wanted = await subsetIndices(deps.store, tenant, jobId, spec, job);
  const { store } = deps;
  return (async function* () {
    let index = 0;
    for await (const example of store.iterateJsonl(datasetKeys(tenant, job.datasetId).records, NuggetsExampleSchema)) {
      if (wanted.has(index++)) yield { instruction: example.instruction, input: example.input ?? "", output: example.output };
    }
  })();
}
