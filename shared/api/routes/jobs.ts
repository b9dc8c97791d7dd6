/**
 * `/v1/jobs`: the routes every job kind shares — list, status, cancel, retry, results and result files. A job id's
 * prefix names its kind (`nj_` NUGGETS, …); each kind may add its own routes beside these (`/v1/nuggets/jobs`).
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { JobIdSchema, JobIndexEntrySchema, JobStatusSchema, RetryResultSchema } from "../../../schemas/jobs.js";
import { requireScope } from "../../auth/api-keys.js";
import { NotFoundError } from "../../errors.js";
import { cancelJob, retryJob } from "../../jobs/job-control.js";
import { jobIndexKey, jobIndexPrefix, jobKeys } from "../../jobs/job-keys.js";
import { getJobStatus } from "../../jobs/job-status.js";
import { readManifest } from "../../jobs/job-views.js";
import { noResultsYet } from "../../jobs/stop.js";
import type { ApiDeps, ApiEnv } from "../context.js";
import { apiJobDeps } from "../job-deps.js";
import { errorResponse, streamBody } from "./route-helpers.js";

const security = [{ bearer: [] }];
const tags = ["jobs"];
const IdParams = z.object({ id: JobIdSchema });

const listJobs = createRoute({
  method: "get",
  path: "/v1/jobs",
  tags,
  summary: "This tenant's jobs of every kind, newest first",
  security,
  request: {
    query: z.object({
      kind: z.string().max(32).optional().openapi({ description: "Only jobs of this kind (e.g. nuggets)" }),
      limit: z.coerce.number().int().min(1).max(1000).default(50),
      cursor: z.string().max(200).optional().openapi({ description: "`nextCursor` of the previous page" }),
    }),
  },
  responses: {
    200: {
      description: "A page of jobs",
      content: {
        "application/json": {
          schema: z
            .object({
              jobs: z.array(JobIndexEntrySchema.omit({ version: true }).extend({ id: z.string(), links: z.object({ self: z.string() }) })),
              nextCursor: z.string().nullable(),
            })
            .openapi("JobList"),
        },
      },
    },
    400: errorResponse("Unknown kind or bad paging"),
  },
});

const status = createRoute({
  method: "get",
  path: "/v1/jobs/{id}",
  tags,
  summary: "A job's status and progress (any kind): units done of total by outcome, shards, throughput, ETA, failures",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "Status", content: { "application/json": { schema: JobStatusSchema } } }, 404: errorResponse("No such job for this tenant") },
});

const cancel = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/cancel",
  tags,
  summary: "Stop a job: queued shards do nothing, running ones stop at their next unit; what was finished becomes partial results",
  security,
  request: { params: IdParams },
  responses: {
    200: { description: "Status", content: { "application/json": { schema: JobStatusSchema } } },
    404: errorResponse("No such job"),
    409: errorResponse("The job has already completed (or failed)"),
  },
});

const retry = createRoute({
  method: "post",
  path: "/v1/jobs/{id}/retry",
  tags,
  summary: "Re-enqueue the shards (and stages) that ended in the dead-letter queue",
  security,
  request: { params: IdParams },
  responses: {
    200: { description: "What was re-enqueued", content: { "application/json": { schema: RetryResultSchema } } },
    404: errorResponse("No such job"),
    409: errorResponse("The job was stopped"),
  },
});

const results = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/results",
  tags,
  summary: "The job's summary (its kind's shape); `partial` results for a job that stopped early",
  security,
  request: { params: IdParams },
  responses: {
    200: { description: "Summary", content: { "application/json": { schema: z.record(z.string(), z.unknown()).openapi("JobSummary") } } },
    404: errorResponse("No such job"),
    409: errorResponse("No results yet"),
  },
});

const resultFile = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/results/{file}",
  tags,
  summary: "One result file: the unit lines (e.g. scores.jsonl) or a report the kind wrote",
  security,
  request: { params: IdParams.extend({ file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "a result file name") }) },
  responses: {
    200: { description: "The file", content: { "application/octet-stream": { schema: z.string() } } },
    404: errorResponse("No such job or file"),
    409: errorResponse("No results yet"),
  },
});

/** Registers `/v1/jobs…`. */
export function registerJobRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const tenantOf = (c: { get(k: "principal"): { tenant: string } }) => c.get("principal").tenant;

  app.openapi(listJobs, async (c) => {
    const { kinds } = apiJobDeps(deps);
    const { kind, limit, cursor } = c.req.valid("query");
    if (kind !== undefined) kinds.get(kind);
    const tenant = tenantOf(c);
    const prefix = jobIndexPrefix(tenant);
    const jobs: z.infer<typeof JobIndexEntrySchema>[] = [];
    let nextCursor: string | null = null;
    for await (const info of deps.store.list(prefix)) {
      const name = info.key.slice(prefix.length);
      if (cursor !== undefined && name <= cursor) continue;
      const entry = await deps.store.getJsonOrNull(info.key, JobIndexEntrySchema);
      if (!entry || (kind !== undefined && entry.kind !== kind)) continue;
      if (jobs.length === limit) {
        nextCursor = prefixName(jobs, prefix, tenant);
        break;
      }
      jobs.push(entry);
    }
    return c.json(
      { jobs: jobs.map(({ version: _v, ...e }) => ({ id: e.jobId, ...e, links: { self: `/v1/jobs/${e.jobId}` } })), nextCursor },
      200,
    );
  });

  app.openapi(status, async (c) => {
    const { kinds } = apiJobDeps(deps);
    const { id } = c.req.valid("param");
    return c.json((await getJobStatus({ store: deps.store }, kinds.forJobId(id), tenantOf(c), id)).status, 200);
  });

  app.openapi(cancel, async (c) => {
    requireScope(c.get("principal"), "write");
    const { deps: jobDeps, kinds } = apiJobDeps(deps);
    const { id } = c.req.valid("param");
    const kind = kinds.forJobId(id);
    await cancelJob(jobDeps, kind, tenantOf(c), id);
    return c.json((await getJobStatus(jobDeps, kind, tenantOf(c), id)).status, 200);
  });

  app.openapi(retry, async (c) => {
    requireScope(c.get("principal"), "write");
    const { deps: jobDeps, kinds } = apiJobDeps(deps);
    const { id } = c.req.valid("param");
    return c.json(await retryJob(jobDeps, kinds.forJobId(id), tenantOf(c), id), 200);
  });

  app.openapi(results, async (c) => {
    const { kinds } = apiJobDeps(deps);
    const { id } = c.req.valid("param");
    const kind = kinds.forJobId(id);
    const tenant = tenantOf(c);
    await readManifest(deps.store, tenant, id, kind);
    const summary = await deps.store.getJsonOrNull(jobKeys(tenant, id).summary, kind.summarySchema);
    if (!summary) throw await noResultsYet(deps.store, tenant, id);
    return c.json(summary as Record<string, unknown>, 200);
  });

  app.openapi(resultFile, async (c) => {
    const { kinds } = apiJobDeps(deps);
    const { id, file } = c.req.valid("param");
    const kind = kinds.forJobId(id);
    const tenant = tenantOf(c);
    await readManifest(deps.store, tenant, id, kind);
    const keys = jobKeys(tenant, id);
    if (!(await deps.store.head(keys.summary))) throw await noResultsYet(deps.store, tenant, id);
    if (file === "cut.json") throw new NotFoundError(`job ${id} has no result file ${file}`);
    const info = await deps.store.head(keys.result(file));
    if (!info) throw new NotFoundError(`job ${id} has no result file ${file}`, { jobId: id, file });
    const body = await deps.store.getStream(keys.result(file));
    return streamBody(c, info.contentType ?? contentTypeOf(file), body as AsyncIterable<Uint8Array>, `${id}-${file}`);
  });
}

/** The cursor after the last job of a page: its index entry's name. */
function prefixName(jobs: readonly z.infer<typeof JobIndexEntrySchema>[], prefix: string, tenant: string): string {
  const last = jobs[jobs.length - 1]!;
  // Rebuild the entry's key name from the kernel's layout (inverted creation time, id).
  const key = jobIndexKey(tenant, last.createdAt, last.jobId);
  return key.slice(prefix.length);
}

function contentTypeOf(file: string): string {
  if (file.endsWith(".jsonl")) return "application/x-ndjson";
  if (file.endsWith(".json")) return "application/json";
  if (file.endsWith(".svg")) return "image/svg+xml";
  if (file.endsWith(".md")) return "text/markdown; charset=utf-8";
  if (file.endsWith(".csv")) return "text/csv; charset=utf-8";
  if (file.endsWith(".xml")) return "application/xml";
  return "application/octet-stream";
}
