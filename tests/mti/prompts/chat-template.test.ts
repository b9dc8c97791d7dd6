import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../shared/errors.js";
import type { ChatTemplate } from "../../../shared/chat/chat-template.js";
import { fromChatTemplate, mtiChatTemplate, mtiChatTemplates, type MtiChatTemplate } from "../../../shared/mti/prompts/chat-template.js";
import { multiTaskPrompt } from "../../../shared/mti/prompts/multi-task-prompt.js";

describe("MTI chat templates", () => {
  it("should wrap content in the Tulu format by default and leave it bare under none", () => {
    expect(mtiChatTemplate("tulu").render("C")).toBe("<|user|>\nC\n<|assistant|>\n");
    expect(mtiChatTemplate("none").render("C")).toBe("C");
    expect(mtiChatTemplates.names()).toEqual(["tulu", "none"]);
  });

  it("should refuse an unknown name with the list of templates", () => {
    expect(() => mtiChatTemplate("llama2")).toThrow(ValidationError);
    expect(() => mtiChatTemplate("llama2")).toThrow('chat template "llama2" is not available; available: tulu, none');
  });

  it("should take a model's own template as just another template", () => {
    const chatml: MtiChatTemplate = { name: "model", render: (c) => `<|im_start|>user\n${c}<|im_end|>\n<|im_start|>assistant\n` };
    const instance = { uid: "001_1", task: "001", query: "Q", instructions: ["I"], contexts: [], answers: [{ raw: "1", value: 1 }] };
    expect(multiTaskPrompt({ sample: "S", instance }, chatml)).toBe(
      "<|im_start|>user\n### Example:\n\n### Instruction: S\n\n### Task:\n\n### Instruction: Q\n#1: I\n\n\n\n### Answer:\n\n<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("should turn a conversation template into a one-user-turn template with the generation prompt", () => {
    const seen: unknown[] = [];
    const conversation: ChatTemplate = {
      name: "jinja",
      render: (messages, options) => {
        seen.push({ messages, options });
        return `[${messages.map((m) => `${m.role}:${m.content}`).join("|")}]${options.addGenerationPrompt ? ">" : ""}`;
      },
    };
    const template = fromChatTemplate(conversation);
    expect(template.name).toBe("jinja");
    expect(template.render("C")).toBe("[user:C]>");
    expect(seen).toEqual([{ messages: [{ role: "user", content: "C" }], options: { addGenerationPrompt: true } }]);
  });
});
