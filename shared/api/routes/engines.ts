import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { ErrorBodySchema, EngineNameSchema } from "../../../schemas/common.js";
import { EngineDescriptorSchema } from "../../../schemas/engines.js";
import { requireScope } from "../../auth/api-keys.js";
import { CapabilityError } from "../../errors.js";
import type { ApiDeps, ApiEnv } from "../context.js";

const errors = {
  400: { content: { "application/json": { schema: ErrorBodySchema } }, description: "Invalid request" },
  401: { content: { "application/json": { schema: ErrorBodySchema } }, description: "Missing or unknown API key" },
  403: { content: { "application/json": { schema: ErrorBodySchema } }, description: "The key lacks a scope" },
  502: { content: { "application/json": { schema: ErrorBodySchema } }, description: "The engine failed" },
} as const;

const listEngines = createRoute({
  method: "get",
  path: "/v1/engines",
  tags: ["engines"],
  summary: "The engines this deployment can call",
  security: [{ bearer: [] }],
  responses: {
    200: {
      content: { "application/json": { schema: z.object({ engines: z.array(EngineDescriptorSchema) }) } },
      description: "Configured engines, without URLs or secrets",
    },
    401: errors[401],
  },
});

export const ScoreRequestSchema = z
  .object({
    engine: EngineNameSchema,
    text: z.string().min(1).max(100_000).openapi({ example: "Once upon a time" }),
    bos: z.boolean().default(true).openapi({ description: "Put the model's BOS token first" }),
  })
  .strict()
  .openapi("ScoreRequest");

const ScoreResponseSchema = z
  .object({
    engine: z.string(),
    model: z.string(),
    tokens: z.array(z.number().int()),
    logprobs: z.array(z.number().nullable()).openapi({ description: "log p of each token given those before it; null for the first" }),
    sum: z.number(),
  })
  .openapi("ScoreResponse");

const score = createRoute({
  method: "post",
  path: "/v1/score",
  tags: ["engines"],
  summary: "Teacher-forced log-probs of a text under a named engine (a quick check that an engine is wired right)",
  security: [{ bearer: [] }],
  request: { body: { content: { "application/json": { schema: ScoreRequestSchema } }, required: true } },
  responses: {
    200: { content: { "application/json": { schema: ScoreResponseSchema } }, description: "Per-token log-probs" },
    ...errors,
  },
});

/** `/v1/engines` and `/v1/score`. */
export function registerEngineRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(listEngines, (c) => c.json({ engines: deps.engines.list() }, 200));

  app.openapi(score, async (c) => {
    requireScope(c.get("principal"), "write");
    const body = c.req.valid("json");
    const descriptor = deps.engines.describe(body.engine);
    if (!descriptor.capabilities.promptLogprobs) throw new CapabilityError(body.engine, "prompt log-probs");
    const engine = await deps.engines.get(body.engine);
    const tokens = await engine.tokenize(body.text, { bos: body.bos });
    const [result] = await engine.score([{ tokens, from: 1 }]);
    const logprobs = result!.logprobs;
    return c.json(
      {
        engine: engine.name,
        model: engine.model,
        tokens,
        logprobs: [null, ...logprobs],
        sum: logprobs.reduce((a, b) => a + b, 0),
      },
      200,
    );
  });
}
