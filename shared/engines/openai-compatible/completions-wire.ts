/**
 * Pure payload builders and response parsers for the OpenAI-compatible `/v1/completions` endpoint as vLLM extends
 * it (and as SageMaker LMI containers and assay's own embedded-engine server accept it). No I/O here.
 *
 * Scoring: token-id prompts (a list of lists batches them), `echo: true`, `max_tokens: 0`, `prompt_logprobs: 0` →
 * `choices[i].prompt_logprobs = [null, {"<id>": {logprob, rank, decoded_token}}, …]`, one dict per prompt position.
 * The dict holds the actual prompt token and possibly others (the top-k, when the actual token is not the top-1),
 * so the entry is picked by the prompt's own token id, never by position in the dict.
 */
import { z } from "zod";
import { EngineError, ValidationError } from "../../errors.js";
import type { GenerateParams, GenerateRequest, GenerateResult, ScoreRequest, ScoreResult } from "../engine.js";

/** Fields vLLM adds to the OpenAI completions body. Sent through the `openai` client as extra body fields. */
export interface VllmCompletionExtras {
  /** Log-probs of the prompt tokens; 0 = only the actual token at each position. */
  prompt_logprobs?: number;
  /** Generated tokens' `logprobs.tokens` come back as `"token_id:123"` instead of text pieces. */
  return_tokens_as_token_ids?: boolean;
  /** vLLM >= 0.10.2: `choices[].token_ids` holds the generated ids (older servers ignore it). */
  return_token_ids?: boolean;
}

/** The completions body assay sends (OpenAI fields plus vLLM's). */
export interface CompletionsBody extends VllmCompletionExtras {
  model: string;
  prompt: number[][];
  max_tokens: number;
  echo?: boolean;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string[];
  logprobs?: number;
  n?: number;
}

/** Throws a {@link ValidationError} unless `1 <= from <= tokens.length`. */
export function assertScoreRequest(r: ScoreRequest, i: number): void {
  if (r.tokens.length === 0) throw new ValidationError(`score request ${i} has no tokens`);
  if (!Number.isInteger(r.from) || r.from < 1 || r.from > r.tokens.length) {
    throw new ValidationError(`score request ${i}: from must be in [1, ${r.tokens.length}], got ${r.from}`);
  }
}

/**
 * The body that scores `requests` in one call.
 *
 * @param maxTokensZero false for servers that reject `max_tokens: 0`: 1 is sent and the extra token ignored.
 * @example buildScoreBody([{tokens: [1, 5, 9], from: 1}], "m", true)
 * // {model: "m", prompt: [[1, 5, 9]], max_tokens: 0, echo: true, prompt_logprobs: 0, temperature: 0}
 */
export function buildScoreBody(requests: readonly ScoreRequest[], model: string, maxTokensZero: boolean): CompletionsBody {
  requests.forEach(assertScoreRequest);
  return {
    model,
    prompt: requests.map((r) => [...r.tokens]),
    max_tokens: maxTokensZero ? 0 : 1,
    echo: true,
    prompt_logprobs: 0,
    // Greedy so the throw-away token on old servers is cheap and deterministic.
    temperature: 0,
  };
}

const logprobEntry = z.object({
  logprob: z.number(),
  rank: z.number().nullish(),
  decoded_token: z.string().nullish(),
});

const scoreResponse = z.object({
  choices: z.array(
    z.object({
      index: z.number().int(),
      prompt_logprobs: z.array(z.record(z.string(), logprobEntry).nullable()).nullish(),
    }),
  ),
});

function unexpected(engine: string, what: string, cause?: unknown): EngineError {
  return new EngineError(`${engine}: unexpected completions response: ${what}`, { retryable: false, engine, cause });
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown, engine: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw unexpected(engine, z.prettifyError(parsed.error), parsed.error);
  return parsed.data;
}

/** Choices in request order: servers may return them in any order, `index` says which prompt each answers. */
function byIndex<T extends { index: number }>(choices: readonly T[], count: number, engine: string): T[] {
  const out = new Array<T | undefined>(count);
  for (const c of choices) {
    if (c.index < 0 || c.index >= count || out[c.index]) throw unexpected(engine, `bad or repeated choice index ${c.index}`);
    out[c.index] = c;
  }
  // A plain loop: `some` skips the holes of a sparse array, which are exactly the missing choices.
  for (let i = 0; i < count; i++) {
    if (out[i] === undefined) throw unexpected(engine, `expected ${count} choices, got ${choices.length}`);
  }
  return out as T[];
}

/**
 * Log p of each scored token, from a completions response to {@link buildScoreBody}.
 *
 * @example
 * parseScoreResponse({choices: [{index: 0, prompt_logprobs: [null, {"5": {logprob: -2.1, rank: 3}, "7": {logprob: -0.4, rank: 1}}]}]},
 *   [{tokens: [1, 5], from: 1}], "gpu-a") // [{logprobs: [-2.1]}]
 */
export function parseScoreResponse(body: unknown, requests: readonly ScoreRequest[], engine: string): ScoreResult[] {
  const { choices } = parseWith(scoreResponse, body, engine);
  return byIndex(choices, requests.length, engine).map((choice, i) => {
    const req = requests[i]!;
    const pl = choice.prompt_logprobs;
    if (!pl) throw unexpected(engine, `choice ${i} has no prompt_logprobs (does the server support them?)`);
    if (pl.length < req.tokens.length) {
      throw unexpected(engine, `choice ${i} has ${pl.length} prompt log-probs for ${req.tokens.length} tokens`);
    }
    const logprobs: number[] = [];
    for (let k = req.from; k < req.tokens.length; k++) {
      const token = req.tokens[k]!;
      const entry = pl[k]?.[String(token)];
      if (!entry) throw unexpected(engine, `choice ${i} position ${k} lacks the log-prob of prompt token ${token}`);
      logprobs.push(entry.logprob);
    }
    return { logprobs };
  });
}

