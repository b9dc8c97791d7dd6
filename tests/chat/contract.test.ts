import { describe, expect, it } from "vitest";
import { BUILTIN_CHAT_TEMPLATE_NAMES } from "../../schemas/chat-templates.js";
import type { ChatMessage, ChatTemplate } from "../../shared/chat/chat-template.js";
import { chatTemplate } from "../../shared/chat/chat-template-registry.js";

/**
 * What every template promises, built-in or Jinja: the generation prompt only appends, the text is a function of the
 * input, and no message's content is lost.
 */
const TEMPLATES: [string, ChatTemplate][] = [
  ...BUILTIN_CHAT_TEMPLATE_NAMES.map((name): [string, ChatTemplate] => [name, chatTemplate(name)]),
  [
    "jinja (ChatML)",
    chatTemplate({
      jinja:
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}" +
        "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
    }),
  ],
];

const CONVERSATIONS: ChatMessage[][] = [
  [{ role: "user", content: "Hi there" }],
  [
    { role: "user", content: "What is 2+2?" },
    { role: "assistant", content: "4" },
    { role: "user", content: "And 3+3?" },
  ],
  [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Hi there" },
  ],
];

describe.each(TEMPLATES)("chat template contract: %s", (_, template) => {
  it("should only append when the generation prompt is asked for", () => {
    for (const messages of CONVERSATIONS) {
      const without = template.render(messages, { addGenerationPrompt: false });
      expect(template.render(messages, { addGenerationPrompt: true }).startsWith(without)).toBe(true);
    }
  });

  it("should render the same conversation to the same text", () => {
    for (const messages of CONVERSATIONS) {
      const copy = messages.map((m) => ({ ...m }));
      expect(template.render(copy, { addGenerationPrompt: true })).toBe(template.render(messages, { addGenerationPrompt: true }));
    }
  });

  it("should keep every message's content, in order", () => {
    for (const messages of CONVERSATIONS) {
      const text = template.render(messages, { addGenerationPrompt: true });
      let from = 0;
      for (const m of messages) {
        const at = text.indexOf(m.content, from);
        expect(at, `${JSON.stringify(m.content)} in ${JSON.stringify(text)}`).toBeGreaterThanOrEqual(from);
        from = at + m.content.length;
      }
    }
  });
});
