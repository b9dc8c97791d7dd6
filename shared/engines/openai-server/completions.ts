import { randomUUID } from "node:crypto";
import type { Engine, GenerateParams } from "../engine.js";
import {
  buildCompletionLogprobs,
  buildPromptLogprobs,
  type DecodedPosition,
  type WireCompletionLogprobs,
  type WireLogprob,
} from "./completion-response.js";
import { hasDetailedLogprobs, type TokenLogprobDetail } from "../detailed-logprobs.js";
import type { CompletionRequest } from "./schemas.js";
import { TokenPieces } from "./token-pieces.js";
import { WireError } from "./wire-errors.js";

/** vLLM's default cap on requested top log-probs (`--max-logprobs`). */
export const MAX_LOGPROBS = 20;

export interface WireCompletionChoice {
  readonly index: number;
  readonly text: string;
  readonly logprobs: WireCompletionLogprobs | null;
  readonly finish_reason: "stop" | "length";
  readonly stop_reason: string | null;
  readonly token_ids: number[] | null;
  readonly prompt_logprobs: (Record<string, WireLogprob> | null)[] | null;
  readonly prompt_token_ids: number[] | null;
}

export interface WireCompletionResponse {
  readonly id: string;
  readonly object: "text_completion";
  readonly created: number;
  readonly model: string;
  readonly choices: WireCompletionChoice[];
  readonly service_tier: null;
  readonly system_fingerprint: null;
  readonly usage: { prompt_tokens: number; total_tokens: number; completion_tokens: number };
  readonly kv_transfer_params: null;
}

interface Prompt {
  readonly tokens: number[];
  /** The caller's text, echoed as given; null for token-id prompts (echo decodes them). */
  readonly text: string | null;
}

interface Generation {
  readonly tokens: number[];
  readonly text: string;
  readonly steps: (Omit<TokenLogprobDetail, "rank"> & { rank: number | null })[];
  readonly finishReason: "stop" | "length";
  readonly stopReason: string | null;
}

/** Refuses a `model` that names something other than the served engine (vLLM answers 404). */
export function checkModel(engine: Engine, model: string | null | undefined): void {
  if (model == null || model === engine.model || model === engine.name || model === `${engine.model}.gguf`) return;
  throw new WireError(404, `The model \`${model}\` does not exist.`, "model");
}

/**
 * `POST /v1/completions` over any engine: each prompt (string, strings, token ids, lists of token ids) becomes one
 * choice, in order. Prompt log-probs come from `engine.score` (teacher forcing), generation from `engine.generate`;
 * ranks and top alternatives need an engine with detailed log-probs.
 */
export async function createCompletion(engine: Engine, body: CompletionRequest): Promise<WireCompletionResponse> {
  checkModel(engine, body.model);
  const echo = body.echo ?? false;
  const maxTokens = body.max_tokens ?? 16;
  const logprobs = body.logprobs ?? null;
  const promptK = body.prompt_logprobs ?? (echo ? logprobs : null);
  checkLogprobCount(logprobs, "logprobs");
  checkLogprobCount(promptK, "prompt_logprobs");
  const stop = body.stop == null ? [] : typeof body.stop === "string" ? [body.stop] : body.stop;
  const params: GenerateParams = {
    maxTokens,
    temperature: body.temperature ?? 1,
    topP: body.top_p ?? 1,
    stop,
    ...(body.seed == null ? {} : { seed: body.seed }),
  };

  const prompts = await normalizePrompts(engine, body);
  const choices: WireCompletionChoice[] = [];
  let promptTokens = 0;
  let completionTokens = 0;
  for (const [index, prompt] of prompts.entries()) {
    checkLength(engine, prompt.tokens.length, maxTokens);
    const scored = promptK === null ? null : await scorePrompt(engine, prompt.tokens, promptK);
    const gen = maxTokens === 0 ? emptyGeneration() : await generate(engine, prompt.tokens, params, logprobs ?? 0);
    const all = [...prompt.tokens, ...gen.tokens];
    const pieces = new TokenPieces(engine, all, body.return_tokens_as_token_ids ?? false);
    const promptPositions = scored === null ? null : [null, ...(await decodePositions(pieces, scored, 1))];
    const genPositions = await decodePositions(pieces, gen.steps, prompt.tokens.length);

    let choiceLogprobs: WireCompletionLogprobs | null = null;
    if (logprobs !== null) {
      const positions = echo ? [...promptPositions!, ...genPositions] : genPositions;
      const texts = await pieces.range(echo ? 0 : prompt.tokens.length, all.length);
      choiceLogprobs = buildCompletionLogprobs(positions, texts);
    }
    const promptText = echo ? (prompt.text ?? (await engine.detokenize(prompt.tokens))) : "";
    choices.push({
      index,
      text: promptText + gen.text,
      logprobs: choiceLogprobs,
      finish_reason: gen.finishReason,
      stop_reason: gen.stopReason,
      token_ids: body.return_token_ids ? gen.tokens : null,
      prompt_logprobs: promptPositions === null ? null : buildPromptLogprobs(promptPositions),
      prompt_token_ids: body.return_token_ids ? prompt.tokens : null,
    });
    promptTokens += prompt.tokens.length;
    completionTokens += gen.tokens.length;
  }
  return {
    id: `cmpl-${randomUUID().replaceAll("-", "")}`,
    object: "text_completion",
    created: Math.floor(Date.now() / 1000),
    model: engine.model,
    choices,
    service_tier: null,
    system_fingerprint: null,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens },
    kv_transfer_params: null,
  };
}

