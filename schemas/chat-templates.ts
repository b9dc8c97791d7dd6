/**
 * Chat templates: the messages a template renders and the spec that picks one — a built-in by name, or a model's own
 * Jinja template (as carried in GGUF metadata `tokenizer.chat_template` or a HF `tokenizer_config.json`). The
 * renderers live in `shared/chat/`.
 */
import { z } from "zod";

/** The roles every template understands. Tool calls are out of scope: no method in REFERENCE.md uses them. */
export const CHAT_ROLES = ["system", "user", "assistant"] as const;

export const ChatRoleSchema = z.enum(CHAT_ROLES, { error: () => `expected one of: ${CHAT_ROLES.join(", ")}` });
export type ChatRole = z.infer<typeof ChatRoleSchema>;

/**
 * One chat message.
 *
 * @example
 * ChatMessageSchema.parse({ role: "user", content: "hi" });
 */
export const ChatMessageSchema = z.strictObject({ role: ChatRoleSchema, content: z.string() });
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** The built-in templates, in the order an unknown name lists them (see `shared/chat/chat-template-registry.ts`). */
export const BUILTIN_CHAT_TEMPLATE_NAMES = ["vicuna", "tulu", "chatml", "llama-2", "none"] as const;

/**
 * A built-in template's name.
 *
 * @example
 * BuiltinChatTemplateNameSchema.parse("tulu");
 */
export const BuiltinChatTemplateNameSchema = z.enum(BUILTIN_CHAT_TEMPLATE_NAMES, {
  error: () => `expected one of: ${BUILTIN_CHAT_TEMPLATE_NAMES.join(", ")}`,
});
export type BuiltinChatTemplateName = z.infer<typeof BuiltinChatTemplateNameSchema>;

/**
 * Most characters a Jinja template may have. Real templates are a few hundred characters (Llama 2, ChatML) up to a
 * few tens of thousands (tool-calling templates); the cap only stops a request from smuggling megabytes into a parse.
 */
export const MAX_JINJA_TEMPLATE_CHARS = 65_536;

/** Most characters of a BOS/EOS token's text; real ones are a handful (`<s>`, `<|endoftext|>`). */
export const MAX_SPECIAL_TOKEN_CHARS = 256;

/**
 * A model's own Jinja chat template, with the text of its BOS and EOS tokens (the template's `bos_token` and
 * `eos_token`). Leave a token out when the model has none: a template that uses it then fails with a clear error
 * instead of silently rendering nothing in its place.
 *
 * @example
 * JinjaChatTemplateSpecSchema.parse({ jinja: "{% for m in messages %}{{ m.content }}{% endfor %}", eosToken: "</s>" });
 */
export const JinjaChatTemplateSpecSchema = z.strictObject({
  jinja: z
    .string()
    .min(1, "jinja must be a non-empty template")
    .max(MAX_JINJA_TEMPLATE_CHARS, `jinja templates are at most ${MAX_JINJA_TEMPLATE_CHARS} characters`),
  bosToken: z.string().max(MAX_SPECIAL_TOKEN_CHARS).optional(),
  eosToken: z.string().max(MAX_SPECIAL_TOKEN_CHARS).optional(),
});
export type JinjaChatTemplateSpec = z.infer<typeof JinjaChatTemplateSpecSchema>;

/**
 * Which template renders a conversation: a built-in name or a Jinja template.
 *
 * @example
 * ChatTemplateSpecSchema.parse("vicuna");
 * ChatTemplateSpecSchema.parse({ jinja: "{{ messages[0].content }}" });
 */
export const ChatTemplateSpecSchema = z.union([BuiltinChatTemplateNameSchema, JinjaChatTemplateSpecSchema]);
export type ChatTemplateSpec = z.infer<typeof ChatTemplateSpecSchema>;
