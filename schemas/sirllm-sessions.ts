/**
 * SirLLM chat sessions over HTTP (`/v1/sirllm/sessions`): what a session is created with, what is stored beside its
 * memory, the bodies of a message and a choice, and what the routes answer. The memory itself is stored in the
 * compact codec (`shared/sirllm/memory/state-codec.ts`); everything here is JSON.
 */
import { z } from "zod";
import { ChatTemplateSpecSchema } from "./chat-templates.js";
import { EngineNameSchema } from "./common.js";
import { MemoryPolicyNameSchema } from "./sirllm-memory.js";

/** `paper`: e_i = −log p(x_i | x_<i); `reference`: the authors' previous-token quirk (embedded engine only). */
export const EntropyPresetSchema = z.enum(["paper", "reference"], { error: () => "expected one of: paper, reference" });
/** `kv`: a live KV cache per session (embedded engine); `token`: the kept token ids re-sent every turn. */
export const MemoryLevelSchema = z.enum(["kv", "token"], { error: () => "expected one of: kv, token" });

/** A session id: `ss_` and 26 lowercase hex digits (any `ss_` + 20–32 lowercase letters or digits is read). */
export const SessionIdSchema = z.string().regex(/^ss_[0-9a-z]{20,32}$/, "session ids look like ss_ followed by 20-32 lowercase letters or digits");

/** Most characters of one message or option (far above any chat turn; memory is counted in tokens anyway). */
export const MAX_MESSAGE_CHARS = 100_000;

const uint32 = (what: string) => z.number().int(`${what} must be an integer`).min(0, `${what} must be ≥ 0`).max(0xffffffff, `${what} must be < 2^32`);

/** Decoding of a session's replies; a message may override each field for its own reply. */
export const SessionDecodingSchema = z.object({
  maxTokens: z.number().int("maxTokens must be an integer").min(0, "maxTokens must be ≥ 0").max(4096, "maxTokens must be ≤ 4096").default(128),
  temperature: z.number().min(0, "temperature must be ≥ 0").max(2, "temperature must be ≤ 2").default(0),
  topP: z.number().gt(0, "topP must be > 0").max(1, "topP must be ≤ 1").default(1),
  seed: uint32("seed").optional(),
  stop: z.array(z.string().min(1, "stop strings must not be empty").max(200)).max(4, "at most 4 stop strings").optional(),
});
export type SessionDecoding = z.infer<typeof SessionDecodingSchema>;

/**
 * `POST /v1/sirllm/sessions`. `cacheSize` defaults to the engine's context, at most 1,024; `memoryLevel` to `kv` on
 * the embedded engine and `token` elsewhere; `template` to the model's own where the engine carries one (a GGUF's),
 * else `vicuna` ("USER: …\n\nASSISTANT:", as the authors ran it).
 * Checked against the engine when created: sinks < cacheSize ≤ the engine's context, and a turn of at least one token
 * plus `maxTokens` must fit beside the sinks.
 *
 * @example
 * CreateSessionSchema.parse({ engine: "local", policy: "sirllm", cacheSize: 512, sinks: 4, decay: 0.9 });
 */
export const CreateSessionSchema = z.strictObject({
  engine: EngineNameSchema,
  policy: MemoryPolicyNameSchema.default("sirllm"),
  cacheSize: z.number().int("cacheSize must be an integer").min(1, "cacheSize must be at least 1").optional(),
  sinks: z.number().int("sinks must be an integer").min(0, "sinks must be ≥ 0").default(4),
  decay: z.number().gt(0, "decay must be > 0").max(1, "decay must be ≤ 1").default(1),
  /** Drives the `random` policy's sample; kept in the session. */
  seed: uint32("seed").default(0),
  entropy: EntropyPresetSchema.default("paper"),
  memoryLevel: MemoryLevelSchema.optional(),
  /**
   * A built-in name, a Jinja template, or `"model"`: the model's own (its GGUF's); default the model's own where the
   * engine carries one, else `vicuna`.
   */
  template: z.union([z.literal("model"), ChatTemplateSpecSchema]).optional(),
  /** A system prompt rendered into the first turn (and so into memory, as its first tokens). */
  system: z.string().max(MAX_MESSAGE_CHARS).optional(),
  decoding: SessionDecodingSchema.default(SessionDecodingSchema.parse({})),
});
export type CreateSession = z.infer<typeof CreateSessionSchema>;
export type CreateSessionInput = z.input<typeof CreateSessionSchema>;

