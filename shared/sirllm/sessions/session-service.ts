/**
 * SirLLM chat sessions: create, send a message, choose among options, read, list, delete. Each turn reads the
 * session's memory at an ETag, runs on the engine (`shared/sirllm/turns/`), and commits the new memory with
 * compare-and-swap on that ETag (`session-store.ts`): two concurrent turns never both land (the later gets a 409 and
 * may retry), and a failure before the commit leaves the stored memory as it was. After the commit, the turn's
 * transcript (its text and token ids) is stored for the memory page and for answering a retried turn.
 *
 * Objects, per tenant:
 * - `t/{tenant}/sirllm/sessions/{id}`: the memory (compact codec), rewritten every turn;
 * - `t/{tenant}/sirllm/session-configs/{id}.json`: engine, level, preset, template, decoding (written once);
 * - `t/{tenant}/sirllm/session-turns/{id}/{turn}.json`: each turn's transcript.
 */
import { createHash, randomBytes } from "node:crypto";
import pLimit from "p-limit";
import type { ChatMessage } from "../../../schemas/chat-templates.js";
import {
  SessionConfigSchema,
  TurnTranscriptSchema,
  type CreateSession,
  type MemoryView,
  type SendChoice,
  type SendMessage,
  type SessionConfig,
  type SessionView,
  type TurnResult,
  type TurnTimings,
  type TurnTranscript,
} from "../../../schemas/sirllm-sessions.js";
import { chatTemplate } from "../../chat/chat-template-registry.js";
import type { Engine, GenerateParams } from "../../engines/engine.js";
import type { EngineRegistry } from "../../engines/registry.js";
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import type { ObjectStore } from "../../store/object-store.js";
import { MemoryTurnRefusedError } from "../memory/memory-errors.js";
import { emptyMemoryState, type MemoryState } from "../memory/memory-state.js";
import type { MemorySession } from "../memory/state-codec.js";
import { defaultMemoryLevel, memoryCapacity, memoryDriverFor } from "../turns/select-driver.js";
import { runChatTurn, runChoiceTurn, type TurnOutcome } from "../turns/run-turn.js";
import type { MemoryDriver } from "../turns/memory-driver.js";
import type { MemoryPageInput } from "./memory-page.js";
import { SessionStore, type LoadedSession } from "./session-store.js";
import { encodeMemorySession } from "../memory/state-codec.js";

/** Most turns the memory page shows tokens for (the newest), besides the first turn (the sinks'). */
export const MEMORY_PAGE_TURNS = 64;
const MAX_CACHE_DEFAULT = 1024;
/** Configs a service keeps in memory. */
const CONFIG_CACHE_ENTRIES = 10_000;

/** What a session service runs on. */
export interface SessionServiceDeps {
  readonly store: ObjectStore;
  readonly engines: Pick<EngineRegistry, "get" | "has">;
  /** Injected for tests; default `new Date()`. */
  readonly now?: () => Date;
}

/** A page of sessions. */
export interface SessionPage {
  readonly sessions: { id: string; createdAt: string; engine: string }[];
  readonly nextCursor: string | null;
}

export class SessionService {
  private readonly sessions: SessionStore;
  private readonly now: () => Date;
  /** Session configs read so far, oldest first (they never change). */
  private readonly configs = new Map<string, SessionConfig>();

