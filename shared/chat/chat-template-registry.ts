/**
 * Finding a template: a built-in by name from one {@link Registry} (an unknown name fails listing the available
 * ones), or a model's own Jinja template from its spec.
 */
import type { JinjaChatTemplateSpec } from "../../schemas/chat-templates.js";
import { Registry } from "../registry.js";
import type { ChatTemplate } from "./chat-template.js";
import { chatmlTemplate } from "./chatml-template.js";
import { jinjaTemplate } from "./jinja-template.js";
import { llama2Template } from "./llama-2-template.js";
import { noneTemplate } from "./none-template.js";
import { tuluTemplate } from "./tulu-template.js";
import { vicunaTemplate } from "./vicuna-template.js";

/**
 * The built-in templates, in the order of `BUILTIN_CHAT_TEMPLATE_NAMES` (a test keeps the two equal).
 *
 * @example
 * builtinChatTemplates.names(); // ["vicuna", "tulu", "chatml", "llama-2", "none"]
 */
export const builtinChatTemplates = new Registry<ChatTemplate>("chat template");
for (const template of [vicunaTemplate, tuluTemplate, chatmlTemplate, llama2Template, noneTemplate]) {
  builtinChatTemplates.register(template.name, template);
}

/**
 * The template a spec names: a built-in name (see `BUILTIN_CHAT_TEMPLATE_NAMES`) or a Jinja template. An unknown name
 * is a ValidationError listing the built-ins; a Jinja template that does not parse is a ChatTemplateError. Names are
 * taken as plain strings because they come from configuration and requests; `ChatTemplateSpecSchema` checks them at
 * the edge.
 *
 * @example
 * chatTemplate("vicuna").render([{ role: "user", content: "Hi" }], { addGenerationPrompt: true }); // "USER: Hi\n\nASSISTANT:"
 * chatTemplate({ jinja: "{{ bos_token }}{{ messages[0].content }}", bosToken: "<s>" });
 */
export function chatTemplate(spec: string | JinjaChatTemplateSpec): ChatTemplate {
  return typeof spec === "string" ? builtinChatTemplates.get(spec) : jinjaTemplate(spec);
}

