import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../shared/chat/chat-template.js";
import { ChatTemplateError } from "../../shared/chat/chat-template-error.js";
import { chatTemplate } from "../../shared/chat/chat-template-registry.js";
import { jinjaTemplate } from "../../shared/chat/jinja-template.js";
import { ValidationError } from "../../shared/errors.js";

// Real templates, as their tokenizer_config.json carries them after JSON decoding. In the ChatML one the newlines
// inside Jinja strings are real newlines (JSON "\n"); in the Llama 2 one they are Jinja escapes (JSON "\\n").

/** teknium/OpenHermes-2.5-Mistral-7B. */
const CHATML_JINJA =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

/** meta-llama/Llama-2-7b-chat-hf. */
const LLAMA2_JINJA =
  "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}" +
  "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}" +
  "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate " +
  "user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = " +
  "'<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}" +
  "{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif " +
  "message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

/** mistralai/Mistral-7B-Instruct-v0.1: BOS once, no system role. */
const MISTRAL_JINJA =
  "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}" +
  "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
  "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}" +
  "{{ message['content'] + eos_token + ' ' }}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}" +
  "{% endif %}{% endfor %}";

const THREE_TURNS: ChatMessage[] = [
  { role: "user", content: "What is 2+2?" },
  { role: "assistant", content: "4" },
  { role: "user", content: "And 3+3?" },
];
const SYSTEM_AND_USER: ChatMessage[] = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "Hi there" },
];

function thrown(fn: () => unknown): ChatTemplateError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ChatTemplateError);
    expect(e).toBeInstanceOf(ValidationError);
    return e as ChatTemplateError;
  }
  throw new Error("expected an error");
}

