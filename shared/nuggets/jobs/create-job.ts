/**
 * Accepting a NUGGETS job: check the request, size the shards, write `manifest.json` once and enqueue `prepare`.
 * The API answers 202 with the manifest; the work happens in the workers.
 */
import {
  NuggetsJobManifestSchema,
  NuggetsJobPreparedSchema,
  type NuggetsJobManifest,
} from "../../../schemas/nuggets-jobs.js";
import { ConflictError, ValidationError } from "../../errors.js";
import { assertCallbackUrlAllowed, systemLookup } from "../../jobs/callback-url.js";
import { jobIdFor, randomJobId, stableHash } from "./job-id.js";
import { jobKeys } from "./job-keys.js";
import { checkJobRequest } from "./job-request.js";
import { targetSeconds } from "./plan-job.js";
import { nowOf, type NuggetsJobDeps } from "./ports.js";
import { chooseShardSize, readThroughput, throughputEstimate } from "./throughput.js";

/**
 * Creates a job (or finds the one an earlier POST with the same idempotency key created). A dry run is not a job:
 * use `planNuggetsJob`.
 *
 * @example
 * const { manifest, created } = await createNuggetsJob(deps, "acme", { datasetId, anchors: { method: "random", size: 100 }, engine: "gpu" });
 */
export async function createNuggetsJob(
  deps: NuggetsJobDeps,
  tenant: string,
  input: unknown,
  now: Date = nowOf(deps),
): Promise<{ manifest: NuggetsJobManifest; created: boolean }> {
  const checked = await checkJobRequest(deps, tenant, input);
  const { request, engine, preset } = checked;
  if (request.dryRun) throw new ValidationError("a dry run creates no job: plan it with planNuggetsJob");
  if (request.callbackUrl) {
    await assertCallbackUrlAllowed(
      request.callbackUrl,
      { allowLoopback: deps.options?.allowLoopbackCallbacks ?? false },
      deps.lookup ?? systemLookup,
    );
  }

  const shardSize =
    request.shardSize ??
    chooseShardSize({
      anchors: checked.anchors,
      pairsPerSecond: throughputEstimate(await readThroughput(deps.store, tenant, engine), engine.kind).pairsPerSecond,
      targetSeconds: targetSeconds(deps),
    });
  const { idempotencyKey, dryRun: _dryRun, ...fingerprinted } = request;
  const requestHash = stableHash(fingerprinted);
  const jobId = idempotencyKey ? jobIdFor(tenant, idempotencyKey) : (deps.newJobId ?? randomJobId)();
  const manifest: NuggetsJobManifest = NuggetsJobManifestSchema.parse({
    version: 1,
    jobId,
    tenant,
    createdAt: now.toISOString(),
    datasetId: request.datasetId,
    candidates: checked.candidates,
    anchors: request.anchors,
    engine: engine.name,
    model: engine.model,
    preset,
    shardSize,
    shards: Math.ceil(checked.candidates / shardSize),
    thresholds: checked.thresholds,
    callbackUrl: request.callbackUrl ?? null,
    requestHash,
  });

  const keys = jobKeys(tenant, jobId);
  const outcome = await deps.store.createOnce(keys.manifest, JSON.stringify(manifest), { contentType: "application/json" });
  if (outcome.status === "created") {
    await deps.queue.send([{ type: "prepare", tenant, jobId }]);
    return { manifest, created: true };
  }
  const existing = await deps.store.getJson(keys.manifest, NuggetsJobManifestSchema);
  if (existing.requestHash !== requestHash) {
    throw new ConflictError("this idempotency key was used for a different job request", { jobId });
  }
  // The first POST may have stored the manifest and died before enqueueing; a duplicate prepare is harmless.
  if (!(await deps.store.getJsonOrNull(keys.prepared, NuggetsJobPreparedSchema))) {
    await deps.queue.send([{ type: "prepare", tenant, jobId }]);
  }
  return { manifest: existing, created: false };
}
