/**
 * `none`: no template — the contents joined as they are, nothing between them and no generation prompt. For base
 * models, for engines that apply a chat format themselves, and for prompts (NUGGETS, MTI-Bench's "none" preset) that
 * are already the whole text.
 */
import type { ChatMessage, ChatTemplate } from "./chat-template.js";

/**
 * No template.
 *
 * @example
 * noneTemplate.render([{ role: "user", content: "Instruction:\nx" }], { addGenerationPrompt: true }); // "Instruction:\nx"
 */
export const noneTemplate: ChatTemplate = {
  name: "none",
  render: (messages: readonly ChatMessage[]): string => messages.map((m) => m.content).join(""),
};