/** What is stored beside a session's memory (written once, at creation). */
export const SessionConfigSchema = z.object({
  version: z.literal(1),
  id: SessionIdSchema,
  createdAt: z.string(),
  engine: EngineNameSchema,
  /** The engine's model when the session was created (recorded with every reply). */
  model: z.string(),
  memoryLevel: MemoryLevelSchema,
  entropy: EntropyPresetSchema,
  template: ChatTemplateSpecSchema,
  system: z.string().nullable(),
  decoding: SessionDecodingSchema,
});
export type SessionConfig = z.infer<typeof SessionConfigSchema>;

/** Per-message overrides of the session's decoding. */
const decodingOverrides = {
  maxTokens: z.number().int().min(0).max(4096).optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().gt(0).max(1).optional(),
  seed: uint32("seed").optional(),
  stop: z.array(z.string().min(1).max(200)).max(4).optional(),
};

/**
 * The turn number a request means to create (optional). A retry of a turn that was already stored answers the
 * stored turn instead of running it again; a request for a turn beyond the next is a 409.
 */
const expectedTurn = z.number().int("turn must be an integer").min(0, "turn must be ≥ 0").optional();

/** `POST /v1/sirllm/sessions/{id}/messages`: the user's new turn; `stream: true` answers as server-sent events. */
export const SendMessageSchema = z.strictObject({
  content: z.string().min(1, "content must not be empty").max(MAX_MESSAGE_CHARS),
  stream: z.boolean().default(false),
  turn: expectedTurn,
  ...decodingOverrides,
});
export type SendMessage = z.infer<typeof SendMessageSchema>;

/** The two ways the paper picks an option (see `shared/sirllm/eval/choose-option.ts`). */
export const ChoiceRuleSchema = z.enum(["logprob", "greedy-match-then-logprob"], {
  error: () => "expected one of: logprob, greedy-match-then-logprob",
});

/**
 * `POST /v1/sirllm/sessions/{id}/choices`: the user's turn and the continuations to choose among (the paper's
 * scoring: the log-prob of each continuation's first token after the templated turn; the chosen one enters memory).
 *
 * @example
 * SendChoiceSchema.parse({ content: "Pick one. (A) rock (B) paper", options: [" A", " B"] });
 */
export const SendChoiceSchema = z.strictObject({
  content: z.string().min(1, "content must not be empty").max(MAX_MESSAGE_CHARS),
  options: z
    .array(z.string().min(1, "an option must not be empty").max(10_000))
    .min(1, "give at least one option")
    .max(26, "at most 26 options"),
  rule: ChoiceRuleSchema.default("logprob"),
  turn: expectedTurn,
});
export type SendChoice = z.infer<typeof SendChoiceSchema>;

/** One stored turn's transcript (`t/{tenant}/sirllm/session-turns/{id}/{turn}`), written after the turn is stored. */
export const TurnTranscriptSchema = z.object({
  version: z.literal(1),
  turn: z.number().int().min(0),
  kind: z.enum(["message", "choice"]),
  /** The user's text as sent. */
  content: z.string(),
  /** The reply (a message) or the chosen option's text (a choice). */
  reply: z.string(),
  finishReason: z.enum(["stop", "length"]).nullable(),
  /** Every token of the turn as it entered memory (prompt then answer), and its entropy there. */
  tokens: z.array(z.number().int().min(0)),
  entropies: z.array(z.number()),
  promptTokens: z.number().int().min(0),
  /** The index of the turn's first token over the session's whole token stream. */
  firstIndex: z.number().int().min(0).optional(),
  chosen: z.number().int().min(0).nullable(),
  scores: z.array(z.object({ option: z.string(), logprob: z.number(), greedyMatch: z.boolean() })).nullable(),
  evictedTokens: z.number().int().min(0),
  at: z.string(),
});
export type TurnTranscript = z.infer<typeof TurnTranscriptSchema>;

