/**
 * SirLLM turns on the embedded engine's llama.cpp sequence, at either memory level:
 * - `kv`: the sequence stays resident per session between turns. The turn brings it to the session's memory before
 *   the eviction step (reusing what it holds when this session left it there; otherwise rebuilding from the stored
 *   ids), erases the evicted ranges from the KV cache (llama.cpp shifts the later cells and re-rotates their keys), so
 *   kept tokens keep the keys and values they computed with tokens now evicted, as in the authors' code.
 * - `token`: the sequence is rebuilt from the kept ids every turn, which is what a stateless engine computes.
 * Full logit rows are at hand, so every fed token also gets the probability of the previous token's id (the
 * `reference` entropy preset) and its argmax. The first fed token after a non-empty memory is scored by evaluating the
 * last kept token again on the memory as it now stands (one token), so its log-prob conditions on that memory.
 */
import { ValidationError } from "../../errors.js";
import type { GenerateParams } from "../../engines/engine.js";
import type { EmbeddedEngine, SequenceAccess } from "../../engines/embedded/embedded-engine.js";
import { argmax, logNormalizer } from "../../engines/embedded/logits-math.js";
import { chooseToken } from "../../engines/embedded/sampling.js";
import { randomSeed, seededRandom } from "../../engines/embedded/seeded-random.js";
import { findStop } from "../../engines/embedded/stop-strings.js";
import type { Token } from "node-llama-cpp";
import { keptTokens, type FedToken, type MemoryDriver, type MemoryLevel, type SampledReply, type TurnMemory, type TurnWork } from "./memory-driver.js";

/** Tokens of context the detokenizer gets so a reply's leading space comes out right. */
const DETOKENIZE_CONTEXT = 8;

/**
 * A driver on the embedded engine's sequence.
 *
 * @example
 * const driver = sequenceDriver(engine, "kv");
 */
export function sequenceDriver(engine: EmbeddedEngine, level: MemoryLevel): MemoryDriver {
  return {
    level,
    engine,
    arbitraryTokenLogprobs: true,
    turn: <T>(memory: TurnMemory, work: (turn: TurnWork) => Promise<T>) =>
      engine.withSequence(
        async (access) => {
          const kept = keptTokens(memory);
          if (level === "kv") {
            await holdExactly(access, memory.before, access.resident);
            if (memory.evicted.length > 0) {
              await access.logits.reset(false);
              await access.sequence.eraseContextTokenRanges(memory.evicted.map((r) => ({ start: r.start, end: r.end })));
            }
          } else {
            await holdExactly(access, kept, false);
          }
          if (!sameTokens(access.sequence.contextTokens, kept)) {
            throw new Error(`the ${level} sequence holds ${access.sequence.contextTokens.length} tokens, not the ${kept.length} kept`);
          }
          const turn = new SequenceTurn(access, engine.contextSize, kept);
          await turn.start();
          return work(turn);
        },
        level === "kv" ? { owner: memory.owner } : {},
      ),
  };
}

/**
 * Brings the sequence to exactly `tokens`: keeps what it holds when that is a prefix of `tokens` and `reuse` is
 * allowed, otherwise clears it; evaluates the rest (no logits).
 */
async function holdExactly(access: SequenceAccess, tokens: readonly number[], reuse: boolean): Promise<void> {
  const held = access.sequence.contextTokens;
  let from = 0;
  if (reuse && held.length <= tokens.length && held.every((t, i) => t === tokens[i])) from = held.length;
  else await access.logits.reset(true);
  await access.logits.reset(false);
  if (from < tokens.length) await access.sequence.controlledEvaluate(tokens.slice(from).map((t) => t as Token));
}

