/**
 * Pure bodies and parsers for Hugging Face TGI containers (SageMaker's `huggingface-pytorch-tgi-inference`).
 * TGI takes text, not token ids, so prompts travel as text and come back re-tokenised: scoring asks for
 * `decoder_input_details` and reads `details.prefill = [{id, text, logprob}]` (first entry's log-prob null), then
 * checks that the ids TGI used are the ids assay meant — a mismatch fails loudly rather than scoring other tokens.
 */
import { z } from "zod";
import { EngineError } from "../../errors.js";
import type { GenerateParams, GenerateResult, ScoreRequest, ScoreResult } from "../engine.js";

export interface TgiBody {
  inputs: string;
  parameters: {
    max_new_tokens: number;
    details: true;
    decoder_input_details?: boolean;
    do_sample?: boolean;
    temperature?: number;
    top_p?: number;
    seed?: number;
    stop?: string[];
  };
}

/** TGI cannot generate zero tokens: one is generated and ignored. */
export function buildTgiScoreBody(text: string): TgiBody {
  return { inputs: text, parameters: { max_new_tokens: 1, details: true, decoder_input_details: true, do_sample: false } };
}

/** Greedy unless a positive temperature is asked for (TGI rejects temperature 0). */
export function buildTgiGenerateBody(text: string, p: GenerateParams): TgiBody {
  const body: TgiBody = { inputs: text, parameters: { max_new_tokens: p.maxTokens, details: true } };
  const t = p.temperature ?? 0;
  body.parameters.do_sample = t > 0;
  if (t > 0) body.parameters.temperature = t;
  // TGI wants top_p strictly inside (0, 1); 1 means "off" anyway.
  if (p.topP !== undefined && p.topP > 0 && p.topP < 1) body.parameters.top_p = p.topP;
  if (p.seed !== undefined) body.parameters.seed = p.seed;
  if (p.stop?.length) body.parameters.stop = [...p.stop];
  return body;
}

const token = z.object({ id: z.number().int(), text: z.string(), logprob: z.number().nullable() });
const tgiOutput = z.object({
  generated_text: z.string(),
  details: z
    .object({
      finish_reason: z.string(),
      prefill: z.array(token).nullish(),
      tokens: z.array(token),
    })
    .nullish(),
});

function unexpected(engine: string, what: string, cause?: unknown): EngineError {
  return new EngineError(`${engine}: unexpected TGI response: ${what}`, { retryable: false, engine, cause });
}

/** TGI's `/generate` answers an object; SageMaker's `/invocations` wraps it in a one-element list. */
function one(body: unknown, engine: string): z.infer<typeof tgiOutput> {
  const parsed = tgiOutput.safeParse(Array.isArray(body) ? body[0] : body);
  if (!parsed.success) throw unexpected(engine, z.prettifyError(parsed.error), parsed.error);
  if (!parsed.data.details) throw unexpected(engine, "no details (was details: true sent?)");
  return parsed.data;
}

/**
 * Log p of each scored token of `request` from a response to {@link buildTgiScoreBody}. TGI may have put a BOS in
 * front of the text it was sent; one extra leading token is allowed, any other difference is an error.
 */
export function parseTgiScoreResponse(body: unknown, request: ScoreRequest, engine: string): ScoreResult {
  const prefill = one(body, engine).details!.prefill;
  if (!prefill) throw unexpected(engine, "no details.prefill (was decoder_input_details: true sent?)");
  const offset = prefill.length - request.tokens.length;
  const same = (o: number) => request.tokens.every((t, k) => prefill[k + o]?.id === t);
  if (!((offset === 0 || offset === 1) && same(offset))) {
    throw unexpected(
      engine,
      `TGI tokenised the prompt as [${prefill.map((t) => t.id).join(", ")}], not [${request.tokens.join(", ")}]; ` +
        `text round-trips through this tokenizer are lossy, use an endpoint that takes token ids (format "vllm")`,
    );
  }
  const logprobs: number[] = [];
  for (let k = request.from; k < request.tokens.length; k++) {
    const lp = prefill[k + offset]!.logprob;
    if (lp === null) throw unexpected(engine, `prefill position ${k + offset} has no log-prob`);
    logprobs.push(lp);
  }
  return { logprobs };
}

/** Generated tokens, text and log-probs from a response to {@link buildTgiGenerateBody}. */
export function parseTgiGenerateResponse(body: unknown, engine: string): GenerateResult {
  const out = one(body, engine);
  const details = out.details!;
  const logprobs = details.tokens.map((t, k) => {
    if (t.logprob === null) throw unexpected(engine, `generated token ${k} has no log-prob`);
    return t.logprob;
  });
  return {
    tokens: details.tokens.map((t) => t.id),
    text: out.generated_text,
    logprobs,
    finishReason: details.finish_reason === "length" ? "length" : "stop",
  };
}