  constructor(private readonly deps: SessionServiceDeps) {
    this.sessions = new SessionStore(deps.store);
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Creates a session, checked against its engine. With an idempotency key the id is derived from (tenant, key), and
   * a retried create answers the session already made.
   */
  async create(tenant: string, request: CreateSession, idempotencyKey?: string): Promise<{ view: SessionView; created: boolean }> {
    const engine = await this.engine(request.engine);
    const cacheSize = request.cacheSize ?? Math.min(MAX_CACHE_DEFAULT, memoryCapacity(engine));
    checkSessionFits(engine, cacheSize, request);
    const memoryLevel = request.memoryLevel ?? defaultMemoryLevel(engine);
    memoryDriverFor(engine, memoryLevel, request.entropy); // refuses kv / reference where the engine cannot
    const template = resolveTemplate(engine, request.template);
    chatTemplate(template); // an unknown built-in or a Jinja template that does not parse is refused now
    const id = idempotencyKey === undefined ? `ss_${randomBytes(13).toString("hex")}` : derivedSessionId(tenant, idempotencyKey);
    const config: SessionConfig = {
      version: 1,
      id,
      createdAt: this.now().toISOString(),
      engine: engine.name,
      model: engine.model,
      memoryLevel,
      entropy: request.entropy,
      template,
      system: request.system ?? null,
      decoding: request.decoding,
    };
    const memory: MemorySession = {
      settings: { policy: request.policy, cacheSize, sinks: request.sinks, decay: request.decay, seed: request.seed },
      state: emptyMemoryState(),
    };
    // Memory first, then the config that makes the session visible: a crash between leaves nothing listed, and a
    // retry with the same idempotency key completes it.
    const memoryCreated = await this.deps.store.createOnce(sessionMemoryKey(tenant, id), encodeForCreate(memory), { contentType: "application/vnd.assay.sirllm-memory" });
    const configCreated = await this.deps.store.createOnceJson(configKey(tenant, id), config, SessionConfigSchema);
    const created = memoryCreated.status === "created" || configCreated.status === "created";
    if (configCreated.status === "created" && memoryCreated.status === "created") return { view: sessionView(config, memory), created: true };
    // A retried create (or one that completes a create cut short) finds the session; the same key with other settings
    // is a mistake worth saying so.
    const existing = await this.config(tenant, id);
    const { session } = await this.sessions.load(tenant, id);
    if (idempotencyKey !== undefined && !(sameSettings(existing, config) && JSON.stringify(session.settings) === JSON.stringify(memory.settings))) {
      throw new ConflictError(`the Idempotency-Key ${JSON.stringify(idempotencyKey)} was used to create session ${id} with other settings`, { sessionId: id });
    }
    return { view: sessionView(existing, session), created };
  }

  /** The session's settings and memory summary. */
  async view(tenant: string, id: string): Promise<SessionView> {
    const config = await this.config(tenant, id);
    const { session } = await this.sessions.load(tenant, id);
    return sessionView(config, session);
  }

  /** Sends the user's message and samples the reply (streamed through `onText` as it grows). */
  async sendMessage(tenant: string, id: string, message: SendMessage, onText?: (delta: string) => void): Promise<TurnResult> {
    const started = performance.now();
    const config = await this.config(tenant, id);
    const loaded = await this.sessions.load(tenant, id);
    const replay = await this.replay(tenant, config, loaded, message.turn);
    if (replay) {
      if (onText && replay.reply !== "") onText(replay.reply);
      return replay;
    }
    const engine = await this.engine(config.engine);
    const prompt = await engine.tokenize(this.renderTurn(config, loaded.session.state, message.content));
    const params = decodingParams(config, message);
    const clock = new TurnClock(started);
    const target = { driver: clock.timed(memoryDriverFor(engine, config.memoryLevel, config.entropy)), owner: `${tenant}/${id}`, session: loaded.session, entropy: config.entropy };
    const out = await explainRefusal(() => runChatTurn(target, prompt, params, onText), `the message's ${prompt.length} tokens plus room for a reply of up to maxTokens ${params.maxTokens}`);
    return this.commit(tenant, config, loaded, out, clock, {
      kind: "message",
      content: message.content,
      reply: out.reply.text,
      finishReason: out.reply.finishReason,
      promptTokens: out.promptTokens,
      chosen: null,
      scores: null,
    });
  }

  /** Scores each option after the user's turn, and stores the turn with the chosen option. */
  async sendChoice(tenant: string, id: string, choice: SendChoice): Promise<TurnResult> {
    const started = performance.now();
    const config = await this.config(tenant, id);
    const loaded = await this.sessions.load(tenant, id);
    const replay = await this.replay(tenant, config, loaded, choice.turn);
    if (replay) return replay;
    const engine = await this.engine(config.engine);
    const text = this.renderTurn(config, loaded.session.state, choice.content);
    const context = await engine.tokenize(text);
    const continuations = await Promise.all(
      choice.options.map(async (option, i) => {
        const whole = await engine.tokenize(text + option);
        const tokens = whole.slice(context.length);
        if (tokens.length === 0) throw new ValidationError(`option ${i} adds no tokens after the turn`);
        return tokens;
      }),
    );
    const clock = new TurnClock(started);
    const target = { driver: clock.timed(memoryDriverFor(engine, config.memoryLevel, config.entropy)), owner: `${tenant}/${id}`, session: loaded.session, entropy: config.entropy };
    const longest = Math.max(...continuations.map((c) => c.length));
    const out = await explainRefusal(
      () => runChoiceTurn(target, context, continuations, choice.rule, (ids) => engine.detokenize(ids)),
      `the turn's ${context.length} tokens plus the longest option's ${longest}`,
    );
    return this.commit(tenant, config, loaded, out, clock, {
      kind: "choice",
      content: choice.content,
      reply: choice.options[out.chosen]!,
      finishReason: null,
      promptTokens: context.length,
      chosen: out.chosen,
      scores: out.scores.map((s, i) => ({ option: choice.options[i]!, logprob: s.logprob, greedyMatch: s.greedyMatch === true })),
    });
  }

  /** The kept tokens with their text, entropy and turn. */
  async memory(tenant: string, id: string): Promise<MemoryView> {
    const config = await this.config(tenant, id);
    const { session } = await this.sessions.load(tenant, id);
    const { settings, state } = session;
    const texts = await tokenTexts(await this.engine(config.engine), state.tokens);
    return {
      session: id,
      policy: settings.policy,
      cacheSize: settings.cacheSize,
      turns: state.turnCount,
      memory: memorySummary(session),
      tokens: state.tokens.map((token, p) => ({
        index: state.indices[p]!,
        token,
        text: texts[p]!,
        entropy: state.entropies[p]!,
        turn: state.turns[p]!,
        sink: state.indices[p]! < settings.sinks,
      })),
    };
  }

  /**
   * What the memory page shows: every token of the turns still in memory (the first turn and the newest
   * {@link MEMORY_PAGE_TURNS}), kept or evicted, from the stored transcripts.
   */
  async memoryPage(tenant: string, id: string): Promise<MemoryPageInput> {
    const config = await this.config(tenant, id);
    const { session } = await this.sessions.load(tenant, id);
    const { settings, state } = session;
    const engine = await this.engine(config.engine);
    const turnsInMemory = [...new Set(state.turns)];
    const shown = turnsInMemory.length <= MEMORY_PAGE_TURNS + 1 ? turnsInMemory : [turnsInMemory[0]!, ...turnsInMemory.slice(-MEMORY_PAGE_TURNS)];
    const kept = new Map(state.indices.map((index, p) => [index, p]));
    const tokens: MemoryPageInput["tokens"] = [];
    const missingTurns: number[] = [];
    // The transcripts are independent reads: fetch them together, then lay the turns out in order.
    const limit = pLimit(8);
    const transcripts = await Promise.all(shown.map((turn) => limit(() => this.deps.store.getJsonOrNull(turnKey(tenant, id, turn), TurnTranscriptSchema))));
    for (const [i, turn] of shown.entries()) {
      const transcript = transcripts[i];
      if (!transcript || transcript.firstIndex === undefined) {
        missingTurns.push(turn);
        const positions = state.turns.flatMap((t, p) => (t === turn ? [p] : []));
        const texts = await tokenTexts(engine, positions.map((p) => state.tokens[p]!));
        positions.forEach((p, k) => tokens.push({ index: state.indices[p]!, text: texts[k]!, entropy: state.entropies[p]!, turn, kept: true }));
        continue;
      }
      const texts = await tokenTexts(engine, transcript.tokens);
      const first = transcript.firstIndex;
      transcript.tokens.forEach((_, k) => {
        const index = first + k;
        const p = kept.get(index);
        tokens.push({ index, text: texts[k]!, entropy: p === undefined ? null : state.entropies[p]!, turn, kept: p !== undefined });
      });
    }
    return {
      sessionId: id,
      policy: settings.policy,
      cacheSize: settings.cacheSize,
      sinks: settings.sinks,
      decay: settings.decay,
      turnCount: state.turnCount,
      tokenCount: state.tokenCount,
      evictions: state.evictions,
      memoryLevel: config.memoryLevel,
      entropyPreset: config.entropy,
      tokens,
      missingTurns,
      memoryTokens: state.tokens.length,
    };
  }

  /** Sessions, oldest id first, a page at a time. */
  async list(tenant: string, limit: number, cursor?: string): Promise<SessionPage> {
    const prefix = `t/${tenant}/sirllm/session-configs/`;
    const ids: string[] = [];
    for await (const object of this.deps.store.list(prefix)) {
      const id = object.key.slice(prefix.length).replace(/\.json$/, "");
      if (cursor !== undefined && id <= cursor) continue;
      ids.push(id);
    }
    ids.sort();
    const page = ids.slice(0, limit);
    const sessions = await Promise.all(
      page.map(async (id) => {
        const c = await this.deps.store.getJsonOrNull(configKey(tenant, id), SessionConfigSchema);
        return c ? { id, createdAt: c.createdAt, engine: c.engine } : null;
      }),
    );
    return { sessions: sessions.filter((s) => s !== null), nextCursor: ids.length > limit ? page[page.length - 1]! : null };
  }

  /** Deletes the session: config first (so it stops being listed), then its transcripts and its memory. */
  async delete(tenant: string, id: string): Promise<void> {
    this.configs.delete(configKey(tenant, id));
    await this.deps.store.delete(configKey(tenant, id));
    const prefix = `t/${tenant}/sirllm/session-turns/${id}/`;
    const keys: string[] = [];
    for await (const object of this.deps.store.list(prefix)) keys.push(object.key);
    const limit = pLimit(8);
    await Promise.all(keys.map((k) => limit(() => this.deps.store.delete(k))));
    await this.sessions.delete(tenant, id);
  }

  /**
   * The session's config; 404 when the session does not exist. Configs never change once written, so they are kept
   * in memory (a deleted session's memory object is gone, so its turns still 404).
   */
  async config(tenant: string, id: string): Promise<SessionConfig> {
    const key = configKey(tenant, id);
    const cached = this.configs.get(key);
    if (cached) return cached;
    const config = await this.deps.store.getJsonOrNull(key, SessionConfigSchema);
    if (!config) throw new NotFoundError(`session ${id} not found`, { sessionId: id });
    if (this.configs.size >= CONFIG_CACHE_ENTRIES) this.configs.delete(this.configs.keys().next().value!);
    this.configs.set(key, config);
    return config;
  }

  private async engine(name: string): Promise<Engine> {
    if (!this.deps.engines.has(name)) throw new ValidationError(`no engine named "${name}" is configured (GET /v1/engines lists them)`, { engine: name });
    return this.deps.engines.get(name);
  }

  /** The turn's prompt text: the user's message in the session's template (the system prompt goes into turn 0). */
  private renderTurn(config: SessionConfig, state: MemoryState, content: string): string {
    const messages: ChatMessage[] = [];
    if (state.turnCount === 0 && config.system !== null) messages.push({ role: "system", content: config.system });
    messages.push({ role: "user", content });
    return chatTemplate(config.template).render(messages, { addGenerationPrompt: true });
  }

  /** A retried turn already stored answers from its transcript; a turn beyond the next is refused. */
  private async replay(tenant: string, config: SessionConfig, loaded: LoadedSession, turn: number | undefined): Promise<TurnResult | null> {
    const next = loaded.session.state.turnCount;
    if (turn === undefined || turn === next) return null;
    if (turn > next) throw new ConflictError(`session ${config.id} is at turn ${next}; turn ${turn} cannot be sent yet`, { sessionId: config.id, turn: next });
    const transcript = await this.deps.store.getJsonOrNull(turnKey(tenant, config.id, turn), TurnTranscriptSchema);
    if (!transcript) throw new ConflictError(`turn ${turn} of session ${config.id} was stored but its transcript was not (the request that stored it failed after the store)`, { sessionId: config.id, turn });
    return turnResult(config, loaded.session, transcript, true);
  }

  private async commit(
    tenant: string,
    config: SessionConfig,
    loaded: LoadedSession,
    out: TurnOutcome,
    clock: TurnClock,
    turn: Pick<TurnTranscript, "kind" | "content" | "reply" | "finishReason" | "promptTokens" | "chosen" | "scores">,
  ): Promise<TurnResult> {
    const { settings, state } = loaded.session;
    const next: MemorySession = { settings, state: out.state };
    const storing = performance.now();
    await this.sessions.commit(tenant, config.id, loaded.etag, next);
    const transcript: TurnTranscript = {
      version: 1,
      ...turn,
      turn: state.turnCount,
      tokens: [...out.tokens],
      entropies: [...out.entropies],
      firstIndex: out.state.indices[out.state.indices.length - out.tokens.length] ?? state.tokenCount,
      evictedTokens: out.evicted.reduce((n, r) => n + r.end - r.start, 0),
      at: this.now().toISOString(),
    };
    await this.deps.store.putJson(turnKey(tenant, config.id, transcript.turn), transcript, TurnTranscriptSchema);
    const end = performance.now();
    return { ...turnResult(config, next, transcript, false), timings: clock.timings(end - storing, end) };
  }
}

/** Where a turn's time went: the engine's part is timed around the driver's work; the rest is assay's. */
class TurnClock {
  private engineMs = 0;
  constructor(private readonly started: number) {}

