/**
 * OpenAI's chat completions wire format for SirLLM chat sessions (`POST /v1/chat/completions`), so existing frontends
 * and the official `openai` client work unchanged: the request's reading (the user's new turn, a system prompt, the
 * decoding overrides), the response and stream-chunk bodies (shaped exactly as the client's `ChatCompletion` and
 * `ChatCompletionChunk` types, which the return types enforce), server-sent-event framing, and OpenAI's error body.
 * Pure: no I/O, no engine calls (only `completionId` draws randomness).
 *
 * A stream is: a first chunk with `role: true`, one chunk per piece of text, a last chunk with the finish reason, a
 * usage chunk when `stream_options.include_usage` asked for one, then {@link SSE_DONE}. An error after the stream has
 * started is sent as `sseEvent(openAiError(...))`: the openai client raises it as an `APIError`.
 *
 * @example
 * const request = parseChatCompletionRequest(await c.req.json());
 * const turn = lastUserMessage(request.messages);
 * // ... run the turn ...
 * return c.json(completionResponse({ id: completionId(), created, model, text, finishReason, promptTokens, completionTokens, sessionId }));
 */
import { randomUUID } from "node:crypto";
import { HTTPException } from "hono/http-exception";
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import { z } from "zod";
import {
  ChatCompletionRequestSchema,
  type ChatCompletionContent,
  type ChatCompletionMessageParam,
  type ChatCompletionRequest,
} from "../../../schemas/openai-chat-completions.js";
import { AssayError, EngineError, ValidationError } from "../../errors.js";

/** The header naming the session a request continues (absent: a new session is created from the request). */
export const ASSAY_SESSION_HEADER = "x-assay-session";

/** The content type of a streamed answer. */
export const SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8";

/** The event that ends every stream. */
export const SSE_DONE = "data: [DONE]\n\n";

/** Why a reply ended: a stop (end of turn or a stop string) or the token budget. */
export type ChatFinishReason = "stop" | "length";

// ---------------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------------

/**
 * A request OpenAI-style refusal: a 400 whose `param` names the offending field (`messages[2].role`), which
 * {@link toOpenAiError} puts in the body's `param`.
 */
export class ChatCompletionRequestError extends ValidationError {
  readonly param: string | null;

  constructor(message: string, param: string | null = null) {
    super(message, { param });
    this.param = param;
  }
}

/**
 * Reads a request body: the parsed request, or a {@link ChatCompletionRequestError} naming the first problem and
 * where it is (`messages[1].content[0].type: content part type "image_url" is not supported: ...`).
 *
 * @example
 * parseChatCompletionRequest({ model: "local", messages: [{ role: "user", content: "hi" }] }).stream; // false
 */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  const parsed = ChatCompletionRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw requestErrorFromZod(parsed.error);
}

/** A zod failure as a {@link ChatCompletionRequestError}: the first problem, with its path as `param`. */
export function requestErrorFromZod(error: z.ZodError): ChatCompletionRequestError {
  const first = firstProblem(error.issues, []);
  if (first === null) return new ChatCompletionRequestError("invalid request body");
  const param = first.path.length === 0 ? null : formatPath(first.path);
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""})` : "";
  return new ChatCompletionRequestError(`${param === null ? "" : `${param}: `}${first.message}${more}`, param);
}

interface Problem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * The first issue, looking into a union's branches: when exactly one branch got past the type check (an array of
 * content parts with an image part in it), its own issue is the useful one, not the union's "string or array".
 */
function firstProblem(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): Problem | null {
  const issue = issues[0];
  if (issue === undefined) return null;
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union") {
    const branches = issue.errors.filter((branch) => !branch.every((i) => i.code === "invalid_type" && i.path.length === 0));
    if (branches.length === 1) {
      const inner = firstProblem(branches[0]!, path);
      if (inner !== null) return inner;
    }
  }
  return { path, message: issue.message };
}

/** `["messages", 1, "content"]` → `messages[1].content`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** A message's text: the string, or its text parts joined with "". */
export function contentText(content: ChatCompletionContent): string {
  return typeof content === "string" ? content : content.map((part) => part.text).join("");
}

/**
 * The user's new turn: the text of the last message, which must be the user's. (The session keeps its history
 * server-side; earlier messages are not read.)
 *
 * @example
 * lastUserMessage([{ role: "system", content: "be brief" }, { role: "user", content: [{ type: "text", text: "hi" }] }]); // "hi"
 */
export function lastUserMessage(messages: readonly ChatCompletionMessageParam[]): string {
  const last = messages[messages.length - 1];
  if (last === undefined || last.role !== "user") {
    const got = last === undefined ? "there are no messages" : `it is the ${last.role}'s`;
    throw new ChatCompletionRequestError(`the last message must be the user's new turn; ${got}`, "messages");
  }
  return contentText(last.content);
}

