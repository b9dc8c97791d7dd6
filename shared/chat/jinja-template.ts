/**
 * A model's own chat template: the Jinja source from GGUF metadata (`tokenizer.chat_template`) or a HF
 * `tokenizer_config.json` (`chat_template`), rendered with `@huggingface/jinja`, the JavaScript Jinja that
 * transformers.js uses for the same job. The variables are the ones `apply_chat_template` passes: `messages`,
 * `add_generation_prompt`, `bos_token`, `eos_token`, and the globals `raise_exception`, `range`, `namespace`,
 * `true`/`false`/`none` (and their Python spellings).
 *
 * Not provided: `strftime_now`. Rendering stays a pure function of its input; templates that read the clock
 * (Llama 3.x) check `strftime_now is defined` and fall back to their fixed date.
 */
import { Environment, Interpreter, Template } from "@huggingface/jinja";
import type { JinjaChatTemplateSpec } from "../../schemas/chat-templates.js";
import type { ChatMessage, ChatTemplate, RenderOptions } from "./chat-template.js";
import { ChatTemplateError } from "./chat-template-error.js";

const NAME = "jinja";

/** What the template's own `raise_exception(...)` throws, so it can be told apart from a broken template. */
class RaisedByTemplate extends Error {}

/**
 * Parses a Jinja chat template once; each `render` runs it on a fresh environment. A template that does not parse
 * fails here, not at the first render.
 *
 * @example
 * const t = jinjaTemplate({
 *   jinja: "{% for m in messages %}{{ '<|im_start|>' + m.role + '\n' + m.content + '<|im_end|>\n' }}{% endfor %}",
 * });
 * t.render([{ role: "user", content: "hi" }], { addGenerationPrompt: false }); // "<|im_start|>user\nhi<|im_end|>\n"
 */
export function jinjaTemplate(spec: JinjaChatTemplateSpec): ChatTemplate {
  let parsed: Template["parsed"];
  try {
    // The Template constructor lexes with lstrip_blocks and trim_blocks on, as transformers does for chat templates.
    parsed = new Template(spec.jinja).parsed;
  } catch (cause) {
    throw new ChatTemplateError("syntax", `chat template does not parse: ${syntaxMessage(cause)}`, { template: NAME }, {
      cause,
    });
  }
  return {
    name: NAME,
    render(messages: readonly ChatMessage[], { addGenerationPrompt }: RenderOptions): string {
      const env = environment(spec, messages, addGenerationPrompt);
      try {
        const result = new Interpreter(env).run(parsed).value;
        return typeof result === "string" ? result : String(result);
      } catch (cause) {
        throw renderError(spec, cause);
      }
    },
  };
}

function environment(spec: JinjaChatTemplateSpec, messages: readonly ChatMessage[], addGenerationPrompt: boolean) {
  const env = new Environment();
  // The globals Template.render would install, except raise_exception (ours, to tell it apart) and strftime_now.
  for (const [name, value] of [
    ["true", true],
    ["false", false],
    ["none", null],
    ["True", true],
    ["False", false],
    ["None", null],
  ] as const) {
    env.set(name, value);
  }
  env.set("range", pythonRange);
  env.set("raise_exception", (message: unknown) => {
    throw new RaisedByTemplate(String(message));
  });
  // Plain copies: the template sees exactly role and content, never extra fields a caller's objects carry.
  env.set(
    "messages",
    messages.map((m) => ({ role: m.role, content: m.content })),
  );
  env.set("add_generation_prompt", addGenerationPrompt);
  // Left undefined when not given, as transformers does for a tokenizer without that token: `{{ bos_token }}`
  // renders nothing, `bos_token + '…'` fails (see renderError).
  if (spec.bosToken !== undefined) env.set("bos_token", spec.bosToken);
  if (spec.eosToken !== undefined) env.set("eos_token", spec.eosToken);
  return env;
}

function renderError(spec: JinjaChatTemplateSpec, cause: unknown): ChatTemplateError {
  if (cause instanceof RaisedByTemplate) {
    return new ChatTemplateError("rejected", `chat template rejected the conversation: ${cause.message}`, {
      template: NAME,
      raised: cause.message,
    });
  }
  const unset = [
    spec.bosToken === undefined && /\bbos_token\b/.test(spec.jinja) ? "bos_token (bosToken)" : null,
    spec.eosToken === undefined && /\beos_token\b/.test(spec.jinja) ? "eos_token (eosToken)" : null,
  ].filter((s): s is string => s !== null);
  const hint = unset.length > 0 ? `; the template uses ${unset.join(" and ")}, which was not given` : "";
  return new ChatTemplateError("render", `chat template failed to render: ${describe(cause)}${hint}`, { template: NAME }, {
    cause,
  });
}

/** Most items one `range()` may produce: chat templates count messages, never millions of anything. */
const MAX_RANGE = 100_000;

/** Python's `range(stop)` / `range(start, stop[, step])`, which Jinja templates call as in Python. */
function pythonRange(...args: unknown[]): number[] {
  if (args.length < 1 || args.length > 3) throw new Error(`range expected 1 to 3 arguments, got ${args.length}`);
  if (!args.every(Number.isInteger)) throw new Error("range() takes integers");
  const [a, b, c] = args as number[];
  const [start, stop, step] = b === undefined ? [0, a!, 1] : [a!, b, c ?? 1];
  if (step === 0) throw new Error("range() arg 3 must not be zero");
  const length = Math.max(0, Math.ceil((stop - start) / step));
  if (length > MAX_RANGE) throw new Error(`range() of ${length} items is more than the ${MAX_RANGE} allowed`);
  return Array.from({ length }, (_, i) => start + i * step);
}

/**
 * The parser reports its own syntax errors as SyntaxError; running out of tokens inside an open block instead
 * crashes it with a TypeError ("Cannot read properties of undefined"), which says nothing to the template's author.
 */
function syntaxMessage(cause: unknown): string {
  if (cause instanceof TypeError) return `it ends inside an open block (a missing {% endfor %} or {% endif %}?)`;
  return describe(cause);
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
