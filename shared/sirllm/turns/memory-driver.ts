/**
 * The engine side of a SirLLM turn, behind one small port so that the session routes, the OpenAI-compatible chat
 * endpoint and the evaluation runner walk turns the same way on every engine. A driver runs one turn on the memory the
 * turn's eviction step left (REFERENCE.md §2): the turn's tokens are fed after it, options are probed and rolled back,
 * a reply is sampled, and every token comes back with what the model said about it, from which the entropy preset
 * computes what enters memory (`turn-entropies.ts`).
 *
 * Two memory levels (recorded with every result):
 * - `kv` (`sequence-driver.ts`, the embedded engine): the session's live llama.cpp sequence; the eviction step erases
 *   the evicted ranges from its KV cache and shifts the rest, so kept tokens keep what they computed with evicted ones
 *   (true SirLLM). When the sequence no longer holds the session (another session or call used it), it is rebuilt
 *   from the persisted token ids.
 * - `token` (`stateless-driver.ts` on vLLM, SGLang, SageMaker; `sequence-driver.ts` on the embedded engine): every
 *   turn sends the kept token ids plus the new turn, so kept tokens are recomputed on the kept tokens alone.
 */
import type { Engine, GenerateParams } from "../../engines/engine.js";
import type { PositionRange } from "../memory/position-ranges.js";

/** `kv`: a live KV cache per session, evicted in place; `token`: kept token ids re-sent every turn. */
export type MemoryLevel = "kv" | "token";

/** What the model said about one token fed into (or probed after, or generated onto) working memory. */
export interface FedToken {
  readonly token: number;
  /** log p(token | working memory before it); null for the first token of an empty memory (nothing predicts it). */
  readonly logprob: number | null;
  /**
   * log p(X = the previous token's id | working memory before this token): the authors' previous-token quirk (the
   * `reference` entropy preset). Null for the first token of an empty memory, and on drivers that cannot read the
   * probability of an arbitrary token id.
   */
  readonly previousLogprob: number | null;
  /** The most likely token at this position, null where the driver cannot say. */
  readonly argmax: number | null;
}

/** A sampled reply, every token appended to working memory. */
export interface SampledReply {
  readonly tokens: readonly FedToken[];
  /** The reply's text (special tokens render as nothing; a stop string and what follows are cut). */
  readonly text: string;
  readonly finishReason: "stop" | "length";
}

/** The engine work of one turn, on working memory = the kept memory, then whatever was fed or generated. */
export interface TurnWork {
  /** Appends `tokens` to working memory; one entry per token. */
  feed(tokens: readonly number[]): Promise<FedToken[]>;
  /** Scores each candidate as if appended, and leaves working memory as it was; one list per candidate. */
  probe(candidates: readonly (readonly number[])[]): Promise<FedToken[][]>;
  /**
   * Samples up to `params.maxTokens` tokens after working memory (raw log-probs: before temperature), appending
   * each; `onText` receives the reply's text as it grows (drivers that cannot stream call it once at the end).
   * Needs a non-empty working memory.
   */
  generate(params: GenerateParams, onText?: (delta: string) => void): Promise<SampledReply>;
}

/** One turn's memory as the driver needs it. */
export interface TurnMemory {
  /** The session (a KV-level driver keeps its sequence resident per owner). */
  readonly owner: string;
  /** Token ids in memory before the eviction step. */
  readonly before: readonly number[];
  /** Positions of `before` the eviction step removed, ascending (empty when nothing was evicted). */
  readonly evicted: readonly PositionRange[];
}

/** Runs turns on one engine at one memory level. */
export interface MemoryDriver {
  readonly level: MemoryLevel;
  readonly engine: Engine;
  /** Whether `FedToken.previousLogprob` is filled in (so the `reference` entropy preset can run). */
  readonly arbitraryTokenLogprobs: boolean;
  /** Runs `work` on the memory the eviction step leaves (`memory.before` less `memory.evicted`). */
  turn<T>(memory: TurnMemory, work: (turn: TurnWork) => Promise<T>): Promise<T>;
}

/** `before` less the evicted ranges: the kept token ids, in order. */
export function keptTokens(memory: Pick<TurnMemory, "before" | "evicted">): number[] {
  const kept: number[] = [];
  let next = 0;
  for (const range of memory.evicted) {
    for (let p = next; p < range.start; p++) kept.push(memory.before[p]!);
    next = range.end;
  }
  for (let p = next; p < memory.before.length; p++) kept.push(memory.before[p]!);
  return kept;
}
