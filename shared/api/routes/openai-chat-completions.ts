/**
 * `POST /v1/chat/completions`, OpenAI-compatible, over SirLLM sessions: existing chat frontends and the official
 * `openai` client talk to a session without change. The session is named by the `X-Assay-Session` header; without
 * it a new session is created from the request (`model` names the engine; assay's own settings may ride in an
 * optional `assay` object), and its id comes back in the `X-Assay-Session` response header and in `assay.session`.
 * Memory is the server's: only the last message (the user's new turn) is read; earlier messages a client re-sends are
 * ignored, and a system message seeds a new session's first turn. Errors use OpenAI's error shape, so the client
 * raises its usual error classes.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { CreateSessionSchema, SendMessageSchema, SessionIdSchema, type SendMessage } from "../../../schemas/sirllm-sessions.js";
import type { ChatCompletionRequest } from "../../../schemas/openai-chat-completions.js";
import { requireScope } from "../../auth/api-keys.js";
import { AssayError, ValidationError } from "../../errors.js";
import {
  ASSAY_SESSION_HEADER,
  completionChunk,
  completionId,
  completionResponse,
  decodingOverrides,
  includeUsage,
  lastUserMessage,
  parseChatCompletionRequest,
  SSE_DONE,
  sseEvent,
  systemPrompt,
  toOpenAiError,
  usageChunk,
} from "../../sirllm/openai/chat-completions-wire.js";
import type { SessionService } from "../../sirllm/sessions/session-service.js";
import type { ApiEnv } from "../context.js";
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { validationErrorFrom } from "../errors.js";

const chatCompletions = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  tags: ["sirllm"],
  summary: "OpenAI-compatible chat over a SirLLM session (header X-Assay-Session; without it a new session is created)",
  description:
    "The body is OpenAI's chat-completions request (`model` names the engine; `stream`, `stream_options`, `max_tokens` / " +
    "`max_completion_tokens`, `temperature`, `top_p`, `seed`, `stop`; `n` must be 1). Only the last message, the user's " +
    "new turn, is read: memory is the session's. An optional `assay` object configures a new session (policy, " +
    "cacheSize, sinks, decay, seed, entropy, memoryLevel, template). Answers in OpenAI's response or streaming-chunk " +
    "shapes; errors in OpenAI's error shape.",
  security: [{ bearer: [] }],
  request: {
    headers: z.object({ "x-assay-session": z.string().optional().openapi({ description: "The session (ss_…) to continue" }) }),
    // Validated in the handler, so that problems come back in OpenAI's error shape.
    body: { required: true, content: { "application/json": { schema: z.record(z.string(), z.unknown()).openapi("ChatCompletionRequest") } } },
  },
  responses: {
    200: {
      description: "A chat.completion, or chat.completion.chunk server-sent events ending with `data: [DONE]`",
      headers: z.object({ "x-assay-session": z.string() }),
      content: { "application/json": { schema: z.record(z.string(), z.unknown()) }, "text/event-stream": { schema: z.string() } },
    },
    400: { description: "OpenAI-shaped error", content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } },
  },
});

/** Registers `POST /v1/chat/completions`. */
export function registerOpenAiChatRoutes(app: OpenAPIHono<ApiEnv>, service: SessionService): void {
  app.openapi(chatCompletions, (async (c: Context<ApiEnv>) => {
    try {
      const principal = c.get("principal");
      requireScope(principal, "write");
      const raw = await c.req.json().catch(() => {
        throw new ValidationError("the request body is not JSON");
      });
      const request = parseChatCompletionRequest(raw);
      const content = lastUserMessage(request.messages);
      const sessionId = await sessionFor(service, principal.tenant, c.req.header(ASSAY_SESSION_HEADER), request);
      c.header("X-Assay-Session", sessionId);
      const message = sendMessageFrom(request, content);
      const id = completionId();
      const created = Math.floor(Date.now() / 1000);
      const model = request.model;
      if (!request.stream) {
        const result = await service.sendMessage(principal.tenant, sessionId, message);
        return c.json(
          completionResponse({ id, created, model, text: result.reply, finishReason: result.finishReason ?? "stop", promptTokens: result.usage.promptTokens, completionTokens: result.usage.replyTokens, sessionId }),
          200,
        );
      }
      const usage = includeUsage(request);
      return streamSSE(c, async (events) => {
        const write = (obj: unknown) => events.write(sseEvent(obj));
        const chunk = (fields: { delta?: string; role?: true; finishReason?: "stop" | "length" }) =>
          completionChunk({ id, created, model, sessionId, nullUsage: usage, ...fields });
        let queue = write(chunk({ role: true, delta: "" }));
        try {
          const result = await service.sendMessage(principal.tenant, sessionId, message, (delta) => {
            queue = queue.then(() => write(chunk({ delta })));
          });
          await queue;
          await write(chunk({ finishReason: result.finishReason ?? "stop" }));
          if (usage) await write(usageChunk({ id, created, model, promptTokens: result.usage.promptTokens, completionTokens: result.usage.replyTokens }));
        } catch (error) {
          await queue.catch(() => undefined);
          // Mid-stream failures travel as an error object in the stream, as OpenAI's do.
          const { body } = toOpenAi(error);
          await write(body);
        }
        await events.write(SSE_DONE);
      });
    } catch (error) {
      const { status, body } = toOpenAi(error);
      return c.json(body, status as ContentfulStatusCode);
    }
  }) as never);
}

