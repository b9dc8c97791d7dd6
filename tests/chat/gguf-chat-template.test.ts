import { readGgufFileInfo } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { sharedFile } from "../../shared/config/shared-files.js";
import { chatTemplate } from "../../shared/chat/chat-template-registry.js";
import { ggufChatTemplate, ggufChatTemplateSpec } from "../../shared/chat/gguf-chat-template.js";

const CHATML_JINJA =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

/** The shape node-llama-cpp gives in `model.fileInfo.metadata`. */
const NESTED = {
  general: { architecture: "llama" },
  tokenizer: {
    ggml: { model: "gpt2", tokens: ["<unk>", "<|im_start|>", "<|im_end|>"], bos_token_id: 1, eos_token_id: 2 },
    chat_template: CHATML_JINJA,
    "chat_template.tool_use": "{{ 'tools' }}",
  },
};

/** The shape gguf-py and @huggingface/gguf list: one entry per GGUF key. */
const FLAT = {
  "general.architecture": "llama",
  "tokenizer.ggml.tokens": ["<unk>", "<s>", "</s>"],
  "tokenizer.ggml.bos_token_id": 1,
  "tokenizer.ggml.eos_token_id": 2,
  "tokenizer.chat_template": CHATML_JINJA,
};

describe("ggufChatTemplate", () => {
  it("should read tokenizer.chat_template from nested and flat metadata", () => {
    expect(ggufChatTemplate(NESTED)).toBe(CHATML_JINJA);
    expect(ggufChatTemplate(FLAT)).toBe(CHATML_JINJA);
    expect(ggufChatTemplate(NESTED, "tool_use")).toBe("{{ 'tools' }}");
    expect(ggufChatTemplate({ "tokenizer.chat_template.tool_use": "t" }, "tool_use")).toBe("t");
  });

  it("should give null when there is no usable template", () => {
    for (const metadata of [
      {},
      null,
      "tokenizer.chat_template",
      { tokenizer: { ggml: { tokens: [] } } },
      { tokenizer: { chat_template: "" } },
      { "tokenizer.chat_template": 42 },
    ]) {
      expect(ggufChatTemplate(metadata)).toBeNull();
    }
    expect(ggufChatTemplate(NESTED, "rag")).toBeNull();
  });

  it("should give the template with its BOS and EOS text, ready to render", () => {
    expect(ggufChatTemplateSpec(NESTED)).toEqual({ jinja: CHATML_JINJA, bosToken: "<|im_start|>", eosToken: "<|im_end|>" });
    expect(ggufChatTemplateSpec(FLAT)).toEqual({ jinja: CHATML_JINJA, bosToken: "<s>", eosToken: "</s>" });
    expect(ggufChatTemplateSpec({ tokenizer: { chat_template: "x" } })).toEqual({ jinja: "x" });
    expect(ggufChatTemplateSpec({ tokenizer: { ggml: { tokens: ["a"], bos_token_id: 0 } } })).toBeNull();
    const spec = ggufChatTemplateSpec(NESTED)!;
    expect(chatTemplate(spec).render([{ role: "user", content: "hi" }], { addGenerationPrompt: true })).toBe(
      "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("should find no template in the test model stories260K.gguf", async () => {
    // A base model converted from llama2.c: its metadata has tokenizer.ggml.* and no chat template.
    const info = await readGgufFileInfo(sharedFile("models/stories260K.gguf"), { readTensorInfo: false });
    expect(ggufChatTemplate(info.metadata)).toBeNull();
    expect(ggufChatTemplateSpec(info.metadata)).toBeNull();
  });
});
