/**
 * One generation call of a sweep, timed: the prompt text is tokenised (with the model's BOS when it has one, as a
 * chat model's tokenizer would add it), checked against the engine's context, and generated from. The wall-clock
 * covers the generation request only — what the paper times per call — not tokenisation.
 */
import type { MtiDecoding } from "../../../schemas/mti-sweeps.js";
import type { Engine } from "../../engines/engine.js";
import { ValidationError } from "../../errors.js";

/** What one call produced and cost. */
export interface MtiCallResult {
  readonly text: string;
  readonly seconds: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  /** True when the context left less room than `maxTokens` and generation was capped to it. */
  readonly capped: boolean;
}

/** Generates from a prompt text with a given seed. */
export type MtiGenerate = (prompt: string, seed: number) => Promise<MtiCallResult>;

/** Fewest new tokens worth asking for: a prompt that leaves less room than this is refused. */
export const MIN_ROOM_TOKENS = 16;

/**
 * A {@link MtiGenerate} over an engine with the sweep's decoding. A prompt that leaves fewer than
 * {@link MIN_ROOM_TOKENS} tokens of context is refused with a ValidationError (the unit becomes an error line); one
 * that leaves less than `maxTokens` is generated with the room there is, and says so.
 *
 * @example
 * const generate = engineGenerate(engine, { temperature: 0.7, topP: 1, maxTokens: 2048, seed: 0 });
 * const { text, seconds } = await generate("<|user|>\n…\n<|assistant|>\n", 42);
 */
export function engineGenerate(engine: Engine, decoding: MtiDecoding, clock: () => number = () => performance.now()): MtiGenerate {
  return async (prompt, seed) => {
    const tokens = await engine.tokenize(prompt, { bos: engine.bosToken !== null });
    const room = engine.contextSize - tokens.length;
    if (room < MIN_ROOM_TOKENS) {
      throw new ValidationError(
        `the prompt is ${tokens.length} tokens and engine ${engine.name} holds ${engine.contextSize}: no room to answer (at least ${MIN_ROOM_TOKENS} tokens needed)`,
        { promptTokens: tokens.length, contextSize: engine.contextSize },
      );
    }
    const maxTokens = Math.min(decoding.maxTokens, room);
    const started = clock();
    const [result] = await engine.generate([
      { prompt: tokens, params: { maxTokens, temperature: decoding.temperature, topP: decoding.topP, seed } },
    ]);
    const seconds = (clock() - started) / 1000;
    if (result === undefined) throw new Error(`engine ${engine.name} answered no result for one generation request`);
    return { text: result.text, seconds, promptTokens: tokens.length, outputTokens: result.tokens.length, capped: maxTokens < decoding.maxTokens };
  };
}

/**
 * A call's seed from the sweep's base seed and what the call is (run, mode, instance or pair, step): the same unit
 * redelivered draws the same samples, and no two calls of a sweep share a seed by construction of the key.
 * FNV-1a over the key, folded to a non-negative 31-bit integer.
 *
 * @example
 * callSeed(0, 1, "single", "001_3", 2); // the same number every time
 */
export function callSeed(base: number, run: number, mode: string, uid: string, step: number): number {
  const key = `${base}|${run}|${mode}|${uid}|${step}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

/**
 * A {@link MtiGenerate} over a chat-completions engine (`capabilities.chat`): the prompt is the user content, sent as
 * one user message (the server applies the model's own chat template, so the sweep's template does not apply). Token
 * counts are the server's `usage` (0 when it sends none); `maxTokens` is sent as is — a hosted model's context is the
 * server's to enforce, and a refusal becomes the unit's error line.
 *
 * @example
 * const generate = chatGenerate(engine, decoding);
 * await generate("### Example:\n\n…", 42);
 */
export function chatGenerate(engine: Engine, decoding: MtiDecoding, clock: () => number = () => performance.now()): MtiGenerate {
  if (!engine.capabilities.chat || engine.chat === undefined) throw new Error(`engine ${engine.name} does not chat`);
  const chat = engine.chat.bind(engine);
  return async (prompt, seed) => {
    const started = clock();
    const [result] = await chat([
      { messages: [{ role: "user", content: prompt }], params: { maxTokens: decoding.maxTokens, temperature: decoding.temperature, topP: decoding.topP, seed } },
    ]);
    const seconds = (clock() - started) / 1000;
    if (result === undefined) throw new Error(`engine ${engine.name} answered no result for one chat request`);
    return { text: result.text, seconds, promptTokens: result.promptTokens ?? 0, outputTokens: result.outputTokens ?? 0, capped: false };
  };
}
