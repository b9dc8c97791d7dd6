import type { ApiKeyAuthenticator, Principal } from "../auth/api-keys.js";
import type { EngineRegistry } from "../engines/registry.js";
import type { ObjectStore } from "../store/object-store.js";
import type { UploadUrlSigner } from "../store/upload-urls.js";
import type { JobKinds } from "../jobs/job-kinds.js";
import type { JobOptions, JobQueue, LookupAll } from "../jobs/ports.js";
import type { Log } from "../observability/log.js";
import type { JobMetrics } from "../observability/metrics.js";

/** What the API needs from the outside world; built once per process (Lambda container or local server). */
export interface ApiDeps {
  readonly engines: EngineRegistry;
  readonly auth: ApiKeyAuthenticator;
  /** The bucket (or its stand-in); every tenant's objects live under `t/{tenant}/`. */
  readonly store: ObjectStore;
  /** Presigned URLs for datasets too large to post through the API; without it, large uploads are refused. */
  readonly uploads?: UploadUrlSigner;
  /** The job kinds this deployment runs and their queues; without it, job routes answer that jobs are not configured. */
  readonly jobs?: { readonly kinds: JobKinds; readonly queue: JobQueue; readonly options?: JobOptions; readonly lookup?: LookupAll };
  /** Largest request body accepted, in bytes (default 1 MiB; bigger uploads go through presigned URLs). */
  readonly maxBodyBytes?: number;
  /** Largest dataset accepted in a request body (default 6 MiB, Lambda's synchronous payload limit). */
  readonly maxDatasetBytes?: number;
  readonly version?: string;
  /** One line per request (method, route, status, latency, tenant, request id), and the jobs' events. */
  readonly log?: Log;
  readonly metrics?: JobMetrics;
}

/** Hono environment: what middleware puts on the context for handlers. */
export interface ApiEnv {
  Variables: {
    principal: Principal;
  };
}
