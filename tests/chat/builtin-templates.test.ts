import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatTemplate } from "../../shared/chat/chat-template.js";
import { ChatTemplateError } from "../../shared/chat/chat-template-error.js";
import { chatTemplate } from "../../shared/chat/chat-template-registry.js";
import { ValidationError } from "../../shared/errors.js";

const ONE_TURN: ChatMessage[] = [{ role: "user", content: "Hi there" }];
const THREE_TURNS: ChatMessage[] = [
  { role: "user", content: "What is 2+2?" },
  { role: "assistant", content: "4" },
  { role: "user", content: "And 3+3?" },
];
const SYSTEM_AND_USER: ChatMessage[] = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "Hi there" },
];

const withPrompt = (t: ChatTemplate, m: ChatMessage[]) => t.render(m, { addGenerationPrompt: true });
const withoutPrompt = (t: ChatTemplate, m: ChatMessage[]) => t.render(m, { addGenerationPrompt: false });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

describe("vicuna (SirLLM's layout)", () => {
  const t = chatTemplate("vicuna");

  it("should render one user turn exactly as the authors' context", () => {
    expect(withPrompt(t, [{ role: "user", content: "q" }])).toBe("USER: q\n\nASSISTANT:");
    expect(withPrompt(t, ONE_TURN)).toBe("USER: Hi there\n\nASSISTANT:");
    expect(withoutPrompt(t, ONE_TURN)).toBe("USER: Hi there");
  });

  it("should render a user turn and its answer as the authors' context + continuation", () => {
    const context = withPrompt(t, [{ role: "user", content: "Pick one. Choices: (A) x (B) y" }]);
    const full = withoutPrompt(t, [
      { role: "user", content: "Pick one. Choices: (A) x (B) y" },
      { role: "assistant", content: "A" },
    ]);
    expect(full).toBe("USER: Pick one. Choices: (A) x (B) y\n\nASSISTANT: A");
    expect(full).toBe(context + " A");
  });

  it("should chain three turns with a space after the answer", () => {
    expect(withPrompt(t, THREE_TURNS)).toBe("USER: What is 2+2?\n\nASSISTANT: 4 USER: And 3+3?\n\nASSISTANT:");
    expect(withoutPrompt(t, THREE_TURNS)).toBe("USER: What is 2+2?\n\nASSISTANT: 4 USER: And 3+3?");
  });

  it("should put a system message in front, followed by a space", () => {
    expect(withPrompt(t, SYSTEM_AND_USER)).toBe("You are terse. USER: Hi there\n\nASSISTANT:");
  });
});

describe("tulu (open-instruct's format)", () => {
  const t = chatTemplate("tulu");

  it("should render one user turn exactly as MTI-Bench's prompt", () => {
    const C = "### Example:\n\n### Instruction: x\n\n### Answer:\n\n";
    expect(withPrompt(t, [{ role: "user", content: C }])).toBe(`<|user|>\n${C}\n<|assistant|>\n`);
    expect(withPrompt(t, ONE_TURN)).toBe("<|user|>\nHi there\n<|assistant|>\n");
    expect(withoutPrompt(t, ONE_TURN)).toBe("<|user|>\nHi there\n");
  });

  it("should end an assistant reply with </s> and a newline, stripped as the reference does", () => {
    expect(withPrompt(t, THREE_TURNS)).toBe(
      "<|user|>\nWhat is 2+2?\n<|assistant|>\n4</s>\n<|user|>\nAnd 3+3?\n<|assistant|>\n",
    );
    expect(withoutPrompt(t, [{ role: "user", content: " q " }, { role: "assistant", content: " \u00854\n" }])).toBe(
      "<|user|>\n q \n<|assistant|>\n4</s>\n",
    );
  });

  it("should render a system message as <|system|>", () => {
    expect(withPrompt(t, SYSTEM_AND_USER)).toBe("<|system|>\nYou are terse.\n<|user|>\nHi there\n<|assistant|>\n");
  });
});

describe("chatml", () => {
  const t = chatTemplate("chatml");

  it("should render one user turn and the assistant header", () => {
    expect(withPrompt(t, ONE_TURN)).toBe("<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n");
    expect(withoutPrompt(t, ONE_TURN)).toBe("<|im_start|>user\nHi there<|im_end|>\n");
  });

  it("should render three turns", () => {
    expect(withPrompt(t, THREE_TURNS)).toBe(
      "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n" +
        "<|im_start|>user\nAnd 3+3?<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("should render a system message as its own block", () => {
    expect(withPrompt(t, SYSTEM_AND_USER)).toBe(
      "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("should refuse a role it would otherwise write into the text", () => {
    const error = thrown(() => withPrompt(t, [{ role: "tool", content: "x" } as unknown as ChatMessage]));
    expect(error).toBeInstanceOf(ChatTemplateError);
    expect((error as Error).message).toBe('chat template "chatml" supports the roles system, user and assistant; got "tool"');
  });
});

describe("llama-2 (Meta's reference)", () => {
  const t = chatTemplate("llama-2");

  it("should render one user turn with BOS as text and no generation prompt", () => {
    expect(withPrompt(t, ONE_TURN)).toBe("<s>[INST] Hi there [/INST]");
    expect(withoutPrompt(t, ONE_TURN)).toBe("<s>[INST] Hi there [/INST]");
  });

  it("should open every exchange with BOS and close every answer with EOS", () => {
    expect(withPrompt(t, THREE_TURNS)).toBe("<s>[INST] What is 2+2? [/INST] 4 </s><s>[INST] And 3+3? [/INST]");
  });

  it("should fold the system message into the first user message and strip as Meta does", () => {
    expect(withPrompt(t, SYSTEM_AND_USER)).toBe("<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi there [/INST]");
    expect(withoutPrompt(t, [{ role: "user", content: "  q \n" }, { role: "assistant", content: " a " }])).toBe(
      "<s>[INST] q [/INST] a </s>",
    );
  });

  it("should refuse conversations whose roles do not alternate user/assistant", () => {
    for (const messages of [
      [{ role: "assistant", content: "a" }],
      [{ role: "user", content: "q" }, { role: "user", content: "q" }],
      [{ role: "user", content: "q" }, { role: "system", content: "s" }],
      [{ role: "system", content: "s" }],
    ] as ChatMessage[][]) {
      const error = thrown(() => withPrompt(t, messages));
      expect(error).toBeInstanceOf(ChatTemplateError);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ChatTemplateError).failure).toBe("rejected");
      expect((error as Error).message).toMatch(/^chat template "llama-2" rejected the conversation: /);
    }
    expect(() => withPrompt(t, [{ role: "assistant", content: "a" }])).toThrow(
      'chat template "llama-2" rejected the conversation: Conversation roles must alternate user/assistant/user/assistant/...',
    );
  });
});

describe("none", () => {
  const t = chatTemplate("none");

  it("should give exactly the content of a single user message", () => {
    expect(withPrompt(t, ONE_TURN)).toBe("Hi there");
    expect(withoutPrompt(t, [{ role: "user", content: "Instruction:\nx\nResponse:\n" }])).toBe("Instruction:\nx\nResponse:\n");
  });

  it("should join the contents as they are", () => {
    expect(withPrompt(t, THREE_TURNS)).toBe("What is 2+2?4And 3+3?");
    expect(withPrompt(t, SYSTEM_AND_USER)).toBe("You are terse.Hi there");
  });
});