describe("a model's own Jinja template", () => {
  it("should render a ChatML template as the hand-written text", () => {
    const t = chatTemplate({ jinja: CHATML_JINJA });
    expect(t.name).toBe("jinja");
    expect(t.render(SYSTEM_AND_USER, { addGenerationPrompt: true })).toBe(
      "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
    );
    expect(t.render(SYSTEM_AND_USER, { addGenerationPrompt: false })).toBe(
      "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n",
    );
  });

  it("should render Llama 2's template with bos_token and eos_token as the hand-written text", () => {
    const t = chatTemplate({ jinja: LLAMA2_JINJA, bosToken: "<s>", eosToken: "</s>" });
    expect(t.render(THREE_TURNS, { addGenerationPrompt: true })).toBe(
      "<s>[INST] What is 2+2? [/INST] 4 </s><s>[INST] And 3+3? [/INST]",
    );
    expect(t.render(SYSTEM_AND_USER, { addGenerationPrompt: true })).toBe(
      "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi there [/INST]",
    );
  });

  it("should render Mistral's template as the hand-written text", () => {
    const t = chatTemplate({ jinja: MISTRAL_JINJA, bosToken: "<s>", eosToken: "</s>" });
    expect(t.render(THREE_TURNS, { addGenerationPrompt: true })).toBe(
      "<s>[INST] What is 2+2? [/INST]4</s> [INST] And 3+3? [/INST]",
    );
  });

  it("should agree with the built-in chatml and llama-2 templates", () => {
    const pairs = [
      [chatTemplate({ jinja: CHATML_JINJA }), chatTemplate("chatml")],
      [chatTemplate({ jinja: LLAMA2_JINJA, bosToken: "<s>", eosToken: "</s>" }), chatTemplate("llama-2")],
    ] as const;
    const conversations: ChatMessage[][] = [
      [{ role: "user", content: "Hi there" }],
      THREE_TURNS,
      SYSTEM_AND_USER,
      [...THREE_TURNS, { role: "assistant", content: "  6 " }],
    ];
    for (const [jinja, builtin] of pairs) {
      for (const messages of conversations) {
        for (const addGenerationPrompt of [true, false]) {
          expect(jinja.render(messages, { addGenerationPrompt })).toBe(builtin.render(messages, { addGenerationPrompt }));
        }
      }
    }
  });

  it("should turn raise_exception into a ChatTemplateError that quotes the template's message", () => {
    const t = chatTemplate({ jinja: LLAMA2_JINJA, bosToken: "<s>", eosToken: "</s>" });
    const error = thrown(() =>
      t.render([{ role: "assistant", content: "a" }, { role: "user", content: "q" }], { addGenerationPrompt: true }),
    );
    expect(error.failure).toBe("rejected");
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      "chat template rejected the conversation: Conversation roles must alternate user/assistant/user/assistant/...",
    );
    expect(error.details).toMatchObject({ failure: "rejected", raised: expect.stringMatching(/^Conversation roles/) });
    const mistral = chatTemplate({ jinja: MISTRAL_JINJA, bosToken: "<s>", eosToken: "</s>" });
    expect(() => mistral.render(SYSTEM_AND_USER, { addGenerationPrompt: true })).toThrow(
      "chat template rejected the conversation: Conversation roles must alternate user/assistant/user/assistant/...",
    );
  });

  it("should refuse a template that does not parse when it is built, not when it renders", () => {
    const error = thrown(() => jinjaTemplate({ jinja: "{% for m in messages %}{{ m.content }}" }));
    expect(error.failure).toBe("syntax");
    expect(error.message).toBe(
      "chat template does not parse: it ends inside an open block (a missing {% endfor %} or {% endif %}?)",
    );
    expect(() => jinjaTemplate({ jinja: "{{ a + }}" })).toThrow("chat template does not parse: Unexpected token: CloseExpression");
  });

  it("should name the missing token when a template needs a bos_token it was not given", () => {
    const t = chatTemplate({ jinja: LLAMA2_JINJA, eosToken: "</s>" });
    const error = thrown(() => t.render([{ role: "user", content: "q" }], { addGenerationPrompt: true }));
    expect(error.failure).toBe("render");
    expect(error.message).toMatch(/^chat template failed to render: .+; the template uses bos_token \(bosToken\), which was not given$/);
  });

  it("should report a call to a function the template lacks as a render error", () => {
    const t = chatTemplate({ jinja: "{{ no_such_function() }}" });
    const error = thrown(() => t.render([], { addGenerationPrompt: false }));
    expect(error.failure).toBe("render");
  });

  it("should stay pure: no clock, so a Llama 3 style template takes its fixed date", () => {
    const t = chatTemplate({
      jinja:
        "{%- if strftime_now is defined %}{%- set date_string = strftime_now('%d %b %Y') %}" +
        "{%- else %}{%- set date_string = '26 Jul 2024' %}{%- endif %}Today Date: {{ date_string }}",
    });
    expect(t.render([], { addGenerationPrompt: false })).toBe("Today Date: 26 Jul 2024");
  });

  it("should offer range, namespace and the Python spellings of true, false and none", () => {
    const t = chatTemplate({
      jinja:
        "{% set ns = namespace(n=0) %}{% for i in range(messages|length) %}{% set ns.n = ns.n + 1 %}{{ i }}{% endfor %}" +
        "|{{ ns.n }}|{{ range(1, 7, 2)|join(',') }}|{{ range(3, 0, -1)|join(',') }}|" +
        "{{ 'y' if True and true else 'n' }}{{ 'n' if False or false else 'y' }}{{ 'y' if None is none and none is none else 'n' }}",
    });
    expect(t.render(THREE_TURNS, { addGenerationPrompt: false })).toBe("012|3|1,3,5|3,2,1|yyy");
    expect(() => chatTemplate({ jinja: "{{ range(10000000)|length }}" }).render([], { addGenerationPrompt: false })).toThrow(
      /range\(\) of 10000000 items/,
    );
  });

  it("should show the template only role and content", () => {
    const t = chatTemplate({ jinja: "{% for m in messages %}{{ m.extra is defined }}{% endfor %}" });
    const message = { role: "user", content: "q", extra: "x" } as ChatMessage;
    expect(t.render([message], { addGenerationPrompt: false })).toBe("false");
  });
});
