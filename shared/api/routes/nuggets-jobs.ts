import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { stream } from "hono/streaming";
import { ErrorBodySchema } from "../../../schemas/common.js";
import {
  CreateNuggetsJobSchema,
  JobIdSchema,
  NuggetsJobPlanSchema,
  NuggetsJobStatusSchema,
  NuggetsJobSummarySchema,
} from "../../../schemas/nuggets-jobs.js";
import { requireScope } from "../../auth/api-keys.js";
import { ConfigurationError, ValidationError } from "../../errors.js";
import {
  cancelNuggetsJob,
  createNuggetsJob,
  getNuggetsJobStatus,
  histogramSvg,
  planNuggetsJob,
  readSummary,
  retryFailedShards,
  streamScores,
  subset,
  type NuggetsJobDeps,
  type SubsetSpec,
} from "../../nuggets/jobs/index.js";
import type { ApiDeps, ApiEnv } from "../context.js";
import { validationErrorFrom } from "../errors.js";

const err = (description: string) => ({ description, content: { "application/json": { schema: ErrorBodySchema } } });
const BASE = "/v1/nuggets/jobs";
const JobParams = z.object({ id: JobIdSchema });

function jobId(c: Context): string {
  const parsed = JobIdSchema.safeParse(c.req.param("id"));
  if (!parsed.success) throw validationErrorFrom(parsed.error, "job id");
  return parsed.data;
}

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

/** Streams async lines as a response body. */
function streamLines(c: Context, contentType: string, lines: AsyncIterable<string>, filename: string): Response {
  c.header("content-type", contentType);
  c.header("content-disposition", `attachment; filename="${filename}"`);
  return stream(c, async (out) => {
    for await (const line of lines) await out.write(line);
  });
}

