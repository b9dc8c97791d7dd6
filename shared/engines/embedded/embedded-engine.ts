import { basename } from "node:path";
import { bulkhead } from "cockatiel";
import type { LlamaContext, LlamaContextSequence, LlamaEmbeddingContext, LlamaModel, Token } from "node-llama-cpp";
import { AssayError, ConfigurationError, EngineError, ValidationError } from "../../errors.js";
import type {
  EmbedOptions,
  EngineCapabilities,
  GenerateRequest,
  GenerateResult,
  ScoreRequest,
  ScoreResult,
  SuffixScoreRequest,
  TokenizeOptions,
} from "../engine.js";
import type {
  DetailOptions,
  DetailedGenerateResult,
  DetailedLogprobsEngine,
  DetailedScoreResult,
  TokenLogprobDetail,
} from "../detailed-logprobs.js";
import type { JinjaChatTemplateSpec } from "../../../schemas/chat-templates.js";
import { ggufChatTemplateSpec } from "../../chat/gguf-chat-template.js";
import { loadLlamaRuntime } from "./llama-runtime.js";
import { LogitsSequence } from "./logits-sequence.js";
import type { EmbeddedEngine, SequenceAccess, SequenceOptions } from "./sequence-access.js";
import { logNormalizer, rankOf, topTokens } from "./logits-math.js";
import { chooseToken } from "./sampling.js";
import { randomSeed, seededRandom } from "./seeded-random.js";
import { findStop } from "./stop-strings.js";

export interface EmbeddedEngineOptions {
  /** The registry name. */
  readonly name: string;
  /** A .gguf file. */
  readonly modelPath: string;
  /** Tokens the context holds (prompt + generation). Default: the model's training context, at most 512. */
  readonly contextSize?: number;
  /** llama.cpp threads. Default 1: more threads than free cores runs hundreds of times slower. */
  readonly threads?: number;
  /** Offload to a GPU when node-llama-cpp has a prebuilt binary for it. Default false. */
  readonly gpu?: boolean;
  /**
   * llama.cpp's flash attention. Default: llama.cpp's choice (on for this build). On CPU it makes long prompts slower
   * (stories260K, 3,000 tokens: prefill 2.5-3.0 s on, 0.7-0.8 s off), so long-context local use may turn it off;
   * results move within the log-prob tolerance (see shared/numerics/logprob-tolerance.ts: flash attention off vs on).
   */
  readonly flashAttention?: boolean;
  /**
   * llama.cpp sequences kept for KV-level SirLLM sessions (`withSequence` with an owner), each resident for one
   * session at a time; the least recently used goes to a session that has none. Each holds a context's worth of KV
   * cache (stories260K: next to nothing; a 7B model at 4k tokens: about 2 GB at f16). Default 0: sessions share the
   * engine's one sequence, and a session's turn after any other work on the engine rebuilds its memory.
   */
  readonly sessionSequences?: number;
}

export type { EmbeddedEngine, SequenceAccess, SequenceOptions } from "./sequence-access.js";
export { hasSequenceAccess } from "./sequence-access.js";

const DEFAULT_CONTEXT = 512;
/** Special tokens node-llama-cpp adds around a text it embeds. */
const EMBEDDING_SPECIAL_TOKENS = 2;
/** How many preceding tokens to give the detokenizer so a continuation's leading space comes out right. */
const DETOKENIZE_CONTEXT = 8;

/**
 * Loads a GGUF model with node-llama-cpp (prebuilt CPU binaries, never a build) and serves it through the
 * {@link Engine} interface. One context with one sequence; every call that touches it runs through a queue, so
 * concurrent requests (from the HTTP face) are served one at a time.
 *
 * @example
 * const engine = await createEmbeddedEngine({ name: "local", modelPath: sharedFile("models/stories260K.gguf") });
 * const [r] = await engine.score([{ tokens: [1, 403, 407], from: 1 }]);
 */
