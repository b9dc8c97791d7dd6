/** The kernel's deps as the API uses them: the store and engines it has, the jobs' queue and kinds. */
import { ConfigurationError } from "../errors.js";
import type { JobKinds } from "../jobs/job-kinds.js";
import type { JobDeps } from "../jobs/ports.js";
import type { ApiDeps } from "./context.js";

/** The kernel deps, or a 500 saying jobs are not configured on this deployment (no work queue). */
export function apiJobDeps(deps: ApiDeps): { deps: JobDeps; kinds: JobKinds } {
  if (!deps.jobs) throw new ConfigurationError("jobs are not configured on this deployment (no work queue)");
  return {
    kinds: deps.jobs.kinds,
    deps: {
      store: deps.store,
      engines: deps.engines,
      queue: deps.jobs.queue,
      ...(deps.jobs.options ? { options: deps.jobs.options } : {}),
      ...(deps.jobs.lookup ? { lookup: deps.jobs.lookup } : {}),
      ...(deps.log ? { log: deps.log } : {}),
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    },
  };
}
