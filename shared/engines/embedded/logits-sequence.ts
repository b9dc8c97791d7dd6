import type { ControlledEvaluateInputItem, LlamaContextSequence, Token } from "node-llama-cpp";

/**
 * One llama.cpp sequence plus the logits of its last token, so a caller can ask for "the sequence holding exactly
 * these tokens, and the logit rows from position p on" and only the tokens that differ from what the KV cache holds
 * are evaluated. Scoring suffixes of one prefix then costs the prefix once: the prefix stays in the cache, each suffix
 * is erased after use (`eraseContextTokenRanges`), and the prefix's final row (which predicts a suffix's first token)
 * is kept here because llama.cpp does not keep logits of already-evaluated tokens.
 *
 * Not safe for concurrent use: the engine serialises every call through its queue.
 */
export class LogitsSequence {
  /** Logits after the sequence's last token, or null when unknown (after an erase, a failure or outside use). */
  private lastRow: Float64Array | null = null;

  constructor(
    private readonly sequence: LlamaContextSequence,
    private readonly vocabSize: number,
  ) {}

  /** The tokens the KV cache holds now. */
  get tokens(): readonly number[] {
    return this.sequence.contextTokens;
  }

  /**
   * Makes the sequence hold exactly `tokens` (sharing what it already holds) and calls `onRow(p, row)` for every
   * position p from `first` to `tokens.length - 1` in order, where `row` is the logits for the token after p.
   * `first` must be in [0, tokens.length - 1].
   */
  async rows(
    tokens: readonly number[],
    first: number,
    onRow: (position: number, row: Float64Array) => void,
  ): Promise<void> {
    const n = tokens.length;
    const held = this.sequence.contextTokens;
    let common = 0;
    while (common < held.length && common < n && held[common] === tokens[common]) common++;
    // Positions below `common` are cached; their rows are unknown except the last held one.
    const cachedRow = common === held.length && common > 0 ? this.lastRow : null;
    let keep: number;
    if (first >= common) keep = common;
    else if (first === common - 1 && cachedRow !== null) keep = common;
    else keep = first;

    if (keep < held.length) {
      this.lastRow = null;
      if (keep === 0) await this.sequence.clearHistory();
      else await this.sequence.eraseContextTokenRanges([{ start: keep, end: held.length }]);
    }
    if (first < keep) onRow(first, cachedRow!);
    if (keep === n) return;

    const input: ControlledEvaluateInputItem[] = [];
    for (let p = keep; p < n; p++) {
      const token = tokens[p] as Token;
      input.push(p >= first ? [token, { generateNext: { logits: true } }] : token);
    }
    this.lastRow = null;
    const results = await this.sequence.controlledEvaluate(input);
    let last: Float64Array | null = null;
    for (let i = 0; i < input.length; i++) {
      const p = keep + i;
      if (p < first) continue;
      const logits = results[i]?.next.logits;
      if (!logits) throw new Error(`llama.cpp returned no logits for position ${p}`);
      last = this.toRow(logits);
      onRow(p, last);
    }
    this.lastRow = last;
  }

  /** Appends one token and returns the logits that follow it. */
  async push(token: number): Promise<Float64Array> {
    this.lastRow = null;
    const [result] = await this.sequence.controlledEvaluate([[token as Token, { generateNext: { logits: true } }]]);
    const logits = result?.next.logits;
    if (!logits) throw new Error("llama.cpp returned no logits for a generated token");
    this.lastRow = this.toRow(logits);
    return this.lastRow;
  }

  /**
   * Drops every token from `length` on and records `row` as the logits after the new last token (the caller kept
   * it from when that token was evaluated). Used to roll back to a shared prefix between suffixes.
   */
  async truncate(length: number, row: Float64Array): Promise<void> {
    const held = this.sequence.contextTokens.length;
    if (length > held) throw new Error(`cannot truncate a ${held}-token sequence to ${length}`);
    this.lastRow = null;
    if (length < held) await this.sequence.eraseContextTokenRanges([{ start: length, end: held }]);
    this.lastRow = row;
  }

  /** Forget the cached row (someone else changed the sequence) and, if `clear`, empty the KV cache. */
  async reset(clear: boolean): Promise<void> {
    this.lastRow = null;
    if (clear) await this.sequence.clearHistory();
  }

  /** node-llama-cpp returns logits as a Map sorted by value; scoring wants them indexed by token id. */
  private toRow(logits: Map<number, number>): Float64Array {
    const row = new Float64Array(this.vocabSize).fill(-Infinity);
    for (const [token, value] of logits) row[token] = value;
    return row;
  }
}
