/**
 * `/v1/sirllm/evaluations`: submit (or dry-run) a SirLLM evaluation (DailyDialog, Grocery Shopping, Rock-Paper-Scissors
 * under several memory policies), its status, its report (the paper's tables as JSON, or Markdown), cancel and retry.
 * The result files (`outcomes.jsonl`, `report.md`) are also the kernel's `/v1/jobs/{id}/results/{file}`.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { JobStatusSchema, RetryResultSchema } from "../../../schemas/jobs.js";
import { CreateSirllmEvaluationSchema, SIRLLM_EVAL_FILES, SirllmEvalSummarySchema } from "../../../schemas/sirllm-eval-jobs.js";
import { requireScope } from "../../auth/api-keys.js";
import { createJob, planJob } from "../../jobs/create-job.js";
import { cancelJob, retryJob } from "../../jobs/job-control.js";
import { jobKeys } from "../../jobs/job-keys.js";
import { getJobStatus } from "../../jobs/job-status.js";
import { readManifest } from "../../jobs/job-views.js";
import { noResultsYet } from "../../jobs/stop.js";
import { sirllmEvalKind } from "../../sirllm/jobs/sirllm-eval-kind.js";
import type { ApiDeps, ApiEnv } from "../context.js";
import { apiJobDeps } from "../job-deps.js";
import { errorResponse } from "./route-helpers.js";

const BASE = "/v1/sirllm/evaluations";
const security = [{ bearer: [] }];
const tags = ["sirllm"];
const EvaluationIdSchema = z
  .string()
  .regex(/^se_[0-9a-z]{20,32}$/, "evaluation ids look like se_ followed by lowercase letters and digits")
  .openapi({ example: "se_01hzx3k9c4w7q2m5n8p0r6t1ab" });
const IdParams = z.object({ id: EvaluationIdSchema });

const submit = createRoute({
  method: "post",
  path: BASE,
  tags,
  summary: "Run a SirLLM evaluation (202 with its status), or estimate it with dryRun (200 with a plan)",
  description:
    "Each unit — a DailyDialog dialogue, a Grocery Shopping episode, a Rock-Paper-Scissors player — is played turn by " +
    "turn on the engine from empty memory under each memory policy (`sirllm`, `streaming`, `random`, `interval`, `full`), " +
    "the answer chosen among the options by log-probability (REFERENCE.md §2). The tables — accuracy; recall and " +
    "CommonsenseQA accuracy; win/tie/lose rates, overall and per window of rounds — put the policies side by side. " +
    "`cacheSize`, `sinks` and `decay` default to the paper's for each task; RPS players are the authors' three or " +
    "`{generate: {count, seed, rounds}}`.",
  security,
  request: { body: { required: true, content: { "application/json": { schema: CreateSirllmEvaluationSchema } } } },
  responses: {
    202: { description: "Evaluation accepted", content: { "application/json": { schema: JobStatusSchema } } },
    200: { description: "Dry run: units by task", content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } },
    400: errorResponse("Invalid request: unknown engine, an engine that cannot score, kv or reference on a non-embedded engine, a cache larger than the context"),
    409: errorResponse("The idempotency key was used with a different request"),
  },
});

const status = createRoute({
  method: "get",
  path: `${BASE}/{id}`,
  tags,
  summary: "An evaluation's status and progress (units done by outcome: scored, failed; ETA)",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "Status", content: { "application/json": { schema: JobStatusSchema } } }, 404: errorResponse("No such evaluation for this tenant") },
});

const report = createRoute({
  method: "get",
  path: `${BASE}/{id}/report`,
  tags,
  summary: "The evaluation's tables, every policy side by side: JSON, or Markdown with Accept: text/markdown or ?format=md",
  security,
  request: { params: IdParams, query: z.object({ format: z.enum(["json", "md"]).optional() }) },
  responses: {
    200: {
      description: "The summary (JSON) or report.md",
      content: { "application/json": { schema: SirllmEvalSummarySchema }, "text/markdown": { schema: z.string() } },
    },
    404: errorResponse("No such evaluation"),
    409: errorResponse("The evaluation has not finished"),
  },
});

const cancel = createRoute({
  method: "post",
  path: `${BASE}/{id}/cancel`,
  tags,
  summary: "Stop an evaluation; the units that finished become a partial report",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "Status", content: { "application/json": { schema: JobStatusSchema } } }, 409: errorResponse("Already finished") },
});

const retry = createRoute({
  method: "post",
  path: `${BASE}/{id}/retry`,
  tags,
  summary: "Re-enqueue the shards that ended in the dead-letter queue",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "What was re-enqueued", content: { "application/json": { schema: RetryResultSchema } } }, 409: errorResponse("The evaluation was stopped") },
});

/** Whether a request asks for Markdown: `?format=md`, or an Accept header that prefers it to JSON. */
export function wantsMarkdown(format: string | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === "md";
  const types = (accept ?? "").split(",").map((t) => t.split(";")[0]!.trim().toLowerCase());
  const md = types.indexOf("text/markdown");
  const json = types.findIndex((t) => t === "application/json" || t === "*/*" || t === "application/*");
  return md >= 0 && (json < 0 || md < json);
}

/** `/v1/sirllm/evaluations…`. */
export function registerSirllmEvaluationRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const tenantOf = (c: { get(k: "principal"): { tenant: string } }) => c.get("principal").tenant;
  const statusOf = async (tenant: string, id: string) => (await getJobStatus({ store: deps.store }, sirllmEvalKind, tenant, id)).status;

  app.openapi(submit, async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    const body = c.req.valid("json");
    const { deps: jobDeps } = apiJobDeps(deps);
    if (body.dryRun) return c.json(await planJob(jobDeps, sirllmEvalKind, principal.tenant, body), 200);
    const { manifest } = await createJob(jobDeps, sirllmEvalKind, principal.tenant, body);
    c.header("location", `${BASE}/${manifest.jobId}`);
    return c.json(await statusOf(principal.tenant, manifest.jobId), 202);
  });

  app.openapi(status, async (c) => c.json(await statusOf(tenantOf(c), c.req.valid("param").id), 200));

  app.openapi(report, async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid("param");
    await readManifest(deps.store, tenant, id, sirllmEvalKind);
    const keys = jobKeys(tenant, id);
    const summary = await deps.store.getJsonOrNull(keys.summary, SirllmEvalSummarySchema);
    if (!summary) throw await noResultsYet(deps.store, tenant, id);
    if (wantsMarkdown(c.req.valid("query").format, c.req.header("accept"))) {
      const body = Buffer.from((await deps.store.getBytes(keys.result(SIRLLM_EVAL_FILES.markdown))).body).toString("utf8");
      return c.body(body, 200, { "content-type": "text/markdown; charset=utf-8" }) as never;
    }
    return c.json(summary, 200);
  });

  app.openapi(cancel, async (c) => {
    requireScope(c.get("principal"), "write");
    const { deps: jobDeps } = apiJobDeps(deps);
    const { id } = c.req.valid("param");
    await cancelJob(jobDeps, sirllmEvalKind, tenantOf(c), id);
    return c.json(await statusOf(tenantOf(c), id), 200);
  });

  app.openapi(retry, async (c) => {
    requireScope(c.get("principal"), "write");
    const { deps: jobDeps } = apiJobDeps(deps);
    return c.json(await retryJob(jobDeps, sirllmEvalKind, tenantOf(c), c.req.valid("param").id), 200);
  });
}