/** `/v1/nuggets/jobs`: submit (or dry-run), status, results, downloads, cancel, retry. */
export function registerNuggetsJobRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const jobDeps = (): NuggetsJobDeps => {
    if (!deps.nuggets) throw new ConfigurationError("NUGGETS jobs are not configured on this deployment (no work queue)");
    return {
      store: deps.store,
      engines: deps.engines,
      queue: deps.nuggets.queue,
      ...(deps.nuggets.options ? { options: deps.nuggets.options } : {}),
      ...(deps.nuggets.lookup ? { lookup: deps.nuggets.lookup } : {}),
    };
  };
  const tenantOf = (c: Context<ApiEnv>) => c.get("principal").tenant;

  app.openAPIRegistry.registerPath({
    method: "post",
    path: BASE,
    tags: ["nuggets"],
    summary: "Score a dataset by golden score (202 with the job), or estimate the cost with dryRun (200 with a plan)",
    description:
      "Every candidate is tried as a one-shot demonstration in front of each anchor; its golden score is the fraction of " +
      "anchors whose answer becomes more likely. `preset` is `paper` (default) or `reference` (the authors' code). " +
      "Repeating a POST with the same `idempotencyKey` returns the same job.",
    security: [{ bearer: [] }],
    request: { body: { required: true, content: { "application/json": { schema: CreateNuggetsJobSchema } } } },
    responses: {
      202: { description: "Job accepted", content: { "application/json": { schema: NuggetsJobStatusSchema } } },
      200: { description: "Dry run: what the job would cost", content: { "application/json": { schema: NuggetsJobPlanSchema } } },
      400: err("Invalid request: unknown engine, URL in place of an engine, missing dataset, refused callback URL"),
      409: err("The idempotency key was used with a different request"),
    },
  });
  app.post(BASE, async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ValidationError("the request body is not valid JSON");
    }
    const d = jobDeps();
    if ((body as { dryRun?: unknown } | null)?.dryRun === true) {
      return c.json(await planNuggetsJob(d, principal.tenant, body), 200);
    }
    const { manifest } = await createNuggetsJob(d, principal.tenant, body);
    const status = await getNuggetsJobStatus(d, principal.tenant, manifest.jobId);
    c.header("location", `${BASE}/${manifest.jobId}`);
    return c.json(status, 202);
  });

  app.openAPIRegistry.registerPath({
    method: "get",
    path: `${BASE}/{id}`,
    tags: ["nuggets"],
    summary: "A job's status and progress: pairs scored of total, shards done/failed, throughput, ETA",
    security: [{ bearer: [] }],
    request: { params: JobParams },
    responses: {
      200: { description: "Status", content: { "application/json": { schema: NuggetsJobStatusSchema } } },
      404: err("No such job for this tenant"),
    },
  });
  app.get(`${BASE}/:id`, async (c) => c.json(await getNuggetsJobStatus(jobDeps(), tenantOf(c), jobId(c)), 200));

  app.openAPIRegistry.registerPath({
    method: "get",
    path: `${BASE}/{id}/results`,
    tags: ["nuggets"],
    summary: "The golden-score distribution: histogram, counts over thresholds, top candidates",
    security: [{ bearer: [] }],
    request: { params: JobParams },
    responses: {
      200: { description: "Summary", content: { "application/json": { schema: NuggetsJobSummarySchema } } },
      409: err("The job has no results yet"),
    },
  });
  app.get(`${BASE}/:id/results`, async (c) => c.json(await readSummary(jobDeps(), tenantOf(c), jobId(c)), 200));

  app.openAPIRegistry.registerPath({
    method: "get",
    path: `${BASE}/{id}/results/histogram.svg`,
    tags: ["nuggets"],
    summary: "The golden-score histogram as an SVG image",
    security: [{ bearer: [] }],
    request: { params: JobParams },
    responses: { 200: { description: "SVG", content: { "image/svg+xml": { schema: z.string() } } }, 409: err("No results yet") },
  });
  app.get(`${BASE}/:id/results/histogram.svg`, async (c) => {
    const summary = await readSummary(jobDeps(), tenantOf(c), jobId(c));
    c.header("content-type", "image/svg+xml");
    return c.body(histogramSvg(summary));
  });

  app.openAPIRegistry.registerPath({
    method: "get",
    path: `${BASE}/{id}/scores`,
    tags: ["nuggets"],
    summary: "scores.jsonl: one line per candidate (index, goldenScore, wins, anchors, status, preset); raw=true adds per-anchor sums",
    security: [{ bearer: [] }],
    request: { params: JobParams, query: z.object({ raw: z.enum(["true", "false"]).optional() }) },
    responses: { 200: { description: "JSONL", content: { "application/x-ndjson": { schema: z.string() } } }, 409: err("No results yet") },
  });
  app.get(`${BASE}/:id/scores`, async (c) => {
    const id = jobId(c);
    const lines = await streamScores(jobDeps(), tenantOf(c), id, { raw: c.req.query("raw") === "true" });
    return streamLines(c, "application/x-ndjson", lines, `${id}-scores.jsonl`);
  });

  app.openAPIRegistry.registerPath({
    method: "get",
    path: `${BASE}/{id}/subset`,
    tags: ["nuggets"],
    summary: "A training subset as JSONL {instruction, input, output}: GS > threshold, or the top topPercent %",
    security: [{ bearer: [] }],
    request: {
      params: JobParams,
      query: z.object({ threshold: z.string().optional(), topPercent: z.string().optional() }),
    },
    responses: {
      200: { description: "JSONL in dataset order", content: { "application/x-ndjson": { schema: z.string() } } },
      400: err("Give exactly one of threshold or topPercent"),
      409: err("No results yet"),
    },
  });
  app.get(`${BASE}/:id/subset`, async (c) => {
    const id = jobId(c);
    const spec = parseSubsetSpec({ threshold: c.req.query("threshold"), topPercent: c.req.query("topPercent") });
    const examples = await subset(jobDeps(), tenantOf(c), id, spec);
    async function* lines(): AsyncIterable<string> {
      for await (const example of examples) yield `${JSON.stringify(example)}\n`;
    }
    const label = "threshold" in spec ? `gs-over-${spec.threshold}` : `top-${spec.topPercent}pct`;
    return streamLines(c, "application/x-ndjson", lines(), `${id}-${label}.jsonl`);
  });

  app.openAPIRegistry.registerPath({
    method: "post",
    path: `${BASE}/{id}/cancel`,
    tags: ["nuggets"],
    summary: "Stop a job: no further shard is scored",
    security: [{ bearer: [] }],
    request: { params: JobParams },
    responses: { 200: { description: "Status", content: { "application/json": { schema: NuggetsJobStatusSchema } } }, 409: err("Already completed") },
  });
  app.post(`${BASE}/:id/cancel`, async (c) => {
    requireScope(c.get("principal"), "write");
    const d = jobDeps();
    await cancelNuggetsJob(d, tenantOf(c), jobId(c));
    return c.json(await getNuggetsJobStatus(d, tenantOf(c), jobId(c)), 200);
  });

  app.openAPIRegistry.registerPath({
    method: "post",
    path: `${BASE}/{id}/retry`,
    tags: ["nuggets"],
    summary: "Re-enqueue the shards (and stages) that ended in the dead-letter queue",
    security: [{ bearer: [] }],
    request: { params: JobParams },
    responses: {
      200: {
        description: "What was re-enqueued",
        content: { "application/json": { schema: z.object({ shards: z.array(z.number()), stages: z.array(z.string()), messages: z.number() }) } },
      },
      409: err("The job was cancelled"),
    },
  });
  app.post(`${BASE}/:id/retry`, async (c) => {
    requireScope(c.get("principal"), "write");
    return c.json(await retryFailedShards(jobDeps(), tenantOf(c), jobId(c)), 200);
  });
}