export async function createEmbeddedEngine(options: EmbeddedEngineOptions): Promise<EmbeddedEngine> {
  const threads = options.threads ?? 1;
  let model: LlamaModel;
  let context: LlamaContext;
  try {
    const llama = await loadLlamaRuntime(options.gpu ?? false);
    model = await llama.loadModel({ modelPath: options.modelPath, ...(options.gpu ? {} : { gpuLayers: 0 }) });
  } catch (cause) {
    throw new ConfigurationError(`cannot load model ${options.modelPath}: ${String(cause)}`, null, { cause });
  }
  const contextSize = options.contextSize ?? Math.min(model.trainContextSize, DEFAULT_CONTEXT);
  const sessionSequences = options.sessionSequences ?? 0;
  if (!Number.isInteger(sessionSequences) || sessionSequences < 0) throw new ConfigurationError(`sessionSequences must be a non-negative integer, got ${sessionSequences}`);
  try {
    // Each sequence gets its own contextSize of KV cells (node-llama-cpp allocates contextSize × sequences).
    context = await model.createContext({ contextSize, threads, sequences: 1 + sessionSequences, ...(options.flashAttention !== undefined ? { flashAttention: options.flashAttention } : {}) });
  } catch (cause) {
    await model.dispose();
    throw new ConfigurationError(`cannot create a ${contextSize}-token context: ${String(cause)}`, null, { cause });
  }
  return new LlamaCppEngine(options.name, model, context, contextSize, threads, sessionSequences);
}

/** A sequence kept for sessions, and whose memory it holds. */
interface SessionSlot {
  readonly sequence: LlamaContextSequence;
  readonly logits: LogitsSequence;
  owner: string | null;
  lastUsed: number;
}

class LlamaCppEngine implements EmbeddedEngine {
  readonly kind = "embedded" as const;
  readonly model: string;
  readonly bosToken: number | null;
  readonly capabilities: EngineCapabilities = {
    promptLogprobs: true,
    sharedPrefix: true,
    generate: true,
    embeddings: true,
    kvSequences: true,
    chat: false,
  };
  private readonly vocabSize: number;
  private readonly sequence: LlamaContextSequence;
  private readonly logits: LogitsSequence;
  /** One call at a time on the one sequence; waiting calls queue without bound (cockatiel, as in `withResilience`). */
  private readonly queue = bulkhead(1, Infinity);
  private embeddingContext: Promise<LlamaEmbeddingContext> | null = null;
  private closed = false;
  /** Who left the sequence's content for a later `withSequence` (see {@link SequenceOptions.owner}); null: nobody. */
  private sequenceOwner: string | null = null;
  /** Sequences kept for sessions (`sessionSequences`); empty: sessions use the one above. */
  private readonly slots: SessionSlot[] = [];
  private slotClock = 0;

  constructor(
    readonly name: string,
    private readonly llamaModel: LlamaModel,
    private readonly context: LlamaContext,
    readonly contextSize: number,
    private readonly threads: number,
    sessionSequences: number,
  ) {
    this.model = basename(llamaModel.filename ?? "model", ".gguf");
    this.bosToken = llamaModel.tokens.bos;
    this.vocabSize = vocabularySize(llamaModel);
    this.sequence = context.getSequence();
    this.logits = new LogitsSequence(this.sequence, this.vocabSize);
    for (let i = 0; i < sessionSequences; i++) {
      const sequence = context.getSequence();
      this.slots.push({ sequence, logits: new LogitsSequence(sequence, this.vocabSize), owner: null, lastUsed: 0 });
    }
  }

  modelChatTemplate(): JinjaChatTemplateSpec | null {
    return ggufChatTemplateSpec(this.llamaModel.fileInfo.metadata);
  }

  async tokenize(text: string, options: TokenizeOptions = {}): Promise<number[]> {
    this.assertOpen();
    const tokens = text === "" ? [] : this.llamaModel.tokenize(text, false);
    return options.bos && this.bosToken !== null ? [this.bosToken, ...tokens] : tokens;
  }

  async detokenize(tokens: readonly number[]): Promise<string> {
    this.assertOpen();
    this.checkTokens(tokens, "tokens");
    return this.decode(tokens, []);
  }

