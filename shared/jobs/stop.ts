/**
 * Stopping a job early: a cancel, or more error lines than the job allows. `stop.json` is written once; queued shards
 * see it before they touch an engine, running shards between units (at most every `stopCheckMs`), and a partial
 * aggregation is enqueued a little later so shards in flight can store what they finished first.
 */
import { JobStopSchema, type JobManifest, type JobStop } from "../../schemas/jobs.js";
import { ConflictError } from "../errors.js";
import type { ObjectStore } from "../store/object-store.js";
import { jobKeys } from "./job-keys.js";
import { clockOf, logOf, nowOf, type JobDeps } from "./ports.js";

/** The stop record, or null while the job may run. */
export function readStop(store: ObjectStore, tenant: string, jobId: string): Promise<JobStop | null> {
  return store.getJsonOrNull(jobKeys(tenant, jobId).stop, JobStopSchema);
}

/** Stops the job (the first reason wins) and schedules its partial aggregation. Returns the stop in force. */
export async function stopJob(deps: JobDeps, manifest: JobManifest, reason: JobStop["reason"], message: string): Promise<JobStop> {
  const keys = jobKeys(manifest.tenant, manifest.jobId);
  const stop: JobStop = { version: 1, reason, at: nowOf(deps).toISOString(), message };
  const outcome = await deps.store.createOnceJson(keys.stop, stop, JobStopSchema);
  const inForce = outcome.status === "created" ? stop : await deps.store.getJson(keys.stop, JobStopSchema);
  if (outcome.status === "created") logOf(deps).info("job stopped", { jobId: manifest.jobId, kind: manifest.kind, reason, message });
  // Sent again on a repeated stop: an aggregation that already ran finds its summary and does nothing.
  await deps.queue.send([{ type: "aggregate", kind: manifest.kind, tenant: manifest.tenant, jobId: manifest.jobId }], {
    delaySeconds: deps.options?.stopGraceSeconds ?? 10,
  });
  return inForce;
}

/** Asks "has the job stopped?" at most once per `intervalMs`; once it has, it stays stopped. */
export function stopWatcher(deps: JobDeps, tenant: string, jobId: string): { stopped(): Promise<boolean> } {
  const intervalMs = deps.options?.stopCheckMs ?? 1000;
  let checkedAt = clockOf(deps);
  let known = false;
  return {
    async stopped() {
      if (known) return true;
      const now = clockOf(deps);
      if (now - checkedAt < intervalMs) return false;
      checkedAt = now;
      known = (await deps.store.head(jobKeys(tenant, jobId).stop)) !== null;
      return known;
    },
  };
}

/**
 * The 409 for a job without results: still running, or stopped and its partial results not aggregated yet (a few
 * seconds after a stop), or stopped before any unit was processed.
 */
export async function noResultsYet(store: ObjectStore, tenant: string, jobId: string): Promise<ConflictError> {
  const stop = await readStop(store, tenant, jobId);
  if (!stop) return new ConflictError(`job ${jobId} has no results yet`, { jobId });
  const verb = stop.reason === "cancelled" ? "was cancelled" : "failed";
  return new ConflictError(`job ${jobId} ${verb}; its partial results come a few seconds after the stop (none if it stopped before any unit was processed)`, {
    jobId,
    stop,
  });
}
