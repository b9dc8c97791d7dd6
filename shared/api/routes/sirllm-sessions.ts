/**
 * `/v1/sirllm/sessions…`: SirLLM chat sessions whose memory (attention sinks plus the highest-entropy tokens, decayed)
 * lives in the object store between requests. Create, send a message (the reply, or server-sent events with
 * `stream: true`), choose among options, read the session, read its memory (JSON, or an HTML page), list, delete.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import {
  CreateSessionSchema,
  MemoryViewSchema,
  SendChoiceSchema,
  SendMessageSchema,
  SessionIdSchema,
  SessionViewSchema,
  TurnResultSchema,
  type TurnTimings,
} from "../../../schemas/sirllm-sessions.js";
import { requireScope } from "../../auth/api-keys.js";
import { AssayError } from "../../errors.js";
import { renderMemoryPage } from "../../sirllm/sessions/memory-page.js";
import type { SessionService } from "../../sirllm/sessions/session-service.js";
import type { ApiEnv } from "../context.js";
import { errorResponse } from "./route-helpers.js";

const BASE = "/v1/sirllm/sessions";
const tags = ["sirllm"];
const security = [{ bearer: [] }];
const IdParams = z.object({ id: SessionIdSchema });
/** The memory page runs no script and loads nothing: token text is model output. */
const PAGE_HEADERS = { "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'", "x-content-type-options": "nosniff" };

const create = createRoute({
  method: "post",
  path: BASE,
  tags,
  summary: "Create a chat session with SirLLM memory (201; 200 when an Idempotency-Key finds the session it made)",
  security,
  request: {
    headers: z.object({ "idempotency-key": z.string().min(1).max(200).optional() }),
    body: { required: true, content: { "application/json": { schema: CreateSessionSchema } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: SessionViewSchema } } },
    200: { description: "Already created with this Idempotency-Key", content: { "application/json": { schema: SessionViewSchema } } },
    400: errorResponse("Bad settings: unknown engine or template, sinks ≥ cacheSize, cacheSize above the engine's context, kv or reference on a stateless engine"),
    409: errorResponse("The Idempotency-Key created a session with other settings"),
  },
});

const list = createRoute({
  method: "get",
  path: BASE,
  tags,
  summary: "This tenant's sessions, by id",
  security,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(50),
      cursor: SessionIdSchema.optional().openapi({ description: "`nextCursor` of the previous page" }),
    }),
  },
  responses: {
    200: {
      description: "A page of sessions",
      content: {
        "application/json": {
          schema: z.object({ sessions: z.array(z.object({ id: z.string(), createdAt: z.string(), engine: z.string() })), nextCursor: z.string().nullable() }),
        },
      },
    },
  },
});

const read = createRoute({
  method: "get",
  path: `${BASE}/{id}`,
  tags,
  summary: "A session: settings, turns, memory size, evictions so far, entropy summary",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "The session", content: { "application/json": { schema: SessionViewSchema } } }, 404: errorResponse("No such session") },
});

const remove = createRoute({
  method: "delete",
  path: `${BASE}/{id}`,
  tags,
  summary: "Delete a session, its memory and its transcripts (deleting one that does not exist is not an error)",
  security,
  request: { params: IdParams },
  responses: { 204: { description: "Deleted" } },
});

const message = createRoute({
  method: "post",
  path: `${BASE}/{id}/messages`,
  tags,
  summary: "Send the user's next message; the reply (or, with stream: true, server-sent events `delta`, then `done`)",
  description:
    "Memory is evicted once before the turn, making room for the message plus `maxTokens`; the message and the reply " +
    "enter memory with their entropies. Two messages racing on one session: one is stored, the other gets 409 and may " +
    "retry. Give `turn` (the turn number you mean to create) to make a retry safe: a turn already stored is answered " +
    "from its transcript, not run again.",
  security,
  request: { params: IdParams, body: { required: true, content: { "application/json": { schema: SendMessageSchema } } } },
  responses: {
    200: {
      description: "The reply, or an event stream",
      content: { "application/json": { schema: TurnResultSchema }, "text/event-stream": { schema: z.string() } },
    },
    400: errorResponse("A message that cannot fit in memory even after eviction (refused, never truncated)"),
    404: errorResponse("No such session"),
    409: errorResponse("Another turn was stored first; send again"),
    502: errorResponse("The engine failed; nothing was stored"),
  },
});

