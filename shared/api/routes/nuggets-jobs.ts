/**
 * `/v1/nuggets/jobs`: submit (or dry-run), status, results, downloads, cancel, retry — NUGGETS' own shapes over the
 * kernel. Every route is declared once with `createRoute`, so validation and the OpenAPI document cannot drift.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { RetryResultSchema } from "../../../schemas/jobs.js";
import {
  CreateNuggetsJobSchema,
  NuggetsJobIdSchema,
  NuggetsJobPlanSchema,
  NuggetsJobStatusSchema,
  NuggetsJobSummarySchema,
} from "../../../schemas/nuggets-jobs.js";
import { requireScope } from "../../auth/api-keys.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { createJob, planJob } from "../../jobs/create-job.js";
import { cancelJob, retryJob } from "../../jobs/job-control.js";
import { getNuggetsJobStatus, histogramSvg, nuggetsKind, readSummary, streamScores, subset, type SubsetSpec } from "../../nuggets/jobs/index.js";
import type { ApiDeps, ApiEnv } from "../context.js";
import { apiJobDeps } from "../job-deps.js";
import { errorResponse, streamBody } from "./route-helpers.js";

const BASE = "/v1/nuggets/jobs";
const security = [{ bearer: [] }];
const tags = ["nuggets"];
const IdParams = z.object({ id: NuggetsJobIdSchema });

/** `subset?threshold=0.8` or `subset?topPercent=1`, exactly one. */
export function parseSubsetSpec(query: { threshold?: string | undefined; topPercent?: string | undefined }): SubsetSpec {
  const { threshold, topPercent } = query;
  if ((threshold === undefined) === (topPercent === undefined)) {
    throw new ValidationError("give exactly one of threshold (GS > t) or topPercent (the best p%)");
  }
  const value = Number(threshold ?? topPercent);
  if (!Number.isFinite(value)) throw new ValidationError("threshold and topPercent are numbers");
  return threshold !== undefined ? { threshold: value } : { topPercent: value };
}

const submit = createRoute({
  method: "post",
  path: BASE,
  tags,
  summary: "Score a dataset by golden score (202 with the job), or estimate the cost with dryRun (200 with a plan)",
  description:
    "Every candidate is tried as a one-shot demonstration in front of each anchor; its golden score is the fraction of " +
    "anchors whose answer becomes more likely. `preset` is `paper` (default) or `reference` (the authors' code). " +
    "Repeating a POST with the same `idempotencyKey` returns the same job. A dry run makes every check a submission makes.",
  security,
  request: { body: { required: true, content: { "application/json": { schema: CreateNuggetsJobSchema } } } },
  responses: {
    202: { description: "Job accepted", content: { "application/json": { schema: NuggetsJobStatusSchema } } },
    200: { description: "Dry run: what the job would cost", content: { "application/json": { schema: NuggetsJobPlanSchema } } },
    400: errorResponse("Invalid request: unknown engine, URL in place of an engine, refused callback URL, no candidate fits"),
    404: errorResponse("No such dataset"),
    409: errorResponse("The idempotency key was used with a different request"),
  },
});

const status = createRoute({
  method: "get",
  path: `${BASE}/{id}`,
  tags,
  summary: "A job's status and progress: candidates done (scored, skipped, errors), pairs scored of total, shards, throughput, ETA",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "Status", content: { "application/json": { schema: NuggetsJobStatusSchema } } }, 404: errorResponse("No such job for this tenant") },
});

const results = createRoute({
  method: "get",
  path: `${BASE}/{id}/results`,
  tags,
  summary: "The golden-score distribution: histogram, counts over thresholds, top candidates (`partial` for a stopped job)",
  security,
  request: { params: IdParams },
  responses: {
    200: { description: "Summary", content: { "application/json": { schema: NuggetsJobSummarySchema } } },
    404: errorResponse("No such job"),
    409: errorResponse("The job has no results yet"),
  },
});

const histogram = createRoute({
  method: "get",
  path: `${BASE}/{id}/results/histogram.svg`,
  tags,
  summary: "The golden-score histogram as an SVG image",
  security,
  request: { params: IdParams },
  responses: {
    200: { description: "SVG", content: { "image/svg+xml": { schema: z.string() } } },
    404: errorResponse("No such job, or a select job (no golden scores to plot)"),
    409: errorResponse("No results yet"),
  },
});

const scores = createRoute({
  method: "get",
  path: `${BASE}/{id}/scores`,
  tags,
  summary: "scores.jsonl: one line per candidate (index, status, goldenScore, wins, anchors, preset); raw=true adds per-anchor sums",
  security,
  request: { params: IdParams, query: z.object({ raw: z.enum(["true", "false"]).optional() }) },
  responses: { 200: { description: "JSONL", content: { "application/x-ndjson": { schema: z.string() } } }, 409: errorResponse("No results yet") },
});

