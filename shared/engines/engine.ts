/**
 * The one interface every inference engine implements (vLLM, SGLang, SageMaker, the embedded llama.cpp engine, hosted
 * chat models, test doubles). Requests go in as a list and results come back in the same order. What an engine can do is declared in
 * `capabilities`, so a job that needs a missing capability fails when it is configured, not deep inside a shard.
 *
 * Adapters classify their own failures by throwing {@link EngineError} with `retryable` set; retries, backoff and the
 * concurrency limit are applied around an adapter by `withResilience` (`shared/engines/resilience.ts`), and replicas of
 * one model are balanced and ejected when failing by an engine pool (`shared/engines/pool/engine-pool.ts`).
 */
import type { JinjaChatTemplateSpec } from "../../schemas/chat-templates.js";
import type { EngineStats } from "../../schemas/engines.js";

export type { EngineStats, ReplicaStats } from "../../schemas/engines.js";

/** The kinds of engine assay can be configured with. */
export type EngineKind = "vllm" | "sglang" | "sagemaker" | "embedded" | "openai-chat" | "fake";

/**
 * What an engine supports beyond tokenize/detokenize (which every kind but `openai-chat` has: a chat endpoint takes
 * messages, so it cannot tokenize, score or embed, and declares every capability false but `chat`).
 */
export interface EngineCapabilities {
  /** `score`: log p of given prompt tokens under teacher forcing. */
  readonly promptLogprobs: boolean;
  /** `scoreSuffixes` computes the shared prefix once (embedded KV reuse, SGLang radix cache). */
  readonly sharedPrefix: boolean;
  /** `generate` with per-token log-probs. */
  readonly generate: boolean;
  /** `embed`: one vector per text. */
  readonly embeddings: boolean;
  /** A stateful KV sequence that can drop token ranges (KV-level SirLLM; embedded engine only). */
  readonly kvSequences: boolean;
  /** `chat`: generation from role-tagged messages, the server applying the model's chat template (`openai-chat`). */
  readonly chat: boolean;
}

/** Teacher-forced scoring of one prompt: log p(tokens[i] | tokens[<i]) for every i >= from. */
export interface ScoreRequest {
  readonly tokens: readonly number[];
  /** First position to score; must be >= 1 (the first token has no context to be predicted from). */
  readonly from: number;
}

export interface ScoreResult {
  /** logprobs[k] = log p(tokens[from + k] | tokens[< from + k]); length tokens.length - from. */
  readonly logprobs: number[];
}

/**
 * Many continuations of one prefix. Each suffix is scored as if the prompt were `prefix ++ suffix.tokens`, from
 * position `prefix.length + suffix.from`. Engines with `sharedPrefix` compute the prefix once.
 */
export interface SuffixScoreRequest {
  readonly prefix: readonly number[];
  readonly suffixes: readonly { readonly tokens: readonly number[]; readonly from: number }[];
}

export interface GenerateParams {
  readonly maxTokens: number;
  /** 0 = greedy. */
  readonly temperature?: number;
  readonly topP?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
}

export interface GenerateRequest {
  readonly prompt: readonly number[];
  readonly params: GenerateParams;
}

export interface GenerateResult {
  readonly tokens: number[];
  readonly text: string;
  /** log p of each generated token under the distribution it was sampled from (before temperature). */
  readonly logprobs: number[];
  readonly finishReason: "stop" | "length";
}

/** One turn of a conversation, as `/v1/chat/completions` takes it. */
export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/**
 * One conversation to continue. `params` are generation's: `maxTokens` caps the answer (0 is answered with nothing,
 * without a round trip), temperature defaults to 0 (greedy), `seed` and `stop` are passed on.
 */
export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly params: GenerateParams;
}

export interface ChatResult {
  /** The assistant message's text ("" when the model gave none, e.g. a refusal). */
  readonly text: string;
  /** "length" only when `maxTokens` ran out; any other reason the server gives is "stop". */
  readonly finishReason: "stop" | "length";
  /** Prompt and answer sizes from the response's `usage`, in the server's tokens; null when it sends none. */
  readonly promptTokens: number | null;
  readonly outputTokens: number | null;
}

export interface TokenizeOptions {
  /** Put the model's BOS token in front. Default false: assay adds BOS explicitly where a preset wants it. */
  readonly bos?: boolean;
}

export interface EmbedOptions {
  /**
   * Embed the leading tokens of a text longer than the engine's context instead of refusing it (vLLM's
   * `truncate_prompt_tokens`). Default false: an over-long text is an error.
   */
  readonly truncate?: boolean;
}

export interface Engine {
  /** The registry name this engine was configured under. */
  readonly name: string;
  readonly kind: EngineKind;
  /** Model identifier as the endpoint names it (recorded with every result). */
  readonly model: string;
  /**
   * Longest prompt + generation the engine accepts, in tokens. `Infinity` for an `openai-chat` engine configured
   * without `contextSize`: assay cannot count its tokens, so the endpoint itself refuses what does not fit.
   */
  readonly contextSize: number;
  /** The model's BOS token id, or null if it has none. */
  readonly bosToken: number | null;
  readonly capabilities: EngineCapabilities;

  tokenize(text: string, options?: TokenizeOptions): Promise<number[]>;
  detokenize(tokens: readonly number[]): Promise<string>;
  score(requests: readonly ScoreRequest[]): Promise<ScoreResult[]>;
  /** Only where `capabilities.sharedPrefix`; others score full prompts (see `scoreSuffixesByFullPrompts`). */
  scoreSuffixes(request: SuffixScoreRequest): Promise<ScoreResult[]>;
  generate(requests: readonly GenerateRequest[]): Promise<GenerateResult[]>;
  embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]>;
  /**
   * Continues each conversation; present exactly when `capabilities.chat` is true. One result per request, in request
   * order. Engines built by the registry send each conversation as its own call (its own concurrency slot, retried
   * alone), since one chat request carries one conversation.
   */
  chat?(requests: readonly ChatRequest[]): Promise<ChatResult[]>;
  /**
   * The chat template the model itself carries (a GGUF's `tokenizer.chat_template`, with its BOS/EOS text), or null
   * when it carries none. Absent where the engine cannot tell (a remote server's template is applied server-side).
   */
  modelChatTemplate?(): JinjaChatTemplateSpec | null;
  close(): Promise<void>;
  /**
   * Per-replica counters and circuit states (engines built by the registry are pools, a single server a pool of one).
   * Replicas are named `r0`, `r1`, …: never a URL or endpoint name, so the result is safe to show a caller.
   */
  stats?(): EngineStats;
}

/**
 * The fallback for engines without a prefix cache usable for log-probs (vLLM skips its prefix cache whenever prompt
 * log-probs are asked for): every suffix becomes one full prompt, sent together.
 */
export function scoreSuffixesByFullPrompts(
  engine: Pick<Engine, "score">,
  request: SuffixScoreRequest,
): Promise<ScoreResult[]> {
  return engine.score(
    request.suffixes.map((s) => ({
      tokens: [...request.prefix, ...s.tokens],
      from: request.prefix.length + s.from,
    })),
  );
}

/** Log-softmax of one row of logits, in float64, returning log p of `token`. */
export function logSoftmaxAt(logits: ArrayLike<number>, token: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > max) max = v;
  }
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return logits[token]! - max - Math.log(sum);
}
