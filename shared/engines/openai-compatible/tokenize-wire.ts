/**
 * Pure bodies and parsers for the tokenizer endpoints vLLM and SGLang both serve at the server root (not under
 * `/v1`): `POST /tokenize {model, prompt, add_special_tokens}` → `{tokens, count, max_model_len}` and
 * `POST /detokenize {model, tokens}` → vLLM `{prompt}`, SGLang `{text}`.
 */
import { z } from "zod";
import { EngineError } from "../../errors.js";
import type { TokenizeOptions } from "../engine.js";

export interface TokenizeBody {
  model: string;
  prompt: string;
  add_special_tokens: boolean;
}

export interface DetokenizeBody {
  model: string;
  tokens: number[];
}

/** `bos` maps onto `add_special_tokens`; assay's default is false (presets add BOS explicitly). */
export function buildTokenizeBody(text: string, options: TokenizeOptions | undefined, model: string): TokenizeBody {
  return { model, prompt: text, add_special_tokens: options?.bos ?? false };
}

export function buildDetokenizeBody(tokens: readonly number[], model: string): DetokenizeBody {
  return { model, tokens: [...tokens] };
}

const tokenizeResponse = z.object({ tokens: z.array(z.number().int()) });
const detokenizeResponse = z.union([z.object({ prompt: z.string() }), z.object({ text: z.string() })]);

function bad(engine: string, what: string, cause: unknown): EngineError {
  return new EngineError(`${engine}: unexpected ${what} response`, { retryable: false, engine, cause });
}

export function parseTokenizeResponse(body: unknown, engine: string): number[] {
  const parsed = tokenizeResponse.safeParse(body);
  if (!parsed.success) throw bad(engine, "/tokenize", parsed.error);
  return parsed.data.tokens;
}

export function parseDetokenizeResponse(body: unknown, engine: string): string {
  const parsed = detokenizeResponse.safeParse(body);
  if (!parsed.success) throw bad(engine, "/detokenize", parsed.error);
  return "prompt" in parsed.data ? parsed.data.prompt : parsed.data.text;
}
