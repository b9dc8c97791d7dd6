import { ValidationError } from "../errors.js";

/** Why a template failed: its source does not parse, it failed while rendering, or it refused the conversation. */
export type ChatTemplateFailure = "syntax" | "render" | "rejected";

/**
 * A chat template could not turn a conversation into text. A 400: the template or the conversation came with the
 * request. `failure` tells the three causes apart, so a caller can say "your template is broken" or "your messages
 * are in an order this model does not accept".
 *
 * @example
 * throw new ChatTemplateError("rejected", "chat template rejected the conversation: roles must alternate", { template: "llama-2" });
 */
export class ChatTemplateError extends ValidationError {
  constructor(
    readonly failure: ChatTemplateFailure,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, { failure, ...details }, options);
  }
}

/**
 * The error for a message whose role a template does not know. Types rule this out; data parsed without
 * `ChatMessageSchema` may not.
 *
 * @example
 * default: throw unknownRole("tulu", message.role);
 */
export function unknownRole(template: string, role: unknown): ChatTemplateError {
  return new ChatTemplateError(
    "rejected",
    `chat template "${template}" supports the roles system, user and assistant; got ${JSON.stringify(role)}`,
    { template, role },
  );
}
