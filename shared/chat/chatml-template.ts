/**
 * `chatml`: OpenAI's ChatML as the Hugging Face ChatML templates write it (OpenHermes, Qwen, Yi-Chat):
 * `<|im_start|>{role}\n{content}<|im_end|>\n` per message, `<|im_start|>assistant\n` as the generation prompt, no
 * default system message, content as it is. SirLLM's authors build exactly this for Yi-Chat models
 * (`_construct_chat_template` in `sir_llm/eval_utils.py`).
 */
import type { ChatMessage, ChatTemplate, RenderOptions } from "./chat-template.js";
import { unknownRole } from "./chat-template-error.js";
import { CHAT_ROLES } from "../../schemas/chat-templates.js";

const NAME = "chatml";
const GENERATION_PROMPT = "<|im_start|>assistant\n";

/**
 * The ChatML format.
 *
 * @example
 * chatmlTemplate.render([{ role: "user", content: "hi" }], { addGenerationPrompt: true });
 * // "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
 */
export const chatmlTemplate: ChatTemplate = {
  name: NAME,
  render(messages: readonly ChatMessage[], { addGenerationPrompt }: RenderOptions): string {
    const text = messages.map(turn).join("");
    return addGenerationPrompt ? text + GENERATION_PROMPT : text;
  },
};

function turn(message: ChatMessage): string {
  // The role is written into the text, so an unexpected one would render silently: refuse it instead.
  if (!(CHAT_ROLES as readonly string[]).includes(message.role)) throw unknownRole(NAME, message.role);
  return `<|im_start|>${message.role}\n${message.content}<|im_end|>\n`;
}
