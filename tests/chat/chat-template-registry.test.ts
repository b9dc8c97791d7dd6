import { describe, expect, it } from "vitest";
import {
  BUILTIN_CHAT_TEMPLATE_NAMES,
  ChatMessageSchema,
  ChatTemplateSpecSchema,
  MAX_JINJA_TEMPLATE_CHARS,
} from "../../schemas/chat-templates.js";
import { builtinChatTemplates, chatTemplate } from "../../shared/chat/chat-template-registry.js";
import { ChatTemplateError } from "../../shared/chat/chat-template-error.js";
import { ValidationError } from "../../shared/errors.js";

describe("chatTemplate(spec)", () => {
  it("should find every built-in by the name the schema allows", () => {
    expect(builtinChatTemplates.names()).toEqual([...BUILTIN_CHAT_TEMPLATE_NAMES]);
    for (const name of BUILTIN_CHAT_TEMPLATE_NAMES) expect(chatTemplate(name).name).toBe(name);
  });

  it("should refuse an unknown name with the list of what is available", () => {
    let error: unknown;
    try {
      chatTemplate("vicunna");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(
      'chat template "vicunna" is not available; available: vicuna, tulu, chatml, llama-2, none',
    );
    expect((error as ValidationError).details).toEqual({ chatTemplate: "vicunna", available: [...BUILTIN_CHAT_TEMPLATE_NAMES] });
  });

  it("should build a Jinja template from its spec and refuse one that does not parse", () => {
    const t = chatTemplate({ jinja: "{{ bos_token }}{{ messages[0].content }}{{ eos_token }}", bosToken: "<s>", eosToken: "</s>" });
    expect(t.render([{ role: "user", content: "x" }], { addGenerationPrompt: false })).toBe("<s>x</s>");
    expect(() => chatTemplate({ jinja: "{% if %}" })).toThrow(ChatTemplateError);
  });
});

describe("ChatTemplateSpecSchema", () => {
  it("should accept a built-in name or a Jinja template", () => {
    expect(ChatTemplateSpecSchema.parse("llama-2")).toBe("llama-2");
    expect(ChatTemplateSpecSchema.parse({ jinja: "{{ x }}", eosToken: "</s>" })).toEqual({ jinja: "{{ x }}", eosToken: "</s>" });
  });

  it("should reject an unknown name, an empty or oversized template and unknown keys", () => {
    expect(ChatTemplateSpecSchema.safeParse("vicunna").success).toBe(false);
    expect(ChatTemplateSpecSchema.safeParse({ jinja: "" }).success).toBe(false);
    expect(ChatTemplateSpecSchema.safeParse({ jinja: "x".repeat(MAX_JINJA_TEMPLATE_CHARS) }).success).toBe(true);
    expect(ChatTemplateSpecSchema.safeParse({ jinja: "x".repeat(MAX_JINJA_TEMPLATE_CHARS + 1) }).success).toBe(false);
    // A snake_case token name is a typo for bosToken, not something to ignore.
    expect(ChatTemplateSpecSchema.safeParse({ jinja: "{{ x }}", bos_token: "<s>" }).success).toBe(false);
  });

  it("should take only the three roles in a message", () => {
    expect(ChatMessageSchema.safeParse({ role: "assistant", content: "" }).success).toBe(true);
    expect(ChatMessageSchema.safeParse({ role: "tool", content: "x" }).success).toBe(false);
  });
});
