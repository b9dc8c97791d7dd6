/**
 * `tulu`: open-instruct's `create_prompt_with_tulu_chat_format` (github.com/allenai/open-instruct, `eval/templates.py`),
 * the function MTI-Bench's inference scripts import (REFERENCE.md §3):
 * - system `<|system|>\n{content}\n`, user `<|user|>\n{content}\n` (content as it is);
 * - assistant `<|assistant|>\n{content.strip()}</s>\n` — the reference strips the reply and ends it with the EOS text
 *   and a newline, and so does its training-side twin (`encode_with_messages_format`); `</s>` is its default `eos`
 *   (Tulu 1/2 are Llama models);
 * - generation prompt `<|assistant|>\n` (the reference always appends it; here the flag decides).
 * The reference's optional leading `<s>` (`add_bos`) is not written: a single user turn must come out exactly as
 * `<|user|>\n{C}\n<|assistant|>\n`, and BOS is the tokenizer's business (pass `{ bos: true }` to `tokenize`).
 */
import type { ChatMessage, ChatTemplate, RenderOptions } from "./chat-template.js";
import { unknownRole } from "./chat-template-error.js";
import { pythonStrip } from "./python-strip.js";

const NAME = "tulu";
const EOS = "</s>";
const GENERATION_PROMPT = "<|assistant|>\n";

/**
 * The Tulu chat format.
 *
 * @example
 * tuluTemplate.render([{ role: "user", content: "C" }], { addGenerationPrompt: true }); // "<|user|>\nC\n<|assistant|>\n"
 */
export const tuluTemplate: ChatTemplate = {
  name: NAME,
  render(messages: readonly ChatMessage[], { addGenerationPrompt }: RenderOptions): string {
    const text = messages.map(turn).join("");
    return addGenerationPrompt ? text + GENERATION_PROMPT : text;
  },
};

function turn(message: ChatMessage): string {
  switch (message.role) {
    case "system":
      return `<|system|>\n${message.content}\n`;
    case "user":
      return `<|user|>\n${message.content}\n`;
    case "assistant":
      return `<|assistant|>\n${pythonStrip(message.content)}${EOS}\n`;
    default:
      throw unknownRole(NAME, (message as { role: unknown }).role);
  }
}