/** The first system (or developer) message's text, or null when there is none. */
export function systemPrompt(messages: readonly ChatCompletionMessageParam[]): string | null {
  const system = messages.find((m) => m.role === "system" || m.role === "developer");
  return system === undefined ? null : contentText(system.content);
}

/** The decoding a request asks for, in the session's terms; absent fields keep the session's own decoding. */
export interface ChatDecodingOverrides {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
}

/**
 * The request's decoding as overrides of a session's decoding: `max_completion_tokens` wins over `max_tokens`, a
 * single stop string becomes a list of one, null and absent fields are left out. Ranges are the schema's (OpenAI's);
 * the caller checks them against the session's limits.
 *
 * @example
 * decodingOverrides(parseChatCompletionRequest({ model: "m", messages, max_tokens: 9, max_completion_tokens: 5, stop: "\n" }));
 * // { maxTokens: 5, stop: ["\n"] }
 */
export function decodingOverrides(request: ChatCompletionRequest): ChatDecodingOverrides {
  const out: ChatDecodingOverrides = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) out.maxTokens = maxTokens;
  if (request.temperature != null) out.temperature = request.temperature;
  if (request.top_p != null) out.topP = request.top_p;
  if (request.seed != null) out.seed = request.seed;
  if (request.stop != null) out.stop = typeof request.stop === "string" ? [request.stop] : [...request.stop];
  return out;
}

/** Whether a streamed answer ends with a usage chunk (`stream_options.include_usage`). */
export function includeUsage(request: ChatCompletionRequest): boolean {
  return request.stream && request.stream_options?.include_usage === true;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

/** A completion id, as OpenAI's look: `chatcmpl-` and 32 random hex digits. */
export function completionId(): string {
  return `chatcmpl-${randomUUID().replaceAll("-", "")}`;
}

/** assay's non-standard field on a response: the session the turn went to (and the turn's number, when given). */
export interface AssayResponseField {
  session: string;
  turn?: number;
}

export interface CompletionResponseInput {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
  text: string;
  finishReason: ChatFinishReason;
  promptTokens: number;
  completionTokens: number;
  sessionId: string;
  /** The turn's number in the session (added to `assay`). */
  turn?: number;
}

/** A non-streamed answer: OpenAI's `ChatCompletion`, plus `assay: {session, turn?}`. */
export type AssayChatCompletion = ChatCompletion & { assay: AssayResponseField };

/**
 * A non-streamed answer.
 *
 * @example
 * completionResponse({ id: completionId(), created: 1700000000, model: "local", text: "Hello!", finishReason: "stop",
 *   promptTokens: 12, completionTokens: 3, sessionId: "ss_…" });
 */
export function completionResponse(input: CompletionResponseInput): AssayChatCompletion {
  return {
    id: input.id,
    object: "chat.completion",
    created: input.created,
    model: input.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: input.text, refusal: null },
        logprobs: null,
        finish_reason: input.finishReason,
      },
    ],
    usage: usage(input.promptTokens, input.completionTokens),
    assay: assayField(input.sessionId, input.turn),
  };
}

export interface CompletionChunkInput {
  id: string;
  /** Unix seconds; the same in every chunk of a stream. */
  created: number;
  model: string;
  /** A piece of the reply's text. */
  delta?: string;
  /** The first chunk: `delta.role = "assistant"` (with `content: ""` when no text comes with it, as OpenAI sends). */
  role?: true;
  /** The last chunk: why the reply ended. */
  finishReason?: ChatFinishReason;
  /** Adds `assay: {session, turn?}` (worth sending on the first chunk: a streaming client seldom reads headers). */
  sessionId?: string;
  turn?: number;
  /** `usage: null`, as OpenAI sends on every chunk but the usage chunk when `stream_options.include_usage` is set. */
  nullUsage?: boolean;
}

