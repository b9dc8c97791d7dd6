/**
 * `/v1/mti/sweeps`: submit (or dry-run) an MTI-Bench sweep, its status with the gate's verdict once finished, and
 * its report. Cancel, retry and the result files (`units.jsonl`, `report.md`, `junit.xml`, the charts) are the
 * kernel's `/v1/jobs/{id}/…` routes, aliased here for cancel and retry.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { JobStatusSchema, RetryResultSchema } from "../../../schemas/jobs.js";
import { CreateMtiSweepSchema, GateResultSchema, MtiSweepSummarySchema } from "../../../schemas/mti-sweeps.js";
import { requireScope } from "../../auth/api-keys.js";
import { createJob, planJob } from "../../jobs/create-job.js";
import { cancelJob, retryJob } from "../../jobs/job-control.js";
import { jobKeys } from "../../jobs/job-keys.js";
import { getJobStatus } from "../../jobs/job-status.js";
import { readManifest } from "../../jobs/job-views.js";
import { noResultsYet } from "../../jobs/stop.js";
import { mtiSweepKind } from "../../mti/jobs/mti-kind.js";
import type { ObjectStore } from "../../store/object-store.js";
import type { ApiDeps, ApiEnv } from "../context.js";
import { apiJobDeps } from "../job-deps.js";
import { errorResponse } from "./route-helpers.js";

const BASE = "/v1/mti/sweeps";
const security = [{ bearer: [] }];
const tags = ["mti"];
const SweepIdSchema = z
  .string()
  .regex(/^ms_[0-9a-z]{20,32}$/, "sweep ids look like ms_ followed by lowercase letters and digits")
  .openapi({ example: "ms_01hzx3k9c4w7q2m5n8p0r6t1ab" });
const IdParams = z.object({ id: SweepIdSchema });

/** A sweep's status: the kernel's, plus the gate's verdict once the report exists. */
export const MtiSweepStatusSchema = JobStatusSchema.extend({
  gate: GateResultSchema.nullable().openapi({ description: "The gate's verdict once the sweep has finished; null before, or without a gate" }),
}).openapi("MtiSweepStatus");

const submit = createRoute({
  method: "post",
  path: BASE,
  tags,
  summary: "Run an MTI-Bench sweep (202 with its status), or estimate it with dryRun (200 with a plan)",
  description:
    "Every instance of the chosen tasks is answered under each mode (multi: all steps in one call; single: one call per " +
    "step, chained; batch: two instances per call) on each engine, `runs` times. Results are aggregated into JSON, CSV, " +
    "Markdown, JUnit XML and SVG charts; a `gate` turns them into a pass/fail verdict for CI.",
  security,
  request: { body: { required: true, content: { "application/json": { schema: CreateMtiSweepSchema } } } },
  responses: {
    202: { description: "Sweep accepted", content: { "application/json": { schema: MtiSweepStatusSchema } } },
    200: { description: "Dry run: units by mode", content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } },
    400: errorResponse("Invalid request: unknown engine or task, an engine that cannot generate, a bad gate or template"),
    404: errorResponse("No such dataset, or no such baseline sweep"),
    409: errorResponse("The idempotency key was used with a different request"),
  },
});

const status = createRoute({
  method: "get",
  path: `${BASE}/{id}`,
  tags,
  summary: "A sweep's status and progress (units done by outcome, ETA) and, once finished, the gate's verdict",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "Status", content: { "application/json": { schema: MtiSweepStatusSchema } } }, 404: errorResponse("No such sweep for this tenant") },
});

const report = createRoute({
  method: "get",
  path: `${BASE}/{id}/report`,
  tags,
  summary: "The sweep's summary: accuracy per engine, mode, subset and task, latency, speed ratios, the gate",
  security,
  request: { params: IdParams },
  responses: {
    200: { description: "Summary", content: { "application/json": { schema: MtiSweepSummarySchema } } },
    404: errorResponse("No such sweep"),
    409: errorResponse("The sweep has not finished"),
  },
});

const cancel = createRoute({
  method: "post",
  path: `${BASE}/{id}/cancel`,
  tags,
  summary: "Stop a sweep; what finished becomes a partial report (whose gate fails)",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "Status", content: { "application/json": { schema: MtiSweepStatusSchema } } }, 409: errorResponse("Already finished") },
});

const retry = createRoute({
  method: "post",
  path: `${BASE}/{id}/retry`,
  tags,
  summary: "Re-enqueue the shards that ended in the dead-letter queue",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "What was re-enqueued", content: { "application/json": { schema: RetryResultSchema } } }, 409: errorResponse("The sweep was stopped") },
});

async function sweepStatus(store: ObjectStore, tenant: string, id: string): Promise<z.infer<typeof MtiSweepStatusSchema>> {
  const { status: s } = await getJobStatus({ store }, mtiSweepKind, tenant, id);
  const summary = await store.getJsonOrNull(jobKeys(tenant, id).summary, MtiSweepSummarySchema);
  return { ...s, gate: summary?.gate ?? null };
}

/** `/v1/mti/sweeps…`. */
export function registerMtiSweepRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const tenantOf = (c: { get(k: "principal"): { tenant: string } }) => c.get("principal").tenant;

  app.openapi(submit, async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    const body = c.req.valid("json");
    const { deps: jobDeps } = apiJobDeps(deps);
    if (body.dryRun) return c.json(await planJob(jobDeps, mtiSweepKind, principal.tenant, body), 200);
    const { manifest } = await createJob(jobDeps, mtiSweepKind, principal.tenant, body);
    c.header("location", `${BASE}/${manifest.jobId}`);
    return c.json(await sweepStatus(deps.store, principal.tenant, manifest.jobId), 202);
  });

  app.openapi(status, async (c) => c.json(await sweepStatus(deps.store, tenantOf(c), c.req.valid("param").id), 200));

  app.openapi(report, async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid("param");
    await readManifest(deps.store, tenant, id, mtiSweepKind);
    const summary = await deps.store.getJsonOrNull(jobKeys(tenant, id).summary, MtiSweepSummarySchema);
    if (!summary) throw await noResultsYet(deps.store, tenant, id);
    return c.json(summary, 200);
  });

  app.openapi(cancel, async (c) => {
    requireScope(c.get("principal"), "write");
    const { deps: jobDeps } = apiJobDeps(deps);
    const { id } = c.req.valid("param");
    await cancelJob(jobDeps, mtiSweepKind, tenantOf(c), id);
    return c.json(await sweepStatus(deps.store, tenantOf(c), id), 200);
  });

  app.openapi(retry, async (c) => {
    requireScope(c.get("principal"), "write");
    const { deps: jobDeps } = apiJobDeps(deps);
    return c.json(await retryJob(jobDeps, mtiSweepKind, tenantOf(c), c.req.valid("param").id), 200);
  });
}
