/** Reading a job back as its kind sees it: the manifest (and prepared record) with the kind's parts validated. */
import { JobManifestSchema, JobPreparedSchema, type JobManifest } from "../../schemas/jobs.js";
import { NotFoundError } from "../errors.js";
import type { ObjectStore } from "../store/object-store.js";
import { validate } from "../store/json-codec.js";
import type { AnyJobKind, JobView, PreparedJobView } from "./job-kind.js";
import { jobKeys } from "./job-keys.js";

/** The manifest, or 404 (also for another tenant's job, or a job of another kind than the route's). */
export async function readManifest(store: ObjectStore, tenant: string, jobId: string, kind?: AnyJobKind): Promise<JobManifest> {
  const manifest = await store.getJsonOrNull(jobKeys(tenant, jobId).manifest, JobManifestSchema);
  if (!manifest || (kind && manifest.kind !== kind.name)) throw new NotFoundError(`job ${jobId} not found`, { jobId });
  return manifest;
}

/** The kind's view of a manifest: request and spec parsed with the kind's schemas. */
export function viewOf(kind: AnyJobKind, manifest: JobManifest): JobView<unknown, unknown> {
  const key = jobKeys(manifest.tenant, manifest.jobId).manifest;
  return {
    tenant: manifest.tenant,
    jobId: manifest.jobId,
    manifest,
    request: validate(kind.requestSchema, manifest.request, { key: `${key} (request)` }),
    spec: validate(kind.specSchema, manifest.spec, { key: `${key} (spec)` }),
  };
}

/** The job with its prepared record, or null while it is not prepared. */
export async function readPreparedView(
  store: ObjectStore,
  kind: AnyJobKind,
  manifest: JobManifest,
): Promise<PreparedJobView<unknown, unknown, unknown> | null> {
  const key = jobKeys(manifest.tenant, manifest.jobId).prepared;
  const prepared = await store.getJsonOrNull(key, JobPreparedSchema);
  if (!prepared) return null;
  return { ...viewOf(kind, manifest), prepared, context: validate(kind.preparedSchema, prepared.context, { key: `${key} (context)` }) };
}
