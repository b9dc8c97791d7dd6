/** A NUGGETS job's status: the kernel's, in candidates and pairs. */
import { JobPreparedSchema } from "../../../schemas/jobs.js";
import { NuggetsJobSpecSchema, NuggetsPreparedContextSchema, type NuggetsJobStatus } from "../../../schemas/nuggets-jobs.js";
import { getJobStatus } from "../../jobs/job-status.js";
import { jobKeys } from "../../jobs/job-keys.js";
import type { JobDeps } from "../../jobs/ports.js";
import { validate } from "../../store/json-codec.js";
import { nuggetsKind } from "./nuggets-kind.js";

/** `GET /v1/nuggets/jobs/{jobId}`. */
export async function getNuggetsJobStatus(deps: Pick<JobDeps, "store" | "now">, tenant: string, jobId: string, now?: Date): Promise<NuggetsJobStatus> {
  const { status, manifest, progress } = await getJobStatus(deps, nuggetsKind, tenant, jobId, now);
  const spec = validate(NuggetsJobSpecSchema, manifest.spec, { key: "spec" });
  const prepared = progress ? await deps.store.getJsonOrNull(jobKeys(tenant, jobId).prepared, JobPreparedSchema) : null;
  const anchors = prepared ? validate(NuggetsPreparedContextSchema, prepared.context, { key: "prepared" }).anchors : null;
  const o = status.progress.outcomes;
  const scored = o.scored ?? 0;
  const pairsScored = progress?.work.pairs ?? 0;
  const base = `/v1/nuggets/jobs/${jobId}`;
  const hasResults = status.links.results !== undefined;
  return {
    id: jobId,
    jobId,
    kind: "nuggets",
    status: status.status,
    createdAt: manifest.createdAt,
    engine: spec.engine,
    model: spec.model,
    preset: spec.preset,
    mode: spec.mode,
    stop: status.stop,
    progress: {
      candidates: spec.candidates,
      candidatesDone: status.progress.unitsDone,
      candidatesScored: scored,
      candidatesSkipped: o.skipped ?? 0,
      candidateErrors: status.progress.unitErrors,
      maxUnitErrors: status.progress.maxUnitErrors,
      anchors,
      pairsScored,
      pairsReused: progress?.work.pairsReused ?? 0,
      pairsTotal: anchors === null ? null : spec.candidates * anchors,
      shardsTotal: status.progress.shardsTotal,
      shardsDone: status.progress.shardsDone,
      shardsFailed: status.progress.shardsFailed,
      pairsPerSecond: status.progress.unitsPerSecond === null || status.progress.unitsDone === 0 ? null : (status.progress.unitsPerSecond * pairsScored) / status.progress.unitsDone,
      etaSeconds: status.progress.etaSeconds,
    },
    throughput: status.throughput,
    failures: status.failures,
    partialResults: status.partialResults,
    callback: status.callback,
    links: {
      self: base,
      ...(hasResults
        ? {
            results: `${base}/results`,
            ...(spec.mode === "exhaustive" ? { histogram: `${base}/results/histogram.svg` } : {}),
            scores: `${base}/scores`,
            subset: `${base}/subset?threshold=${spec.mode === "select" ? spec.thresholds[0] : 0.8}`,
          }
        : {}),
    },
  };
}