  async score(requests: readonly ScoreRequest[]): Promise<ScoreResult[]> {
    const detailed = await this.scoreDetailed(requests, { topK: 0 });
    return detailed.map((r) => ({ logprobs: r.positions.map((p) => p.logprob) }));
  }

  async scoreDetailed(requests: readonly ScoreRequest[], options: DetailOptions): Promise<DetailedScoreResult[]> {
    requests.forEach((r, i) => this.checkScoreRequest(r.tokens, r.from, `requests[${i}]`));
    return this.run(async () => {
      const results: DetailedScoreResult[] = [];
      for (const r of requests) results.push({ positions: await this.scoreOne(r.tokens, r.from, options.topK) });
      return results;
    });
  }

  async scoreSuffixes(request: SuffixScoreRequest): Promise<ScoreResult[]> {
    const { prefix, suffixes } = request;
    if (prefix.length === 0) throw new ValidationError("scoreSuffixes needs a non-empty prefix");
    this.checkTokens(prefix, "prefix");
    suffixes.forEach((s, i) => {
      const full = [...prefix, ...s.tokens];
      this.checkScoreRequest(full, prefix.length + s.from, `suffixes[${i}]`);
    });
    return this.run(async () => {
      // Evaluate the prefix once and keep the logits after its last token (they predict each suffix's first token);
      // between suffixes the cache is rolled back to exactly the prefix.
      let prefixRow: Float64Array | null = null;
      await this.logits.rows(prefix, prefix.length - 1, (_, row) => (prefixRow = row));
      const results: ScoreResult[] = [];
      for (const s of suffixes) {
        await this.logits.truncate(prefix.length, prefixRow!);
        const positions = await this.scoreOne([...prefix, ...s.tokens], prefix.length + s.from, 0);
        results.push({ logprobs: positions.map((p) => p.logprob) });
      }
      return results;
    });
  }

  async generate(requests: readonly GenerateRequest[]): Promise<GenerateResult[]> {
    const detailed = await this.generateDetailed(requests, { topK: 0 });
    return detailed.map(({ tokens, text, logprobs, finishReason }) => ({ tokens, text, logprobs, finishReason }));
  }

  async generateDetailed(requests: readonly GenerateRequest[], options: DetailOptions): Promise<DetailedGenerateResult[]> {
    requests.forEach((r, i) => this.checkGenerateRequest(r, `requests[${i}]`));
    return this.run(async () => {
      const results: DetailedGenerateResult[] = [];
      for (const r of requests) results.push(await this.generateOne(r, options.topK));
      return results;
    });
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    this.assertOpen();
    const tokenized = texts.map((t, i) => {
      const tokens = this.llamaModel.tokenize(t, false);
      if (tokens.length === 0) throw new ValidationError(`texts[${i}] is empty`);
      // node-llama-cpp wraps embedding input in BOS and EOS: with a 512-token context, 510 text tokens fit.
      const usable = this.contextSize - EMBEDDING_SPECIAL_TOKENS;
      if (tokens.length > usable) {
        if (options.truncate) return tokens.slice(0, usable);
        throw new ValidationError(`texts[${i}] has ${tokens.length} tokens; the context holds ${usable} for embedding`);
      }
      return tokens;
    });
    return this.run(async () => {
      this.embeddingContext ??= this.llamaModel.createEmbeddingContext({
        contextSize: this.contextSize,
        threads: this.threads,
      });
      const ctx = await this.embeddingContext;
      const vectors: number[][] = [];
      for (const tokens of tokenized) vectors.push([...(await ctx.getEmbeddingFor(tokens as Token[])).vector]);
      return vectors;
    });
  }

