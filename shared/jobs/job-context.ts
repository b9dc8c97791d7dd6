/**
 * A prepared job and its kind's in-memory context, loaded once per container and job (the kernel's context cache):
 * a container handles many shards of the same job.
 */
import type { JobManifest } from "../../schemas/jobs.js";
import { NotFoundError } from "../errors.js";
import { ContextCache } from "./context-cache.js";
import type { AnyJobKind, PreparedJobView } from "./job-kind.js";
import { readManifest, readPreparedView } from "./job-views.js";
import type { JobDeps } from "./ports.js";

/** What a shard works with. */
export interface LoadedJob {
  readonly manifest: JobManifest;
  readonly view: PreparedJobView<unknown, unknown, unknown>;
  readonly ctx: unknown;
}

// Keyed by the deps object: one cache per container (module-scope deps), a fresh one per test.
const caches = new WeakMap<JobDeps, ContextCache>();

/** The job's context, loaded on first use in this container. A failed load is forgotten so the next message retries. */
export function loadJob(deps: JobDeps, kind: AnyJobKind, tenant: string, jobId: string): Promise<LoadedJob> {
  let cache = caches.get(deps);
  if (!cache) caches.set(deps, (cache = new ContextCache(deps.options?.contextCacheSize ?? 4)));
  return cache.get(`${tenant}/${jobId}`, async () => {
    const manifest = await readManifest(deps.store, tenant, jobId, kind);
    const view = await readPreparedView(deps.store, kind, manifest);
    if (!view) throw new NotFoundError(`job ${jobId} is not prepared yet`, { jobId });
    return { manifest, view, ctx: await kind.loadContext(deps, view) };
  });
}
