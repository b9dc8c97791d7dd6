import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import { NotFoundError } from "../errors.js";
import type { ApiDeps, ApiEnv } from "./context.js";
import { DOCS_ASSETS, DOCS_INIT_JS, docsAsset, docsPage, type DocsAsset } from "./docs-page.js";
import { renderError, validationErrorFrom } from "./errors.js";
import { authenticate, limitBody, logRequests } from "./middleware.js";
import { registerDatasetRoutes } from "./routes/datasets.js";
import { registerEngineRoutes } from "./routes/engines.js";
import { registerJobRoutes } from "./routes/jobs.js";
import { registerMtiSweepRoutes } from "./routes/mti-sweeps.js";
import { registerNuggetsJobRoutes } from "./routes/nuggets-jobs.js";
import { registerOpenAiChatRoutes } from "./routes/openai-chat-completions.js";
import { registerSirllmEvaluationRoutes } from "./routes/sirllm-evaluations.js";
import { registerSirllmSessionRoutes } from "./routes/sirllm-sessions.js";
import { SessionService } from "../sirllm/sessions/session-service.js";

/** 1 MiB: far above any JSON control request; datasets larger than this go through presigned uploads. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Datasets posted directly; larger ones use a presigned upload. Lambda refuses synchronous payloads over 6 MB. */
export const DEFAULT_MAX_DATASET_BYTES = 6 * 1024 * 1024 - 64 * 1024;

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["meta"],
  summary: "Liveness",
  responses: {
    200: {
      content: { "application/json": { schema: z.object({ status: z.literal("ok"), version: z.string() }) } },
      description: "The API is up",
    },
  },
});

/**
 * The assay HTTP API as a Hono app. The same app runs under `hono/aws-lambda` (functions/api.ts) and
 * `@hono/node-server` (the local stack); everything it touches comes in through `deps`.
 */
export function createApp(deps: ApiDeps): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationErrorFrom(result.error, result.target === "json" ? "request body" : result.target);
    },
  });

  app.use("*", requestId());
  if (deps.log) app.use("*", logRequests(deps.log));
  const limitControl = limitBody(deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const limitDataset = limitBody(
    deps.maxDatasetBytes ?? DEFAULT_MAX_DATASET_BYTES,
    "upload a larger dataset with POST /v1/datasets/uploads (a presigned PUT), then POST /v1/datasets/uploads/{uploadId}/complete",
  );
  app.use("*", (c, next) =>
    c.req.method === "POST" && c.req.path === "/v1/datasets" ? limitDataset(c, next) : limitControl(c, next),
  );
  app.onError(renderError);
  app.notFound((c) => renderError(new NotFoundError(`no route for ${c.req.method} ${c.req.path}`), c));

  app.openapi(health, (c) => c.json({ status: "ok" as const, version: deps.version ?? "dev" }, 200));
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "assay",
      version: deps.version ?? "dev",
      description:
        "Evaluation API: NUGGETS golden-score data selection, SirLLM long-chat memory, MTI-Bench sweeps. " +
        "Authenticate with `Authorization: Bearer <key>`; errors are `{error: {code, message, details}}`.",
    },
  });
  // The API documentation for people, served entirely from here (no CDN). Not part of the OpenAPI document.
  const docsHeaders = { "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'" };
  app.get("/docs", (c) => c.html(docsPage("assay API"), 200, docsHeaders));
  app.get("/docs/init.js", (c) => c.body(DOCS_INIT_JS, 200, { "content-type": "text/javascript; charset=utf-8", ...docsHeaders }));
  for (const [name, type] of Object.entries(DOCS_ASSETS)) {
    app.get(`/docs/${name}`, (c) =>
      c.body(new Uint8Array(docsAsset(name as DocsAsset)), 200, { "content-type": type, "cache-control": "public, max-age=86400" }),
    );
  }

  app.use("/v1/*", authenticate(deps.auth));
  registerEngineRoutes(app, deps);
  registerDatasetRoutes(app, deps);
  registerJobRoutes(app, deps);
  registerNuggetsJobRoutes(app, deps);
  registerMtiSweepRoutes(app, deps);
  registerSirllmEvaluationRoutes(app, deps);
  // One service for both faces of a session, so they share its cache of session configs.
  const sessions = new SessionService({ store: deps.store, engines: deps.engines });
  registerSirllmSessionRoutes(app, sessions);
  registerOpenAiChatRoutes(app, sessions);
  return app;
}