  async withSequence<T>(fn: (access: SequenceAccess) => Promise<T>, options: SequenceOptions = {}): Promise<T> {
    const owner = options.owner ?? null;
    if (owner !== null && this.slots.length > 0) return this.withSessionSlot(owner, fn);
    return this.run(async () => {
      const resident = owner !== null && this.sequenceOwner === owner;
      this.sequenceOwner = null;
      await this.logits.reset(!resident);
      let ok = false;
      try {
        const result = await fn(this.access(this.sequence, this.logits, resident));
        ok = true;
        return result;
      } finally {
        if (ok && owner !== null) this.sequenceOwner = owner;
        else await this.logits.reset(true);
      }
    }, true);
  }

  /** `withSequence` for an owner when sequences are kept for sessions: its own, or the least recently used one. */
  private withSessionSlot<T>(owner: string, fn: (access: SequenceAccess) => Promise<T>): Promise<T> {
    return this.run(async () => {
      let slot = this.slots.find((s) => s.owner === owner);
      const resident = slot !== undefined;
      slot ??= this.slots.reduce((a, b) => (a.owner === null && b.owner !== null ? a : b.owner === null && a.owner !== null ? b : a.lastUsed <= b.lastUsed ? a : b));
      slot.owner = null;
      await slot.logits.reset(!resident);
      try {
        const result = await fn(this.access(slot.sequence, slot.logits, resident));
        slot.owner = owner;
        slot.lastUsed = ++this.slotClock;
        return result;
      } catch (error) {
        await slot.logits.reset(true).catch(() => undefined);
        throw error;
      }
    }, true);
  }