/** A stream chunk: OpenAI's `ChatCompletionChunk`, plus `assay` when a session was given. */
export type AssayChatCompletionChunk = ChatCompletionChunk & { assay?: AssayResponseField };

/**
 * One chunk of a streamed answer.
 *
 * @example
 * completionChunk({ id, created, model, role: true, sessionId }); // delta {role: "assistant", content: ""}
 * completionChunk({ id, created, model, delta: "Hel" });          // delta {content: "Hel"}
 * completionChunk({ id, created, model, finishReason: "stop" });  // delta {}, finish_reason "stop"
 */
export function completionChunk(input: CompletionChunkInput): AssayChatCompletionChunk {
  const delta: ChatCompletionChunk.Choice.Delta = {};
  if (input.role === true) delta.role = "assistant";
  if (input.delta !== undefined) delta.content = input.delta;
  else if (input.role === true) delta.content = "";
  const chunk: AssayChatCompletionChunk = {
    id: input.id,
    object: "chat.completion.chunk",
    created: input.created,
    model: input.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: input.finishReason ?? null }],
  };
  if (input.nullUsage === true) chunk.usage = null;
  if (input.sessionId !== undefined) chunk.assay = assayField(input.sessionId, input.turn);
  return chunk;
}

export interface UsageChunkInput {
  id: string;
  created: number;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

/** The usage chunk that ends a stream when `stream_options.include_usage` is set: no choices, and the usage. */
export function usageChunk(input: UsageChunkInput): ChatCompletionChunk {
  return {
    id: input.id,
    object: "chat.completion.chunk",
    created: input.created,
    model: input.model,
    choices: [],
    usage: usage(input.promptTokens, input.completionTokens),
  };
}

/** One server-sent event carrying `value` as JSON. */
export function sseEvent(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

function usage(promptTokens: number, completionTokens: number): CompletionUsage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

function assayField(session: string, turn: number | undefined): AssayResponseField {
  return turn === undefined ? { session } : { session, turn };
}

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

/** OpenAI's error body. The openai client picks its `APIError` subclass by status and exposes these fields. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * OpenAI's error `type` for a status: `invalid_request_error` for the caller's mistakes (400, 404, 409, 413, 422 —
 * OpenAI itself answers a missing model with a 404 of this type), `authentication_error` (401), `permission_error`
 * (403), `rate_limit_error` (429), `server_error` (5xx).
 */
export function openAiErrorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/**
 * An error body in OpenAI's shape; send it with `status` (the openai client raises `BadRequestError` for 400,
 * `AuthenticationError` 401, `PermissionDeniedError` 403, `NotFoundError` 404, `ConflictError` 409 — which it
 * retries, as suits a turn that lost a race —, `RateLimitError` 429, `InternalServerError` 5xx).
 *
 * @example
 * openAiError(404, "session ss_… not found", "session_not_found");
 * // { error: { message: "session ss_… not found", type: "invalid_request_error", param: null, code: "session_not_found" } }
 */
export function openAiError(status: number, message: string, code: string | null = null, param: string | null = null): OpenAiErrorBody {
  return { error: { message, type: openAiErrorType(status), param, code } };
}

/**
 * Any thrown value as a status and OpenAI's error body: a {@link ChatCompletionRequestError} is a 400 with its
 * `param`; a zod failure a 400; assay's errors keep their status and code (a retryable engine failure is a 503);
 * Hono's own (a malformed JSON body) keep theirs; anything else is a 500 that hides its internals (log it first).
 */
export function toOpenAiError(error: unknown): { status: number; body: OpenAiErrorBody } {
  if (error instanceof ChatCompletionRequestError) {
    return { status: 400, body: openAiError(400, error.message, error.code, error.param) };
  }
  if (error instanceof z.ZodError) return toOpenAiError(requestErrorFromZod(error));
  if (error instanceof EngineError) {
    const status = error.retryable ? 503 : 502;
    return { status, body: openAiError(status, error.message, error.code) };
  }
  if (error instanceof AssayError) {
    return { status: error.status, body: openAiError(error.status, error.message, error.code) };
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    return { status, body: openAiError(status, error.message || "bad request", status === 400 ? "invalid_request" : `http_${status}`) };
  }
  return { status: 500, body: openAiError(500, "internal error", "internal_error") };
}