/** The named session (checked to exist), or a new one made from the request. */
async function sessionFor(service: SessionService, tenant: string, header: string | undefined, request: ChatCompletionRequest): Promise<string> {
  if (header !== undefined) {
    const id = SessionIdSchema.safeParse(header.trim());
    if (!id.success) throw new ValidationError(`${ASSAY_SESSION_HEADER} must be a session id (ss_…), got ${JSON.stringify(header)}`);
    const config = await service.config(tenant, id.data);
    if (request.model !== config.engine && request.model !== config.model) {
      throw new ValidationError(`session ${id.data} runs on engine "${config.engine}" (model ${config.model}); the request asks for "${request.model}"`);
    }
    return id.data;
  }
  const a = request.assay ?? {};
  const system = systemPrompt(request.messages);
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  const settings = CreateSessionSchema.safeParse({
    engine: request.model,
    ...(a.policy !== undefined ? { policy: a.policy } : {}),
    ...(a.cacheSize !== undefined ? { cacheSize: a.cacheSize } : {}),
    ...(a.sinks !== undefined ? { sinks: a.sinks } : {}),
    ...(a.decay !== undefined ? { decay: a.decay } : {}),
    ...(a.seed !== undefined ? { seed: a.seed } : {}),
    ...(a.entropy !== undefined ? { entropy: a.entropy } : {}),
    ...(a.memoryLevel !== undefined ? { memoryLevel: a.memoryLevel } : {}),
    ...(a.template !== undefined ? { template: a.template } : {}),
    ...(system !== null ? { system } : {}),
    ...(maxTokens !== undefined ? { decoding: { maxTokens } } : {}),
  });
  if (!settings.success) throw validationErrorFrom(settings.error, "session settings");
  const { view } = await service.create(tenant, settings.data);
  return view.id;
}

/** The session turn a request asks for, checked against what a session accepts (maxTokens ≤ 4096, 32-bit seeds). */
function sendMessageFrom(request: ChatCompletionRequest, content: string): SendMessage {
  const parsed = SendMessageSchema.safeParse({ content, stream: request.stream === true, ...decodingOverrides(request) });
  if (!parsed.success) throw validationErrorFrom(parsed.error, "request");
  return parsed.data;
}

/** Any error as OpenAI's error body and status; an unexpected one is logged first. */
function toOpenAi(error: unknown): { status: number; body: unknown } {
  if (!(error instanceof AssayError)) {
    console.error(JSON.stringify({ level: "error", msg: "error in /v1/chat/completions", error: String(error), stack: (error as Error)?.stack }));
  }
  return toOpenAiError(error);
}
