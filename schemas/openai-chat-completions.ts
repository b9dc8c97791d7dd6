/**
 * `POST /v1/chat/completions`: OpenAI's chat completions request, as far as a SirLLM chat session can honour it. The
 * session keeps its memory server-side, so of `messages` only the last (the user's new turn) and a system prompt
 * (for a new session) are used; the rest of the history is accepted and ignored. Unknown fields are accepted and
 * ignored (clients send many: `tools`, `response_format`, `metadata`, ...); fields whose meaning a session cannot
 * honour (`n` > 1, roles other than system/developer/user/assistant, non-text content) are refused with a message
 * that says why. The wire helpers live in `shared/sirllm/openai/chat-completions-wire.ts`.
 *
 * Optional fields also accept `null` (OpenAI's API does, and several clients send it).
 */
import { z } from "zod";
import { MemoryPolicyNameSchema } from "./sirllm-memory.js";
import { EntropyPresetSchema, MemoryLevelSchema } from "./sirllm-sessions.js";

/** The roles a session accepts; `developer` is OpenAI's newer name for `system` and is treated as one. */
export const CHAT_COMPLETION_ROLES = ["system", "developer", "user", "assistant"] as const;
export type ChatCompletionRole = (typeof CHAT_COMPLETION_ROLES)[number];

/** Most stop strings OpenAI accepts. */
export const MAX_STOP_STRINGS = 4;

export const ChatCompletionRoleSchema = z.enum(CHAT_COMPLETION_ROLES, {
  error: (issue) =>
    issue.input === undefined
      ? "each message needs a role: system, developer, user or assistant"
      : `role ${JSON.stringify(issue.input)} is not supported: messages are system, developer, user or assistant ` +
        "(tool and function messages are not: a SirLLM session has no tools)",
});

/** `{type: "text", text}`: the only content part a session reads. */
export const ChatCompletionTextPartSchema = z.looseObject({
  type: z.literal("text", {
    error: (issue) =>
      `content part type ${JSON.stringify(issue.input)} is not supported: only {type: "text", text} parts are ` +
      "(no images, audio, files or refusals)",
  }),
  text: z.string({ error: "a text content part needs its text as a string" }),
});
export type ChatCompletionTextPart = z.infer<typeof ChatCompletionTextPartSchema>;

/** A message's content: a string, or text parts (joined with "" when read). */
export const ChatCompletionContentSchema = z.union([z.string(), z.array(ChatCompletionTextPartSchema)], {
  error: "content must be a string or an array of {type: \"text\", text} parts",
});
export type ChatCompletionContent = z.infer<typeof ChatCompletionContentSchema>;

/** One message. Other fields of a message (`name`, ...) are accepted and ignored. */
export const ChatCompletionMessageSchema = z.looseObject(
  { role: ChatCompletionRoleSchema, content: ChatCompletionContentSchema },
  { error: "each message must be an object with a role and content" },
);
export type ChatCompletionMessageParam = z.infer<typeof ChatCompletionMessageSchema>;

const uint32 = (what: string) =>
  z.number().int(`${what} must be an integer`).min(0, `${what} must be ≥ 0`).max(0xffffffff, `${what} must be < 2^32`);

/**
 * assay's own field: the memory settings of a session created by this request (no `X-Assay-Session` header).
 * Only types are checked here; the caller checks them against the engine (sinks < cacheSize ≤ context, the template
 * exists, ...). Ignored when the request names an existing session.
 */
const ASSAY_SETTING_NAMES = "policy, cacheSize, sinks, decay, seed, entropy, memoryLevel, template";

export const ChatCompletionAssaySettingsSchema = z.strictObject(
  {
    policy: MemoryPolicyNameSchema.optional(),
    cacheSize: z.number().int("cacheSize must be an integer").min(1, "cacheSize must be at least 1").optional(),
    sinks: z.number().int("sinks must be an integer").min(0, "sinks must be ≥ 0").optional(),
    decay: z.number().gt(0, "decay must be > 0").max(1, "decay must be ≤ 1").optional(),
    seed: uint32("seed").optional(),
    entropy: EntropyPresetSchema.optional(),
    memoryLevel: MemoryLevelSchema.optional(),
    template: z.string().min(1, "template must name a chat template").optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown session setting${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}: ` +
          `assay takes ${ASSAY_SETTING_NAMES}`
        : `assay must be an object of session settings (${ASSAY_SETTING_NAMES})`,
  },
);
export type ChatCompletionAssaySettings = z.infer<typeof ChatCompletionAssaySettingsSchema>;

const tokenBudget = (what: string) => z.number().int(`${what} must be an integer`).min(0, `${what} must be ≥ 0`).nullish();

/**
 * The request body. `max_completion_tokens` wins over `max_tokens` (the older name); `stream` defaults to false.
 *
 * @example
 * ChatCompletionRequestSchema.parse({ model: "local", messages: [{ role: "user", content: "hi" }], max_tokens: 64 });
 */
export const ChatCompletionRequestSchema = z.looseObject(
  {
    /** Names the engine. */
    model: z.string({ error: "model is required: the name of an engine" }).min(1, "model is required: the name of an engine"),
    messages: z
      .array(ChatCompletionMessageSchema, { error: "messages must be an array of messages" })
      .min(1, "messages must hold at least the user's new turn"),
    stream: z
      .boolean({ error: "stream must be true or false" })
      .nullish()
      .transform((v) => v ?? false),
    stream_options: z
      .looseObject({ include_usage: z.boolean({ error: "stream_options.include_usage must be true or false" }).nullish() })
      .nullish(),
    max_tokens: tokenBudget("max_tokens"),
    max_completion_tokens: tokenBudget("max_completion_tokens"),
    temperature: z.number().min(0, "temperature must be ≥ 0").max(2, "temperature must be ≤ 2").nullish(),
    top_p: z.number().gt(0, "top_p must be > 0").max(1, "top_p must be ≤ 1").nullish(),
    seed: z.number().int("seed must be an integer").nullish(),
    stop: z
      .union(
        [
          z.string(),
          z.array(z.string()).max(MAX_STOP_STRINGS, `stop takes at most ${MAX_STOP_STRINGS} strings`),
        ],
        { error: `stop must be a string or an array of at most ${MAX_STOP_STRINGS} strings` },
      )
      .nullish(),
    n: z
      .number({ error: "n must be 1" })
      .refine((n) => n === 1, {
        error: (issue) => `n = ${String(issue.input)} is not supported: a session answers each turn once, so only n = 1 is`,
      })
      .nullish(),
    /** OpenAI's end-user id; accepted and ignored. */
    user: z.string().nullish(),
    assay: ChatCompletionAssaySettingsSchema.nullish(),
  },
  { error: "the body must be a JSON object" },
);
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;
export type ChatCompletionRequestInput = z.input<typeof ChatCompletionRequestSchema>;