const MemorySummarySchema = z.object({
  /** Tokens in memory now. */
  tokens: z.number().int(),
  cacheSize: z.number().int(),
  /** Tokens streamed into the session so far, and how many of them have been evicted. */
  streamed: z.number().int(),
  evicted: z.number().int(),
  /** Turns before which something was evicted. */
  evictions: z.number().int(),
});

const EntropySummarySchema = z.object({
  mean: z.number().nullable(),
  min: z.number().nullable(),
  median: z.number().nullable(),
  max: z.number().nullable(),
});

/** `GET /v1/sirllm/sessions/{id}`. */
export const SessionViewSchema = z
  .object({
    id: SessionIdSchema,
    createdAt: z.string(),
    engine: z.string(),
    model: z.string(),
    memoryLevel: MemoryLevelSchema,
    entropy: EntropyPresetSchema,
    policy: MemoryPolicyNameSchema,
    cacheSize: z.number().int(),
    sinks: z.number().int(),
    decay: z.number(),
    seed: z.number().int(),
    template: ChatTemplateSpecSchema,
    decoding: SessionDecodingSchema,
    turns: z.number().int(),
    memory: MemorySummarySchema,
    entropySummary: EntropySummarySchema.describe("over the tokens in memory, as stored (decayed)"),
    links: z.object({ self: z.string(), messages: z.string(), choices: z.string(), memory: z.string(), memoryPage: z.string() }),
  })
  .describe("SirllmSession");
export type SessionView = z.infer<typeof SessionViewSchema>;

/**
 * Where a turn's time went, in milliseconds (also sent as a `Server-Timing` header): `engineMs` is the engine's work
 * on memory (feeding, scoring, sampling); `overheadMs` is everything else assay did (reading and writing the store,
 * the eviction step, tokenizing); `storeMs` is the commit and the transcript write.
 */
export const TurnTimingsSchema = z.object({ totalMs: z.number(), engineMs: z.number(), storeMs: z.number(), overheadMs: z.number() });
export type TurnTimings = z.infer<typeof TurnTimingsSchema>;

/** What a turn answers (a message, or a choice with its scores). */
export const TurnResultSchema = z.object({
  session: SessionIdSchema,
  turn: z.number().int(),
  /** True when this answers a retry of a turn already stored (nothing was run again). */
  replayed: z.boolean(),
  reply: z.string(),
  finishReason: z.enum(["stop", "length"]).nullable(),
  chosen: z.number().int().nullable(),
  scores: z.array(z.object({ option: z.string(), logprob: z.number(), greedyMatch: z.boolean() })).nullable(),
  usage: z.object({ promptTokens: z.number().int(), replyTokens: z.number().int() }),
  /** Tokens this turn's eviction step removed. */
  evictedTokens: z.number().int(),
  memory: MemorySummarySchema,
  model: z.string(),
  memoryLevel: MemoryLevelSchema,
  entropy: EntropyPresetSchema,
  policy: MemoryPolicyNameSchema,
  /** Absent on a replayed turn. */
  timings: TurnTimingsSchema.optional(),
});
export type TurnResult = z.infer<typeof TurnResultSchema>;

/** `GET /v1/sirllm/sessions/{id}/memory`: the kept tokens, in memory order. */
export const MemoryViewSchema = z.object({
  session: SessionIdSchema,
  policy: MemoryPolicyNameSchema,
  cacheSize: z.number().int(),
  turns: z.number().int(),
  memory: MemorySummarySchema,
  tokens: z.array(
    z.object({
      /** The token's index over the session's whole token stream. */
      index: z.number().int(),
      token: z.number().int(),
      text: z.string(),
      entropy: z.number(),
      turn: z.number().int(),
      sink: z.boolean(),
    }),
  ),
});
export type MemoryView = z.infer<typeof MemoryViewSchema>;
