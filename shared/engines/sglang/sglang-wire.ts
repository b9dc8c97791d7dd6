/**
 * Pure bodies and parsers for SGLang's native `/generate` endpoint. No I/O here.
 *
 * Scoring sends token ids with `sampling_params: {max_new_tokens: 0}`, `return_logprob: true` and
 * `logprob_start_len: k`; `meta_info.input_token_logprobs` then holds `[logprob, token_id, text|null]` for prompt
 * positions k, k+1, …, n−1, and the entry at position k is ALWAYS `[null, …]` (SGLang pads the first one: its
 * log-prob would need the logits of position k−1, which the request said not to compute). So to score from
 * position p the request asks for k = p − 1 and drops the first entry. The radix cache is reused for positions
 * below k, so the suffixes of one prefix share the prefix's prefill.
 */
import { z } from "zod";
import { EngineError } from "../../errors.js";
import type { GenerateParams, GenerateRequest, GenerateResult, ScoreRequest, ScoreResult } from "../engine.js";
import { assertScoreRequest, finishReason } from "../openai-compatible/completions-wire.js";

export interface SglangSamplingParams {
  max_new_tokens: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  sampling_seed?: number;
}

/** A batched `/generate` body: one entry per prompt in every list. */
export interface SglangGenerateBody {
  input_ids: number[][];
  sampling_params: SglangSamplingParams[];
  return_logprob: boolean;
  logprob_start_len?: number[];
}

/** The `logprob_start_len` that returns exactly positions `from`… (plus the null-padded one before). */
export function logprobStartLen(from: number): number {
  return from - 1;
}

/**
 * One batched body scoring every request. Requests sharing a prefix should be sent together: SGLang's radix cache
 * then computes the prefix once.
 *
 * @example buildSglangScoreBody([{tokens: [1, 5, 9], from: 2}])
 * // {input_ids: [[1, 5, 9]], sampling_params: [{max_new_tokens: 0}], return_logprob: true, logprob_start_len: [1]}
 */
export function buildSglangScoreBody(requests: readonly ScoreRequest[]): SglangGenerateBody {
  requests.forEach(assertScoreRequest);
  return {
    input_ids: requests.map((r) => [...r.tokens]),
    sampling_params: requests.map(() => ({ max_new_tokens: 0 })),
    return_logprob: true,
    logprob_start_len: requests.map((r) => logprobStartLen(r.from)),
  };
}

const entry = z.tuple([z.number().nullable(), z.number().int(), z.string().nullable()]).rest(z.unknown());

const output = z.object({
  text: z.string().optional(),
  meta_info: z.object({
    input_token_logprobs: z.array(entry).nullish(),
    output_token_logprobs: z.array(entry).nullish(),
    finish_reason: z.object({ type: z.string() }).nullish(),
  }),
});

function unexpected(engine: string, what: string, cause?: unknown): EngineError {
  return new EngineError(`${engine}: unexpected /generate response: ${what}`, { retryable: false, engine, cause });
}

/** The per-prompt outputs of a batched `/generate` call, checked for count. */
function outputs(body: unknown, count: number, engine: string): z.infer<typeof output>[] {
  const parsed = z.array(output).safeParse(body);
  if (!parsed.success) throw unexpected(engine, z.prettifyError(parsed.error), parsed.error);
  if (parsed.data.length !== count) throw unexpected(engine, `expected ${count} outputs, got ${parsed.data.length}`);
  return parsed.data;
}

/**
 * Log p of each scored token from a response to {@link buildSglangScoreBody}. Every returned token id is checked
 * against the prompt, so a server that counts positions differently fails loudly instead of shifting scores by one.
 */
export function parseSglangScoreResponse(body: unknown, requests: readonly ScoreRequest[], engine: string): ScoreResult[] {
  return outputs(body, requests.length, engine).map((o, i) => {
    const req = requests[i]!;
    const start = logprobStartLen(req.from);
    const entries = o.meta_info.input_token_logprobs;
    if (!entries) throw unexpected(engine, `output ${i} has no input_token_logprobs`);
    if (entries.length !== req.tokens.length - start) {
      throw unexpected(engine, `output ${i} has ${entries.length} input log-probs, expected ${req.tokens.length - start}`);
    }
    const logprobs: number[] = [];
    entries.forEach(([lp, id], j) => {
      const pos = start + j;
      if (id !== req.tokens[pos]) {
        throw unexpected(engine, `output ${i} position ${pos} is token ${id}, the prompt has ${req.tokens[pos]}`);
      }
      if (j === 0) return; // the null-padded entry at logprob_start_len
      if (lp === null) throw unexpected(engine, `output ${i} position ${pos} has a null log-prob`);
      logprobs.push(lp);
    });
    return { logprobs };
  });
}

/** SGLang's sampling parameters for assay's; temperature defaults to 0 (greedy). */
export function sglangSamplingParams(p: GenerateParams): SglangSamplingParams {
  const out: SglangSamplingParams = { max_new_tokens: p.maxTokens, temperature: p.temperature ?? 0 };
  if (p.topP !== undefined) out.top_p = p.topP;
  if (p.stop?.length) out.stop = [...p.stop];
  if (p.seed !== undefined) out.sampling_seed = p.seed;
  return out;
}

/** One batched body generating for every request (SGLang takes per-prompt sampling parameters). */
export function buildSglangGenerateBody(requests: readonly GenerateRequest[]): SglangGenerateBody {
  return {
    input_ids: requests.map((r) => [...r.prompt]),
    sampling_params: requests.map((r) => sglangSamplingParams(r.params)),
    return_logprob: true,
  };
}

/** Generated tokens, text and log-probs from a response to {@link buildSglangGenerateBody}. */
export function parseSglangGenerateResponse(body: unknown, count: number, engine: string): GenerateResult[] {
  return outputs(body, count, engine).map((o, i) => {
    const entries = o.meta_info.output_token_logprobs ?? [];
    const tokens: number[] = [];
    const logprobs: number[] = [];
    for (const [lp, id] of entries) {
      if (lp === null) throw unexpected(engine, `output ${i} has a null output log-prob`);
      tokens.push(id);
      logprobs.push(lp);
    }
    return { tokens, text: o.text ?? "", logprobs, finishReason: finishReason(o.meta_info.finish_reason?.type) };
  });
}
