/**
 * The one interface every chat template implements — the built-ins beside it (`vicuna-template.ts`,
 * `tulu-template.ts`, …) and a model's own Jinja template (`jinja-template.ts`) alike. Rendering is pure: text in,
 * text out, no tokenizer. Special tokens a format needs (`<s>`, `</s>`, `<|im_start|>`) are written as text, so the
 * tokenizer that reads the prompt must parse special-token text (HF tokenizers do; node-llama-cpp does only when
 * `tokenize(text, true)`).
 */
import type { ChatMessage } from "../../schemas/chat-templates.js";

export type { ChatMessage, ChatRole } from "../../schemas/chat-templates.js";

/** How to render. */
export interface RenderOptions {
  /**
   * End the text with the header the assistant's answer follows (`<|assistant|>\n`, `ASSISTANT:`), so a model
   * continues from it. Without it, the text ends with the last message.
   */
  readonly addGenerationPrompt: boolean;
}

/**
 * A chat template: a conversation in, prompt text out.
 *
 * @example
 * const tulu = chatTemplate("tulu");
 * tulu.render([{ role: "user", content: "hi" }], { addGenerationPrompt: true }); // "<|user|>\nhi\n<|assistant|>\n"
 */
export interface ChatTemplate {
  /** The name results record: a built-in's name, or "jinja" for a model's own template. */
  readonly name: string;
  /** The prompt text. Throws a ChatTemplateError when the template refuses the conversation. */
  render(messages: readonly ChatMessage[], options: RenderOptions): string;
}
