/**
 * `llama-2`: Meta's Llama 2 chat format, as the reference `chat_completion` builds it (github.com/facebookresearch/llama,
 * `llama/generation.py`) and as the Hugging Face template of `meta-llama/Llama-2-*-chat-hf` writes it as text:
 * - a leading system message is folded into the first user message: `<<SYS>>\n{system}\n<</SYS>>\n\n{user}`;
 * - each user message is `<s>[INST] {content.strip()} [/INST]`, each assistant reply ` {content.strip()} </s>`; Meta
 *   encodes every user+assistant exchange with its own BOS and EOS, so BOS starts every `[INST]`, not only the first;
 * - roles must alternate user/assistant starting with user (Meta asserts it, HF raises); a system message may only
 *   come first and must be followed by a user message;
 * - the generation prompt is empty: the model answers right after `[/INST]`, as in Meta's reference.
 * BOS and EOS are written as the text `<s>` and `</s>` (byte for byte what the HF template renders). assay tokenizes
 * without adding a BOS, so leaving the first one to the tokenizer would drop it; a tokenizer that parses special-token
 * text turns both into Meta's ids. Do not also tokenize with `{ bos: true }`.
 */
import type { ChatMessage, ChatTemplate, RenderOptions } from "./chat-template.js";
import { ChatTemplateError, unknownRole } from "./chat-template-error.js";
import { pythonStrip } from "./python-strip.js";

const NAME = "llama-2";
const BOS = "<s>";
const EOS = "</s>";
const B_SYS = "<<SYS>>\n";
const E_SYS = "\n<</SYS>>\n\n";
/** HF's wording, so an error reads the same whichever renders the template. */
const ALTERNATE = "Conversation roles must alternate user/assistant/user/assistant/...";

/**
 * The Llama 2 chat format.
 *
 * @example
 * llama2Template.render(
 *   [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
 *   { addGenerationPrompt: true },
 * ); // "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]"
 */
export const llama2Template: ChatTemplate = {
  name: NAME,
  render(messages: readonly ChatMessage[], _options: RenderOptions): string {
    return foldSystem(messages)
      .map((message, i) => {
        if (message.role !== "user" && message.role !== "assistant") {
          if (message.role === "system") throw rejected("a system message may only come first");
          throw unknownRole(NAME, (message as { role: unknown }).role);
        }
        if ((message.role === "user") !== (i % 2 === 0)) throw rejected(ALTERNATE);
        return message.role === "user"
          ? `${BOS}[INST] ${pythonStrip(message.content)} [/INST]`
          : ` ${pythonStrip(message.content)} ${EOS}`;
      })
      .join("");
  },
};

function foldSystem(messages: readonly ChatMessage[]): readonly ChatMessage[] {
  const [first, second, ...rest] = messages;
  if (first?.role !== "system") return messages;
  // Meta's reference indexes dialog[1] here; open-instruct asserts "cannot start with a single system message".
  if (second?.role !== "user") throw rejected("a system message must be followed by a user message");
  return [{ role: "user", content: B_SYS + first.content + E_SYS + second.content }, ...rest];
}

function rejected(reason: string): ChatTemplateError {
  return new ChatTemplateError("rejected", `chat template "${NAME}" rejected the conversation: ${reason}`, {
    template: NAME,
  });
}
