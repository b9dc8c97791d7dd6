/**
 * A model's own chat template from its GGUF metadata. The key is `tokenizer.chat_template` (named variants:
 * `tokenizer.chat_template.<name>`, e.g. `tool_use`). Two shapes of metadata are read:
 * - flat, one entry per GGUF key, as llama.cpp's gguf-py and `@huggingface/gguf` list them:
 *   `{ "tokenizer.chat_template": "…" }`;
 * - nested, as node-llama-cpp gives it in `model.fileInfo.metadata` (the embedded engine's model): `{ tokenizer:
 *   { chat_template: "…", "chat_template.tool_use": "…", ggml: { tokens, bos_token_id, … } } }` — node-llama-cpp keeps
 *   `tokenizer.chat_template` as one key so the named variants nest beside it.
 * Pure: the caller reads the file (node-llama-cpp's `readGgufFileInfo` reads only the header).
 */
import type { JinjaChatTemplateSpec } from "../../schemas/chat-templates.js";

/**
 * The Jinja chat template the GGUF carries, or null when it has none (or an empty one). `name` picks a named
 * variant.
 *
 * @example
 * ggufChatTemplate({ tokenizer: { chat_template: "{{ messages[0].content }}" } }); // "{{ messages[0].content }}"
 * ggufChatTemplate({ "tokenizer.chat_template": "{{ messages[0].content }}" }); // the same
 * ggufChatTemplate({ tokenizer: { ggml: {} } }); // null — stories260K.gguf, like most base models, has none
 */
export function ggufChatTemplate(metadata: unknown, name?: string): string | null {
  const key = name === undefined ? "chat_template" : `chat_template.${name}`;
  const value = lookup(metadata, "tokenizer", key);
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * The GGUF's chat template with the text of its BOS and EOS tokens (the template's `bos_token` and `eos_token`),
 * ready for `chatTemplate(...)`; null when the GGUF has no template.
 *
 * @example
 * const spec = ggufChatTemplateSpec(model.fileInfo.metadata);
 * const template = spec ? chatTemplate(spec) : chatTemplate("none");
 */
export function ggufChatTemplateSpec(metadata: unknown, name?: string): JinjaChatTemplateSpec | null {
  const jinja = ggufChatTemplate(metadata, name);
  if (jinja === null) return null;
  const tokens = lookup(metadata, "tokenizer", "ggml.tokens");
  const bosToken = tokenText(tokens, lookup(metadata, "tokenizer", "ggml.bos_token_id"));
  const eosToken = tokenText(tokens, lookup(metadata, "tokenizer", "ggml.eos_token_id"));
  return {
    jinja,
    ...(bosToken !== undefined ? { bosToken } : {}),
    ...(eosToken !== undefined ? { eosToken } : {}),
  };
}

/** `tokenizer.<key>` from flat or nested metadata; `key` may itself contain dots (`ggml.tokens`). */
function lookup(metadata: unknown, section: string, key: string): unknown {
  if (!isRecord(metadata)) return undefined;
  const flat = metadata[`${section}.${key}`];
  if (flat !== undefined) return flat;
  let node: unknown = metadata[section];
  if (!isRecord(node)) return undefined;
  // node-llama-cpp nests `tokenizer.ggml.tokens` as ggml → tokens but keeps `chat_template.<name>` whole.
  if (Object.hasOwn(node, key)) return node[key];
  for (const part of key.split(".")) {
    if (!isRecord(node)) return undefined;
    node = node[part];
  }
  return node;
}

function tokenText(tokens: unknown, id: unknown): string | undefined {
  if (!Array.isArray(tokens) || typeof id !== "number" || !Number.isInteger(id)) return undefined;
  const text: unknown = tokens[id];
  return typeof text === "string" ? text : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
