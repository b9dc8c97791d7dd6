/**
 * Chat templates for MTI-Bench prompts. Every prompt the authors send is one user turn, so a template is a function of
 * that turn's content: `tulu` (the authors' format, the default), `none` (the content as it is, for engines that take
 * chat messages or raw text), and any conversation template of `shared/chat/` — a model's own Jinja template
 * included — through {@link fromChatTemplate}.
 *
 * What the authors' code does (guijinSON/MTI-Bench @ 05ddd6a, inference/*.py): every prompt goes through
 * `create_prompt_with_tulu_chat_format([{"role": "user", "content": C}])` from open-instruct's `eval/templates.py`,
 * which builds `"<|user|>\n" + C + "\n" + "<|assistant|>\n"` — no strip() — and, called with its defaults
 * (`bos="<s>", add_bos=True`), puts the text `<s>` in front. A Llama tokenizer reads that text as the BOS token, and
 * `generate_completions(…, add_special_tokens=True)` adds its own BOS as well. REFERENCE.md §3 defines the template
 * without the `<s>`: the BOS is the engine's tokenizer's business, not the prompt text's.
 */
import type { ChatTemplate } from "../../chat/chat-template.js";
import { noneTemplate } from "../../chat/none-template.js";
import { tuluTemplate } from "../../chat/tulu-template.js";
import { Registry } from "../../registry.js";

/** A chat template: the prompt text for one user turn, ending where the assistant's answer begins. */
export interface MtiChatTemplate {
  /** The name results record, e.g. "tulu". */
  readonly name: string;
  render(userContent: string): string;
}

/**
 * The Tulu chat format: `<|user|>\n{C}\n<|assistant|>\n`.
 *
 * @example
 * tuluChatTemplate.render("hi"); // "<|user|>\nhi\n<|assistant|>\n"
 */
export const tuluChatTemplate: MtiChatTemplate = fromChatTemplate(tuluTemplate);

/** No template: the user content itself (for a chat API, or to look at the content alone). */
export const plainChatTemplate: MtiChatTemplate = fromChatTemplate(noneTemplate);

/** The templates assay renders by name without a model. */
export const mtiChatTemplates = new Registry<MtiChatTemplate>("chat template");
mtiChatTemplates.register(tuluChatTemplate.name, tuluChatTemplate);
mtiChatTemplates.register(plainChatTemplate.name, plainChatTemplate);

/**
 * A template by name; an unknown name is a ValidationError listing the available ones.
 *
 * @example
 * mtiChatTemplate("none").render("x"); // "x"
 */
export function mtiChatTemplate(name: string): MtiChatTemplate {
  return mtiChatTemplates.get(name);
}

/**
 * Any conversation template (`shared/chat/`: a built-in, or a model's own Jinja template) as an MTI template: the one
 * user message, then the generation prompt.
 *
 * @example
 * fromChatTemplate(chatTemplate({ jinja: modelTemplate, bosToken: "<s>" })).render(content);
 */
export function fromChatTemplate(template: ChatTemplate): MtiChatTemplate {
  return {
    name: template.name,
    render: (content) => template.render([{ role: "user", content }], { addGenerationPrompt: true }),
  };
}