  timed(driver: MemoryDriver): MemoryDriver {
    return {
      level: driver.level,
      engine: driver.engine,
      arbitraryTokenLogprobs: driver.arbitraryTokenLogprobs,
      turn: async (memory, work) => {
        const t0 = performance.now();
        try {
          return await driver.turn(memory, work);
        } finally {
          this.engineMs += performance.now() - t0;
        }
      },
    };
  }

  timings(storeMs: number, end: number): TurnTimings {
    const totalMs = end - this.started;
    return { totalMs: round(totalMs), engineMs: round(this.engineMs), storeMs: round(storeMs), overheadMs: round(totalMs - this.engineMs) };
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Whether two configs ask for the same session (everything but when it was created). */
function sameSettings(a: SessionConfig, b: SessionConfig): boolean {
  const strip = ({ createdAt: _, ...rest }: SessionConfig) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** A stable session id for (tenant, idempotency key). */
export function derivedSessionId(tenant: string, idempotencyKey: string): string {
  return `ss_${createHash("sha256").update(`sirllm-session\0${tenant}\0${idempotencyKey}`).digest("hex").slice(0, 26)}`;
}

function sessionMemoryKey(tenant: string, id: string): string {
  return `t/${tenant}/sirllm/sessions/${id}`;
}
function configKey(tenant: string, id: string): string {
  return `t/${tenant}/sirllm/session-configs/${id}.json`;
}
function turnKey(tenant: string, id: string, turn: number): string {
  return `t/${tenant}/sirllm/session-turns/${id}/${String(turn).padStart(8, "0")}.json`;
}

function encodeForCreate(memory: MemorySession): Uint8Array {
  return encodeMemorySession(memory);
}

/** The template a session renders turns with: as asked, or the model's own where the engine carries one, else vicuna. */
function resolveTemplate(engine: Engine, asked: CreateSession["template"]): SessionConfig["template"] {
  if (asked !== undefined && asked !== "model") return asked;
  const own = engine.modelChatTemplate?.() ?? null;
  if (own !== null) return own;
  if (asked === "model") throw new ValidationError(`engine "${engine.name}" (model ${engine.model}) carries no chat template of its own; name a built-in (vicuna, tulu, chatml, llama-2, none) or give a Jinja template`);
  return "vicuna";
}

/** Refuses settings no turn could ever fit. */
function checkSessionFits(engine: Engine, cacheSize: number, request: CreateSession): void {
  if (request.sinks >= cacheSize) throw new ValidationError(`sinks (${request.sinks}) must be smaller than cacheSize (${cacheSize})`, { sinks: request.sinks, cacheSize });
  const capacity = memoryCapacity(engine);
  if (cacheSize > capacity) {
    throw new ValidationError(`cacheSize ${cacheSize} exceeds the ${capacity} tokens a session can hold on engine "${engine.name}" (a ${engine.contextSize}-token context)`, { cacheSize, contextSize: engine.contextSize });
  }
  if (request.sinks + 1 + request.decoding.maxTokens > cacheSize) {
    throw new ValidationError(
      `no turn fits: ${request.sinks} sinks + a 1-token message + maxTokens ${request.decoding.maxTokens} exceed cacheSize ${cacheSize}; lower maxTokens or raise cacheSize`,
      { cacheSize, sinks: request.sinks, maxTokens: request.decoding.maxTokens },
    );
  }
}

function decodingParams(config: SessionConfig, message: SendMessage): GenerateParams {
  const d = config.decoding;
  const seed = message.seed ?? d.seed;
  const stop = message.stop ?? d.stop;
  return {
    maxTokens: message.maxTokens ?? d.maxTokens,
    temperature: message.temperature ?? d.temperature,
    topP: message.topP ?? d.topP,
    ...(seed === undefined ? {} : { seed }),
    ...(stop === undefined ? {} : { stop }),
  };
}

async function explainRefusal<T>(run: () => Promise<T>, what: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof MemoryTurnRefusedError) throw new ValidationError(`${error.message}; the turn is ${what}`, error.details);
    throw error;
  }
}

function memorySummary(session: MemorySession) {
  const { settings, state } = session;
  return {
    tokens: state.tokens.length,
    cacheSize: settings.cacheSize,
    streamed: state.tokenCount,
    evicted: state.tokenCount - state.tokens.length,
    evictions: state.evictions,
  };
}

function sessionView(config: SessionConfig, session: MemorySession): SessionView {
  const { settings, state } = session;
  const sorted = [...state.entropies].sort((a, b) => a - b);
  const n = sorted.length;
  const base = `/v1/sirllm/sessions/${config.id}`;
  return {
    id: config.id,
    createdAt: config.createdAt,
    engine: config.engine,
    model: config.model,
    memoryLevel: config.memoryLevel,
    entropy: config.entropy,
    policy: settings.policy,
    cacheSize: settings.cacheSize,
    sinks: settings.sinks,
    decay: settings.decay,
    seed: settings.seed,
    template: config.template,
    decoding: config.decoding,
    turns: state.turnCount,
    memory: memorySummary(session),
    entropySummary: {
      mean: n === 0 ? null : sorted.reduce((a, b) => a + b, 0) / n,
      min: n === 0 ? null : sorted[0]!,
      median: n === 0 ? null : n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2,
      max: n === 0 ? null : sorted[n - 1]!,
    },
    links: { self: base, messages: `${base}/messages`, choices: `${base}/choices`, memory: `${base}/memory`, memoryPage: `${base}/memory.html` },
  };
}

function turnResult(config: SessionConfig, session: MemorySession, transcript: TurnTranscript, replayed: boolean): TurnResult {
  return {
    session: config.id,
    turn: transcript.turn,
    replayed,
    reply: transcript.reply,
    finishReason: transcript.finishReason,
    chosen: transcript.chosen,
    scores: transcript.scores,
    usage: { promptTokens: transcript.promptTokens, replyTokens: transcript.tokens.length - transcript.promptTokens },
    evictedTokens: transcript.evictedTokens,
    memory: memorySummary(session),
    model: config.model,
    memoryLevel: config.memoryLevel,
    entropy: config.entropy,
    policy: session.settings.policy,
  };
}

/**
 * Each token's text as it reads in place: the text of (previous token, token) less the previous token's text, so a
 * word's leading space survives (a token decoded alone loses it with SentencePiece models).
 */
export async function tokenTexts(engine: Pick<Engine, "detokenize">, tokens: readonly number[]): Promise<string[]> {
  const cache = new Map<string, Promise<string>>();
  const decode = (ids: readonly number[]) => {
    const key = ids.join(",");
    if (!cache.has(key)) cache.set(key, engine.detokenize(ids));
    return cache.get(key)!;
  };
  const limit = pLimit(8);
  return Promise.all(
    tokens.map((token, i) =>
      limit(async () => {
        if (i === 0) return decode([token]);
        const previous = tokens[i - 1]!;
        const [pair, alone] = await Promise.all([decode([previous, token]), decode([previous])]);
        return pair.startsWith(alone) ? pair.slice(alone.length) : decode([token]);
      }),
    ),
  );
}
