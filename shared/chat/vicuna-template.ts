/**
 * `vicuna`: the layout SirLLM's authors ran (github.com/Zoeyyao27/SirLLM @ 4c95578, `sir_llm/eval_utils.py`). Each
 * turn there is `"USER: " + q + "\n\nASSISTANT: "`; `_encode_pair` moves the trailing space onto the continuation, so
 * the context is `USER: {q}\n\nASSISTANT:` and the answer is ` {a}` (REFERENCE.md §2). The authors' code has no system
 * message and no separator token between turns: each turn is tokenized on its own (no special tokens) and appended to
 * the KV cache, so a Llama/Vicuna SentencePiece tokenizer puts its word-start `▁` before every turn's `USER`.
 *
 * Layout here, so that one string tokenizes to what the authors' model saw:
 * - user `USER: {content}`, assistant `ASSISTANT: {content}`, system `{content}`;
 * - after a user message comes `\n\n` (the authors' gap before `ASSISTANT:`); after an assistant or system message a
 *   single space (the `▁` of the next separately tokenized turn; FastChat's vicuna_v1.1 also puts a space after the
 *   system prompt, though it ends assistant turns with `</s>`, which the authors never add);
 * - the generation prompt is `ASSISTANT:` after that separator.
 * No default system prompt (FastChat's "A chat between a curious user…"): the authors send none.
 */
import type { ChatMessage, ChatTemplate, RenderOptions } from "./chat-template.js";
import { unknownRole } from "./chat-template-error.js";

const NAME = "vicuna";
const GENERATION_PROMPT = "ASSISTANT:";

/**
 * The `vicuna` template as SirLLM's authors ran it.
 *
 * @example
 * vicunaTemplate.render([{ role: "user", content: "Hi" }], { addGenerationPrompt: true }); // "USER: Hi\n\nASSISTANT:"
 * vicunaTemplate.render(
 *   [{ role: "user", content: "Hi" }, { role: "assistant", content: "A" }, { role: "user", content: "And?" }],
 *   { addGenerationPrompt: true },
 * ); // "USER: Hi\n\nASSISTANT: A USER: And?\n\nASSISTANT:"
 */
export const vicunaTemplate: ChatTemplate = {
  name: NAME,
  render(messages: readonly ChatMessage[], { addGenerationPrompt }: RenderOptions): string {
    let text = "";
    messages.forEach((message, i) => {
      if (i > 0) text += separatorAfter(messages[i - 1]!);
      text += turn(message);
    });
    if (!addGenerationPrompt) return text;
    const last = messages.at(-1);
    return text + (last ? separatorAfter(last) : "") + GENERATION_PROMPT;
  },
};

function turn(message: ChatMessage): string {
  switch (message.role) {
    case "system":
      return message.content;
    case "user":
      return `USER: ${message.content}`;
    case "assistant":
      return `ASSISTANT: ${message.content}`;
    default:
      throw unknownRole(NAME, (message as { role: unknown }).role);
  }
}

function separatorAfter(message: ChatMessage): string {
  return message.role === "user" ? "\n\n" : " ";
}
