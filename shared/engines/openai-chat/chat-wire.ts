/**
 * Pure body builder and response parser for `/v1/chat/completions`, one conversation per request (`n` is left at 1).
 * No I/O here.
 *
 * The answer's cap goes in `max_completion_tokens` by default: OpenAI deprecated `max_tokens` for chat and its
 * reasoning models refuse it, while vLLM and SGLang take either. Servers that silently ignore
 * `max_completion_tokens` (older llama.cpp, llama-cpp-python, llamafile) are configured with
 * `maxTokensField: "max_tokens"`.
 */
import { z } from "zod";
import { EngineError, ValidationError } from "../../errors.js";
import type { ChatRequest, ChatResult } from "../engine.js";
import { finishReason } from "../openai-compatible/completions-wire.js";

/** Which body field carries `maxTokens`. */
export type MaxTokensField = "max_completion_tokens" | "max_tokens";

/** The chat-completions body assay sends. */
export interface ChatCompletionsBody {
  model: string;
  messages: { role: "system" | "user" | "assistant"; content: string }[];
  temperature: number;
  max_completion_tokens?: number;
  max_tokens?: number;
  top_p?: number;
  seed?: number;
  stop?: string[];
}

/**
 * The body for one conversation. Temperature defaults to 0 (greedy), as for `generate`; `top_p`, `seed` and `stop`
 * are sent only when given (some hosted models refuse `stop`).
 *
 * @example
 * buildChatBody({ messages: [{ role: "user", content: "2+2?" }], params: { maxTokens: 8, seed: 3 } }, "gpt-4o-mini",
 *   "max_completion_tokens")
 * // {model: "gpt-4o-mini", messages: [{role: "user", content: "2+2?"}], temperature: 0, max_completion_tokens: 8, seed: 3}
 */
export function buildChatBody(request: ChatRequest, model: string, field: MaxTokensField): ChatCompletionsBody {
  const { params } = request;
  if (request.messages.length === 0) throw new ValidationError("a chat request needs at least one message");
  if (!Number.isInteger(params.maxTokens) || params.maxTokens < 1) {
    throw new ValidationError(`maxTokens must be a positive integer here (0 is answered without a request), got ${params.maxTokens}`);
  }
  const body: ChatCompletionsBody = {
    model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    temperature: params.temperature ?? 0,
    ...(field === "max_tokens" ? { max_tokens: params.maxTokens } : { max_completion_tokens: params.maxTokens }),
  };
  if (params.topP !== undefined) body.top_p = params.topP;
  if (params.seed !== undefined) body.seed = params.seed;
  if (params.stop?.length) body.stop = [...params.stop];
  return body;
}

const chatResponse = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().nullish(),
        message: z.object({ content: z.string().nullish() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().min(0).nullish(),
      completion_tokens: z.number().int().min(0).nullish(),
    })
    .nullish(),
});

/**
 * The answer in a chat-completions response: the first choice's message (`index` 0 when the server numbers them),
 * its finish reason mapped onto assay's two, and the sizes from `usage` when the server sends it.
 *
 * @example
 * parseChatResponse({ choices: [{ index: 0, message: { role: "assistant", content: "4" }, finish_reason: "stop" }],
 *   usage: { prompt_tokens: 12, completion_tokens: 1 } }, "gpt")
 * // {text: "4", finishReason: "stop", promptTokens: 12, outputTokens: 1}
 */
export function parseChatResponse(body: unknown, engine: string): ChatResult {
  const parsed = chatResponse.safeParse(body);
  if (!parsed.success) {
    throw new EngineError(`${engine}: unexpected chat completions response: ${z.prettifyError(parsed.error)}`, {
      retryable: false,
      engine,
      cause: parsed.error,
    });
  }
  const { choices, usage } = parsed.data;
  const choice = choices.find((c) => c.index === 0) ?? choices[0]!;
  return {
    text: choice.message.content ?? "",
    finishReason: finishReason(choice.finish_reason),
    promptTokens: usage?.prompt_tokens ?? null,
    outputTokens: usage?.completion_tokens ?? null,
  };
}

/** What a conversation asking for zero tokens gets: nothing, and no round trip (as `generate` answers maxTokens 0). */
export function emptyChatResult(): ChatResult {
  return { text: "", finishReason: "length", promptTokens: null, outputTokens: 0 };
}
