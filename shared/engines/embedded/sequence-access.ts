/**
 * The embedded engine's extra surface (direct access to its llama.cpp sequence), apart from its implementation so that
 * code which only asks "is this the embedded engine?" (SirLLM's driver choice) never loads llama.cpp: Lambda bundles
 * must not import node-llama-cpp.
 */
import type { LlamaContextSequence } from "node-llama-cpp";
import type { DetailedLogprobsEngine } from "../detailed-logprobs.js";
import type { LogitsSequence } from "./logits-sequence.js";

/**
 * Exclusive access to the engine's llama.cpp sequence for one call of {@link EmbeddedEngine.withSequence}: the raw
 * sequence (evaluate, `eraseContextTokenRanges`), the logit-row helper over it, and what a caller needs to sample.
 */
export interface SequenceAccess {
  readonly sequence: LlamaContextSequence;
  /** Logit rows over `sequence` (shares what the KV cache holds; see `LogitsSequence`). */
  readonly logits: LogitsSequence;
  /**
   * True when the sequence still holds exactly what the same `owner` left in it at the end of its previous
   * `withSequence` (nothing else ran on it since); false after any other use, a failure, or for a call with no owner.
   */
  readonly resident: boolean;
  /** Entries per logit row. */
  readonly vocabSize: number;
  /** End of generation (EOS, EOT, …). */
  isEndOfGeneration(token: number): boolean;
  /** Text of `tokens`, special tokens rendered as nothing; `context` (tokens before them) gets leading spaces right. */
  decode(tokens: readonly number[], context: readonly number[]): string;
}

/** Options of {@link EmbeddedEngine.withSequence}. */
export interface SequenceOptions {
  /**
   * Keep what `fn` leaves in the sequence for the next call with the same owner (a KV-level SirLLM session). Any other
   * call in between clears it first, so other work never reuses a KV cache it did not compute.
   */
  readonly owner?: string;
}

/** The embedded engine: the {@link Engine} interface plus ranks/top alternatives and direct KV-sequence access. */
export interface EmbeddedEngine extends DetailedLogprobsEngine {
  readonly kind: "embedded";
  /**
   * Runs `fn` with exclusive use of the engine's llama.cpp sequence (KV-level SirLLM: evaluate, then drop token
   * ranges with `eraseContextTokenRanges`); other calls wait. Without an owner the sequence is cleared afterwards.
   */
  withSequence<T>(fn: (access: SequenceAccess) => Promise<T>, options?: SequenceOptions): Promise<T>;
}

/** Whether `engine` gives direct sequence access (the embedded engine, used as built rather than through a pool). */
export function hasSequenceAccess(engine: { kind: string }): engine is EmbeddedEngine {
  return engine.kind === "embedded" && typeof (engine as Partial<EmbeddedEngine>).withSequence === "function";
}