const choice = createRoute({
  method: "post",
  path: `${BASE}/{id}/choices`,
  tags,
  summary: "Send the user's turn with options; each is scored by its first token's log-prob and the chosen one enters memory",
  security,
  request: { params: IdParams, body: { required: true, content: { "application/json": { schema: SendChoiceSchema } } } },
  responses: {
    200: { description: "The choice and every option's score", content: { "application/json": { schema: TurnResultSchema } } },
    400: errorResponse("An option that adds no tokens, or a turn that cannot fit"),
    404: errorResponse("No such session"),
    409: errorResponse("Another turn was stored first; send again"),
  },
});

const memory = createRoute({
  method: "get",
  path: `${BASE}/{id}/memory`,
  tags,
  summary: "The tokens in memory with their text, entropy (as stored, decayed) and turn; HTML with ?format=html",
  security,
  request: { params: IdParams, query: z.object({ format: z.enum(["json", "html"]).default("json") }) },
  responses: {
    200: { description: "The memory", content: { "application/json": { schema: MemoryViewSchema }, "text/html": { schema: z.string() } } },
    404: errorResponse("No such session"),
  },
});

const memoryPage = createRoute({
  method: "get",
  path: `${BASE}/{id}/memory.html`,
  tags,
  summary: "The memory as a page: kept tokens shaded by entropy, evicted ones greyed, turn by turn",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "HTML", content: { "text/html": { schema: z.string() } } }, 404: errorResponse("No such session") },
});

/** Registers the session routes. */
export function registerSirllmSessionRoutes(app: OpenAPIHono<ApiEnv>, service: SessionService): void {
  app.openapi(create, async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    const key = c.req.valid("header")["idempotency-key"];
    const { view, created } = await service.create(principal.tenant, c.req.valid("json"), key);
    c.header("location", view.links.self);
    return created ? c.json(view, 201) : c.json(view, 200);
  });

  app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await service.list(c.get("principal").tenant, limit, cursor), 200);
  });

  app.openapi(read, async (c) => c.json(await service.view(c.get("principal").tenant, c.req.valid("param").id), 200));

  app.openapi(remove, async (c) => {
    requireScope(c.get("principal"), "write");
    await service.delete(c.get("principal").tenant, c.req.valid("param").id);
    return c.body(null, 204);
  });

  app.openapi(message, async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    if (!body.stream) {
      const result = await service.sendMessage(principal.tenant, id, body);
      serverTiming(c, result.timings);
      return c.json(result, 200);
    }
    // Refuse a missing session before the stream starts, so it is a plain 404.
    await service.config(principal.tenant, id);
    return streamSSE(c, async (events) => {
      let queue = Promise.resolve();
      try {
        const result = await service.sendMessage(principal.tenant, id, body, (delta) => {
          queue = queue.then(() => events.writeSSE({ event: "delta", data: JSON.stringify({ text: delta }) }));
        });
        await queue;
        await events.writeSSE({ event: "done", data: JSON.stringify(result) });
      } catch (error) {
        await queue.catch(() => undefined);
        await events.writeSSE({ event: "error", data: JSON.stringify(errorBody(error)) });
      }
    }) as never;
  });

  app.openapi(choice, async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    const result = await service.sendChoice(principal.tenant, c.req.valid("param").id, c.req.valid("json"));
    serverTiming(c, result.timings);
    return c.json(result, 200);
  });

  app.openapi(memory, async (c) => {
    const tenant = c.get("principal").tenant;
    const { id } = c.req.valid("param");
    if (c.req.valid("query").format === "html") return c.html(renderMemoryPage(await service.memoryPage(tenant, id)), 200, PAGE_HEADERS) as never;
    return c.json(await service.memory(tenant, id), 200);
  });

  app.openapi(memoryPage, async (c) => {
    const tenant = c.get("principal").tenant;
    return c.html(renderMemoryPage(await service.memoryPage(tenant, c.req.valid("param").id)), 200, PAGE_HEADERS) as never;
  });
}

/** The turn's timings as a `Server-Timing` header (browsers' devtools show it). */
function serverTiming(c: { header(name: string, value: string): void }, timings: TurnTimings | undefined): void {
  if (!timings) return;
  c.header("server-timing", `engine;dur=${timings.engineMs}, store;dur=${timings.storeMs}, total;dur=${timings.totalMs}`);
}

/** An error as the `error` event carries it (the same body a JSON error response has). */
function errorBody(error: unknown) {
  if (error instanceof AssayError) return error.toBody();
  console.error(JSON.stringify({ level: "error", msg: "unhandled error in a session stream", error: String(error), stack: (error as Error)?.stack }));
  return { error: { code: "internal_error", message: "internal error", details: null } };
}