  private access(sequence: LlamaContextSequence, logits: LogitsSequence, resident: boolean): SequenceAccess {
    const model = this.llamaModel;
    return {
      sequence,
      logits,
      resident,
      vocabSize: this.vocabSize,
      isEndOfGeneration: (token) => model.isEogToken(token as Token),
      decode: (tokens, context) => this.decode(tokens, context),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let queued work finish before the native objects go away.
    await this.queue.execute(async () => {
      if (this.embeddingContext) await (await this.embeddingContext.catch(() => null))?.dispose();
      await this.context.dispose();
      await this.llamaModel.dispose();
    });
  }

  private async scoreOne(tokens: readonly number[], from: number, topK: number): Promise<TokenLogprobDetail[]> {
    const positions: TokenLogprobDetail[] = [];
    if (from >= tokens.length) return positions;
    await this.logits.rows(tokens, from - 1, (p, row) => {
      if (p + 1 < tokens.length) positions.push(describe(row, tokens[p + 1]!, topK));
    });
    return positions;
  }

  private async generateOne(request: GenerateRequest, topK: number): Promise<DetailedGenerateResult> {
    const { prompt, params } = request;
    const tokens: number[] = [];
    const steps: TokenLogprobDetail[] = [];
    const stops = params.stop ?? [];
    const longestStop = Math.max(0, ...stops.map((s) => s.length));
    const budget = Math.min(params.maxTokens, this.contextSize - prompt.length);
    const random = seededRandom(params.seed ?? randomSeed());
    const context = prompt.slice(-DETOKENIZE_CONTEXT);
    let text = "";
    let finishReason: "stop" | "length" = "length";
    let stopReason: string | null = null;
    if (params.maxTokens === 0) return { tokens, text, logprobs: [], finishReason, steps, stopReason };

    let row: Float64Array | null = null;
    await this.logits.rows(prompt, prompt.length - 1, (_, r) => (row = r));
    while (tokens.length < budget) {
      const token = chooseToken(row!, params, random);
      tokens.push(token);
      steps.push(describe(row!, token, topK));
      if (this.llamaModel.isEogToken(token as Token)) {
        finishReason = "stop";
        text = this.decode(tokens, context);
        break;
      }
      const previousLength = text.length;
      text = this.decode(tokens, context);
      const stop = findStop(text, stops, previousLength - longestStop + 1);
      if (stop) {
        text = text.slice(0, stop.index);
        finishReason = "stop";
        stopReason = stop.stop;
        break;
      }
      if (tokens.length < budget) row = await this.logits.push(token);
    }
    return { tokens, text, logprobs: steps.map((s) => s.logprob), finishReason, steps, stopReason };
  }

  /** Special tokens (BOS, EOS) render as nothing, as in vLLM's `skip_special_tokens`. */
  private decode(tokens: readonly number[], context: readonly number[]): string {
    const plain = (tokens as readonly Token[]).filter((t) => !this.llamaModel.isSpecialToken(t));
    const lead = (context as readonly Token[]).filter((t) => !this.llamaModel.isSpecialToken(t));
    return this.llamaModel.detokenize(plain, false, lead.length > 0 ? lead : undefined);
  }

  /** Serialises work on the one sequence and turns native failures into {@link EngineError}. */
  private run<T>(work: () => Promise<T>, sequenceCall = false): Promise<T> {
    this.assertOpen();
    return this.queue.execute(async () => {
      this.assertOpen();
      try {
        // A session's KV cache (kept tokens computed with since-evicted ones) must never pass for a plain prefix.
        if (!sequenceCall && this.sequenceOwner !== null) {
          this.sequenceOwner = null;
          await this.logits.reset(true);
        }
        return await work();
      } catch (error) {
        this.sequenceOwner = null;
        await this.logits.reset(true).catch(() => undefined);
        if (error instanceof AssayError) throw error;
        throw new EngineError(`embedded engine failed: ${String(error)}`, {
          retryable: true,
          engine: this.name,
          cause: error,
        });
      }
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineError(`engine "${this.name}" is closed`, { retryable: false, engine: this.name });
  }

  /** Out-of-range ids crash llama.cpp's process (std::out_of_range), so they are refused here. */
  private checkTokens(tokens: readonly number[], what: string): void {
    for (const t of tokens) {
      if (!Number.isInteger(t) || t < 0 || t >= this.vocabSize) {
        throw new ValidationError(`${what} holds token id ${t}, outside the vocabulary [0, ${this.vocabSize})`);
      }
    }
  }

  private checkLength(length: number, what: string): void {
    if (length > this.contextSize) {
      throw new ValidationError(`${what} has ${length} tokens; the context holds ${this.contextSize}`, {
        tokens: length,
        contextSize: this.contextSize,
      });
    }
  }

  private checkScoreRequest(tokens: readonly number[], from: number, what: string): void {
    this.assertOpen();
    if (!Number.isInteger(from) || from < 1 || from > tokens.length) {
      throw new ValidationError(`${what}: from must be in [1, ${tokens.length}], got ${from}`);
    }
    this.checkTokens(tokens, what);
    this.checkLength(tokens.length, what);
  }

  private checkGenerateRequest(request: GenerateRequest, what: string): void {
    this.assertOpen();
    const { prompt, params } = request;
    if (prompt.length === 0) throw new ValidationError(`${what}: the prompt is empty`);
    if (!Number.isInteger(params.maxTokens) || params.maxTokens < 0) {
      throw new ValidationError(`${what}: maxTokens must be a non-negative integer`);
    }
    if (params.temperature !== undefined && !(params.temperature >= 0)) {
      throw new ValidationError(`${what}: temperature must be >= 0`);
    }
    if (params.topP !== undefined && !(params.topP > 0 && params.topP <= 1)) {
      throw new ValidationError(`${what}: topP must be in (0, 1]`);
    }
    this.checkTokens(prompt, what);
    this.checkLength(prompt.length, what);
  }
}

/** Log-prob, rank and top-k of `token` in one row of logits. */
function describe(row: Float64Array, token: number, topK: number): TokenLogprobDetail {
  const normalizer = logNormalizer(row);
  return {
    token,
    logprob: row[token]! - normalizer,
    rank: rankOf(row, token),
    top: topK === 0 ? [] : topTokens(row, topK, normalizer),
  };
}

/** The GGUF's token list is the vocabulary; logit rows have one entry per token in it. */
function vocabularySize(model: LlamaModel): number {
  const tokens = (model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: readonly unknown[] } } }).tokenizer
    ?.ggml?.tokens;
  if (!tokens?.length) throw new ConfigurationError(`${model.filename ?? "model"} has no tokenizer.ggml.tokens`);
  return tokens.length;
}