async function normalizePrompts(engine: Engine, body: CompletionRequest): Promise<Prompt[]> {
  const bos = body.add_special_tokens ?? true;
  const fromText = async (text: string): Promise<Prompt> => ({ tokens: await engine.tokenize(text, { bos }), text });
  const p = body.prompt;
  if (typeof p === "string") return [await fromText(p)];
  if (typeof p[0] === "string") return Promise.all((p as string[]).map(fromText));
  if (typeof p[0] === "number") return [{ tokens: [...(p as number[])], text: null }];
  return (p as number[][]).map((tokens) => ({ tokens: [...tokens], text: null }));
}

function checkLogprobCount(k: number | null, param: string): void {
  if (k !== null && k > MAX_LOGPROBS) {
    throw new WireError(400, `Requested ${param} of ${k}, which is greater than max allowed: ${MAX_LOGPROBS}`, param);
  }
}

function checkLength(engine: Engine, promptLength: number, maxTokens: number): void {
  const max = engine.contextSize;
  if (promptLength === 0) throw new WireError(400, "The prompt is empty after tokenization.", "prompt");
  if (promptLength > max) {
    throw new WireError(
      400,
      `This model's maximum context length is ${max} tokens. However, your request has ${promptLength} input ` +
        `tokens. Please reduce the length of the input messages.`,
      "prompt",
    );
  }
  if (promptLength + maxTokens > max) {
    throw new WireError(
      400,
      `'max_tokens' is too large: ${maxTokens}. This model's maximum context length is ${max} tokens and your ` +
        `request has ${promptLength} input tokens (${maxTokens} > ${max} - ${promptLength}).`,
      "max_tokens",
    );
  }
}

/** Log-probs of prompt tokens 1.. (token 0 has none). */
async function scorePrompt(engine: Engine, tokens: number[], k: number): Promise<Generation["steps"]> {
  if (tokens.length < 2) return [];
  if (hasDetailedLogprobs(engine)) {
    const [r] = await engine.scoreDetailed([{ tokens, from: 1 }], { topK: k });
    return r!.positions;
  }
  if (k !== 0) throw new WireError(400, `engine "${engine.name}" cannot report top prompt log-probs`, "prompt_logprobs");
  const [r] = await engine.score([{ tokens, from: 1 }]);
  return r!.logprobs.map((logprob, i) => ({ token: tokens[i + 1]!, logprob, rank: null, top: [] }));
}

async function generate(engine: Engine, prompt: number[], params: GenerateParams, k: number): Promise<Generation> {
  if (hasDetailedLogprobs(engine)) {
    const [r] = await engine.generateDetailed([{ prompt, params }], { topK: k });
    return r!;
  }
  if (k !== 0) throw new WireError(400, `engine "${engine.name}" cannot report top log-probs`, "logprobs");
  const [r] = await engine.generate([{ prompt, params }]);
  const steps = r!.tokens.map((token, i) => ({ token, logprob: r!.logprobs[i]!, rank: null, top: [] }));
  return { tokens: r!.tokens, text: r!.text, steps, finishReason: r!.finishReason, stopReason: null };
}

function emptyGeneration(): Generation {
  // vLLM runs echo-without-generation as a one-token request and drops the token, so it reports "length".
  return { tokens: [], text: "", steps: [], finishReason: "length", stopReason: null };
}

/** Adds token texts to scored positions; `start` is the position (in prompt ++ generated) of the first one. */
function decodePositions(pieces: TokenPieces, steps: Generation["steps"], start: number): Promise<DecodedPosition[]> {
  return Promise.all(
    steps.map(async (s, i) => ({
      token: s.token,
      logprob: s.logprob,
      rank: s.rank,
      piece: await pieces.at(start + i, s.token),
      top: await Promise.all(s.top.map(async (t) => ({ ...t, piece: await pieces.at(start + i, t.token) }))),
    })),
  );
}