const subsetRoute = createRoute({
  method: "get",
  path: `${BASE}/{id}/subset`,
  tags,
  summary: "A training subset as JSONL {instruction, input, output}: GS > threshold, or the top topPercent %",
  description:
    "A `select` job answers only `threshold`, and only for a threshold it decided; the subset is then exactly the " +
    "exhaustive job's.",
  security,
  request: { params: IdParams, query: z.object({ threshold: z.string().optional(), topPercent: z.string().optional() }) },
  responses: {
    200: { description: "JSONL in dataset order", content: { "application/x-ndjson": { schema: z.string() } } },
    400: errorResponse("Give exactly one of threshold or topPercent; a select job: a threshold it decided"),
    409: errorResponse("No results yet"),
  },
});

const cancel = createRoute({
  method: "post",
  path: `${BASE}/{id}/cancel`,
  tags,
  summary: "Stop a job: queued shards do nothing, running shards stop at their next candidate; what was scored becomes partial results",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "Status", content: { "application/json": { schema: NuggetsJobStatusSchema } } }, 409: errorResponse("Already completed") },
});

const retry = createRoute({
  method: "post",
  path: `${BASE}/{id}/retry`,
  tags,
  summary: "Re-enqueue the shards (and stages) that ended in the dead-letter queue",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "What was re-enqueued", content: { "application/json": { schema: RetryResultSchema } } }, 409: errorResponse("The job was stopped") },
});

/** `/v1/nuggets/jobs…`. */
export function registerNuggetsJobRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const tenantOf = (c: { get(k: "principal"): { tenant: string } }) => c.get("principal").tenant;
  const store = { store: deps.store };

  app.openapi(submit, async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    const body = c.req.valid("json");
    const { deps: jobDeps } = apiJobDeps(deps);
    if (body.dryRun) return c.json(NuggetsJobPlanSchema.parse(await planJob(jobDeps, nuggetsKind, principal.tenant, body)), 200);
    const { manifest } = await createJob(jobDeps, nuggetsKind, principal.tenant, body);
    c.header("location", `${BASE}/${manifest.jobId}`);
    return c.json(await getNuggetsJobStatus(jobDeps, principal.tenant, manifest.jobId), 202);
  });

  app.openapi(status, async (c) => c.json(await getNuggetsJobStatus(store, tenantOf(c), c.req.valid("param").id), 200));

  app.openapi(results, async (c) => c.json(await readSummary(store, tenantOf(c), c.req.valid("param").id), 200));

  app.openapi(histogram, async (c) => {
    const summary = await readSummary(store, tenantOf(c), c.req.valid("param").id);
    if (summary.histogram === null) {
      throw new NotFoundError('a "select" job has no golden-score histogram: its candidates were scored only until their thresholds were decided');
    }
    c.header("content-type", "image/svg+xml");
    return c.body(histogramSvg({ ...summary, histogram: summary.histogram })) as never;
  });

  app.openapi(scores, async (c) => {
    const { id } = c.req.valid("param");
    const lines = await streamScores(store, tenantOf(c), id, { raw: c.req.valid("query").raw === "true" });
    return streamBody(c, "application/x-ndjson", lines, `${id}-scores.jsonl`);
  });

  app.openapi(subsetRoute, async (c) => {
    const { id } = c.req.valid("param");
    const spec = parseSubsetSpec(c.req.valid("query"));
    const examples = await subset(store, tenantOf(c), id, spec);
    async function* lines(): AsyncIterable<string> {
      for await (const example of examples) yield `${JSON.stringify(example)}\n`;
    }
    const label = "threshold" in spec ? `gs-over-${spec.threshold}` : `top-${spec.topPercent}pct`;
    return streamBody(c, "application/x-ndjson", lines(), `${id}-${label}.jsonl`);
  });

  app.openapi(cancel, async (c) => {
    requireScope(c.get("principal"), "write");
    const { deps: jobDeps } = apiJobDeps(deps);
    const { id } = c.req.valid("param");
    await cancelJob(jobDeps, nuggetsKind, tenantOf(c), id);
    return c.json(await getNuggetsJobStatus(jobDeps, tenantOf(c), id), 200);
  });

  app.openapi(retry, async (c) => {
    requireScope(c.get("principal"), "write");
    const { deps: jobDeps } = apiJobDeps(deps);
    return c.json(await retryJob(jobDeps, nuggetsKind, tenantOf(c), c.req.valid("param").id), 200);
  });
}