/** A stable key for parameters, so requests that share them are sent as one batched call. */
export function paramsKey(p: GenerateParams): string {
  return JSON.stringify([p.maxTokens, p.temperature ?? 0, p.topP ?? null, p.seed ?? null, p.stop ?? null]);
}

/** Indices of `requests` grouped by identical parameters, in first-seen order. */
export function groupByParams(requests: readonly GenerateRequest[]): number[][] {
  const groups = new Map<string, number[]>();
  requests.forEach((r, i) => {
    const key = paramsKey(r.params);
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  return [...groups.values()];
}

/**
 * What a request for zero tokens gets: nothing, and no round trip. Every engine answers `maxTokens: 0` this way, so
 * a caller never depends on whether the server (or its `maxTokensZero` setting) would accept `max_tokens: 0`.
 */
export function emptyGeneration(): GenerateResult {
  return { tokens: [], text: "", logprobs: [], finishReason: "length" };
}

/**
 * Generation over the completions wire, shared by every adapter that speaks it (vLLM, SageMaker LMI): requests that
 * share parameters go out as one batched body through `send`, requests for zero tokens get {@link emptyGeneration}
 * without one, and results come back in request order.
 *
 * @example
 * const out = await generateByParamGroups(requests, "llama", "gpu-a", (body) => client.completions.create(body));
 */
export async function generateByParamGroups(
  requests: readonly GenerateRequest[],
  model: string,
  engine: string,
  send: (body: CompletionsBody) => Promise<unknown>,
): Promise<GenerateResult[]> {
  const out = new Array<GenerateResult>(requests.length);
  await Promise.all(
    groupByParams(requests).map(async (idx) => {
      const params = requests[idx[0]!]!.params;
      if (params.maxTokens === 0) {
        for (const i of idx) out[i] = emptyGeneration();
        return;
      }
      const body = buildGenerateBody(
        idx.map((i) => requests[i]!.prompt),
        params,
        model,
      );
      const results = parseGenerateResponse(await send(body), idx.length, engine);
      idx.forEach((i, k) => (out[i] = results[k]!));
    }),
  );
  return out;
}

/**
 * The body that generates from several prompts sharing `params`. Temperature defaults to 0 (greedy): an evaluation
 * should be reproducible unless it asks otherwise.
 */
export function buildGenerateBody(prompts: readonly (readonly number[])[], params: GenerateParams, model: string): CompletionsBody {
  if (!Number.isInteger(params.maxTokens) || params.maxTokens < 1) {
    throw new ValidationError(`maxTokens must be a positive integer here (0 is answered without a request), got ${params.maxTokens}`);
  }
  const body: CompletionsBody = {
    model,
    prompt: prompts.map((p) => [...p]),
    max_tokens: params.maxTokens,
    temperature: params.temperature ?? 0,
    logprobs: 1,
    return_tokens_as_token_ids: true,
    return_token_ids: true,
  };
  if (params.topP !== undefined) body.top_p = params.topP;
  if (params.seed !== undefined) body.seed = params.seed;
  if (params.stop?.length) body.stop = [...params.stop];
  return body;
}

const generateResponse = z.object({
  choices: z.array(
    z.object({
      index: z.number().int(),
      text: z.string(),
      finish_reason: z.string().nullish(),
      token_ids: z.array(z.number().int()).nullish(),
      logprobs: z
        .object({
          tokens: z.array(z.string()).nullish(),
          token_logprobs: z.array(z.number().nullable()).nullish(),
        })
        .nullish(),
    }),
  ),
});

const TOKEN_ID_PIECE = /^token_id:(\d+)$/;

/** Maps a server's finish reason onto assay's two: only running out of `max_tokens` is "length". */
export function finishReason(reason: string | null | undefined): "stop" | "length" {
  return reason === "length" ? "length" : "stop";
}

/**
 * Generated tokens, text and log-probs from a response to {@link buildGenerateBody} with `count` prompts.
 * Token ids come from `choices[].token_ids` when the server sends them, else from `"token_id:N"` pieces.
 */
export function parseGenerateResponse(body: unknown, count: number, engine: string): GenerateResult[] {
  const { choices } = parseWith(generateResponse, body, engine);
  return byIndex(choices, count, engine).map((c, i) => {
    const logprobs = (c.logprobs?.token_logprobs ?? []).map((lp, k) => {
      if (lp === null) throw unexpected(engine, `choice ${i} token ${k} has a null log-prob`);
      return lp;
    });
    let tokens: number[];
    if (c.token_ids) tokens = [...c.token_ids];
    else {
      tokens = (c.logprobs?.tokens ?? []).map((piece) => {
        const m = TOKEN_ID_PIECE.exec(piece);
        if (!m) throw unexpected(engine, `choice ${i}: token "${piece}" is not "token_id:N" (return_tokens_as_token_ids unsupported?)`);
        return Number(m[1]);
      });
    }
    if (tokens.length !== logprobs.length) {
      throw unexpected(engine, `choice ${i} has ${tokens.length} tokens but ${logprobs.length} log-probs`);
    }
    return { tokens, text: c.text, logprobs, finishReason: finishReason(c.finish_reason) };
  });
}

const embeddingsResponse = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
});

/** Vectors in input order from an OpenAI `/v1/embeddings` response. */
export function parseEmbeddingsResponse(body: unknown, count: number, engine: string): number[][] {
  const { data } = parseWith(embeddingsResponse, body, engine);
  return byIndex(data, count, engine).map((d) => d.embedding);
}