function sameTokens(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

class SequenceTurn implements TurnWork {
  /** Working memory: what the sequence holds, then `pending` when a reply's last token is not evaluated yet. */
  private readonly memory: number[];
  /** Logits after the last evaluated token; null when memory is empty. */
  private lastRow: Float64Array | null = null;
  private pending: number | null = null;

  constructor(
    private readonly access: SequenceAccess,
    private readonly contextSize: number,
    kept: readonly number[],
  ) {
    this.memory = [...kept];
  }

  /** Scores the last kept token again on memory as it now stands, for the row that predicts the turn's first token. */
  async start(): Promise<void> {
    if (this.memory.length === 0) return;
    await this.access.logits.rows(this.memory, this.memory.length - 1, (_, row) => (this.lastRow = row));
  }

  async feed(tokens: readonly number[]): Promise<FedToken[]> {
    await this.flush();
    this.checkRoom(tokens.length);
    const fed = await this.append(tokens);
    this.memory.push(...tokens);
    return fed;
  }

  async probe(candidates: readonly (readonly number[])[]): Promise<FedToken[][]> {
    await this.flush();
    const length = this.memory.length;
    const row = this.lastRow;
    const results: FedToken[][] = [];
    for (const candidate of candidates) {
      this.checkRoom(candidate.length);
      results.push(await this.append(candidate));
      if (row === null) await this.access.logits.reset(true);
      else await this.access.logits.truncate(length, row);
      this.lastRow = row;
    }
    return results;
  }

  async generate(params: GenerateParams, onText?: (delta: string) => void): Promise<SampledReply> {
    await this.flush();
    if (this.lastRow === null) throw new ValidationError("a reply needs something in memory to follow");
    const budget = Math.min(params.maxTokens, this.contextSize - 1 - this.memory.length);
    const random = seededRandom(params.seed ?? randomSeed());
    const stops = params.stop ?? [];
    const longestStop = Math.max(0, ...stops.map((s) => s.length));
    const context = this.memory.slice(-DETOKENIZE_CONTEXT);
    const tokens: FedToken[] = [];
    const ids: number[] = [];
    let text = "";
    let emitted = 0;
    let finishReason: "stop" | "length" = "length";
    let row = this.lastRow;
    while (ids.length < budget) {
      const token = chooseToken(row, params, random);
      tokens.push(describe(row, token, this.memory[this.memory.length - 1] ?? null));
      ids.push(token);
      this.memory.push(token);
      const previousLength = text.length;
      text = this.access.decode(ids, context);
      if (this.access.isEndOfGeneration(token)) {
        finishReason = "stop";
        break;
      }
      const stop = findStop(text, stops, previousLength - longestStop + 1);
      if (stop) {
        text = text.slice(0, stop.index);
        finishReason = "stop";
        break;
      }
      // Hold back what could still become a stop string, and a character the next token may complete.
      const safe = text.endsWith("\uFFFD") ? text.length - 1 : text.length - Math.max(0, longestStop - 1);
      if (onText && safe > emitted) {
        onText(text.slice(emitted, safe));
        emitted = safe;
      }
      if (ids.length >= budget) break;
      row = await this.access.logits.push(token);
      this.lastRow = row;
    }
    // The last sampled token is in memory but not evaluated yet: the next feed (or turn) evaluates it.
    if (ids.length > 0) this.pending = ids[ids.length - 1]!;
    if (onText && text.length > emitted) onText(text.slice(emitted));
    return { tokens, text, finishReason };
  }

  /** Evaluates `tokens` after working memory (which the sequence holds), reporting each. */
  private async append(tokens: readonly number[]): Promise<FedToken[]> {
    if (tokens.length === 0) return [];
    const base = this.memory.length;
    const all = [...this.memory, ...tokens];
    const fed: FedToken[] = [];
    const first = tokens[0]!;
    fed.push(this.lastRow === null ? { token: first, logprob: null, previousLogprob: null, argmax: null } : describe(this.lastRow, first, this.memory[base - 1] ?? null));
    let last: Float64Array | null = null;
    await this.access.logits.rows(all, base, (p, row) => {
      last = row;
      const k = p + 1 - base;
      if (k < tokens.length) fed.push(describe(row, tokens[k]!, tokens[k - 1]!));
    });
    this.lastRow = last;
    return fed;
  }

  private async flush(): Promise<void> {
    if (this.pending === null) return;
    const token = this.pending;
    this.pending = null;
    this.lastRow = await this.access.logits.push(token);
  }

  /** llama.cpp shifts a sequence that reaches contextSize − 1 tokens (dropping its oldest): never let it. */
  private checkRoom(adding: number): void {
    if (this.memory.length + adding > this.contextSize - 1) {
      throw new ValidationError(`memory (${this.memory.length} tokens) plus ${adding} more exceeds the ${this.contextSize - 1} tokens a session can hold in the engine's ${this.contextSize}-token context`);
    }
  }
}

/** What `row` (the logits before `token`) says about it. */
function describe(row: Float64Array, token: number, previous: number | null): FedToken {
  const normalizer = logNormalizer(row);
  return {
    token,
    logprob: row[token]! - normalizer,
    previousLogprob: previous === null ? null : row[previous]! - normalizer,
    argmax: argmax(row),
  };
}
