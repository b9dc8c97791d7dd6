import { z } from "@hono/zod-openapi";
import { EngineNameSchema } from "./common.js";

const RetrySchema = z.object({
  maxAttempts: z.number().int().min(1).max(20).default(5),
  baseDelayMs: z.number().int().min(0).default(200),
  maxDelayMs: z.number().int().min(0).default(10_000),
});

/**
 * The circuit breaker in front of each replica (see `shared/engines/pool/engine-pool.ts`): after `consecutiveFailures`
 * retryable failures in a row (429, 5xx, timeouts, connection resets) a replica is ejected; after `halfOpenAfterMs`
 * one probe call may go to it, and its success brings the replica back (a failure ejects it again).
 */
const BreakerSchema = z.object({
  consecutiveFailures: z.number().int().min(1).max(1000).default(5),
  halfOpenAfterMs: z.number().int().min(1).max(600_000).default(5_000),
});

const common = {
  name: EngineNameSchema,
  /**
   * Most requests in flight to this engine from one process, all replicas together. Default: the kind's default
   * (vllm/sglang 16, sagemaker 8, openai-chat 8, embedded 1) times the number of replicas.
   */
  concurrency: z.number().int().min(1).max(1024).optional(),
  retry: RetrySchema.optional(),
  breaker: BreakerSchema.optional(),
  /** Request timeout for remote engines. */
  timeoutMs: z.number().int().min(100).max(900_000).optional(),
};

/** Most replicas one engine may name. */
export const MAX_REPLICAS = 64;

/** A server root, e.g. `https://vllm.internal:8000`; assay adds `/v1/...` itself. */
const ServerRootSchema = z
  .url({ protocol: /^https?$/ })
  .refine((u) => !/\/v1\/*$/.test(u), { message: "give the server root without /v1 (assay adds /v1 itself)" });

/**
 * The server root of a hosted chat endpoint, e.g. `https://api.openai.com` (assay adds `/v1`). It carries an API key,
 * so it must be https; plain http is allowed only to a loopback address (a test's local server).
 */
const HostedRootSchema = ServerRootSchema.refine(
  (u) => u.startsWith("https://") || /^http:\/\/(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?(?:\/|$)/i.test(u),
  { message: "an openai-chat engine sends its API key: give an https URL (plain http only to a loopback address)" },
);

const httpEndpoint = {
  ...common,
  /** The server root of a single server. Give this or `baseUrls`, not both. */
  baseUrl: ServerRootSchema.optional(),
  /** The server roots of several replicas of the same model (a pool). Give this or `baseUrl`, not both. */
  baseUrls: z.array(ServerRootSchema).min(1).max(MAX_REPLICAS).optional(),
  model: z.string().min(1),
  /** Name of the environment variable holding the endpoint's API key (the key itself never sits in config). */
  apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
  contextSize: z.number().int().min(16),
  bosToken: z.number().int().min(0).nullable().optional(),
};

/**
 * Refines a config so exactly one of `single` and `many` is given, and `many` holds no address twice (two replica
 * ids for one server would halve its share of the load and confuse its statistics).
 */
function oneOrMany<K1 extends string, K2 extends string>(single: K1, many: K2) {
  return (value: Partial<Record<K1, unknown> & Record<K2, unknown>>, ctx: z.RefinementCtx): void => {
    const hasSingle = value[single] !== undefined;
    const list = value[many];
    if (hasSingle === (list !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [hasSingle ? many : single],
        message: hasSingle
          ? `give ${single} (one server) or ${many} (replicas), not both`
          : `give ${single} (one server) or ${many} (replicas)`,
      });
    }
    if (Array.isArray(list) && new Set(list).size !== list.length) {
      ctx.addIssue({ code: "custom", path: [many], message: `${many} names the same replica twice` });
    }
  };
}

/**
 * One configured engine. Callers refer to it by `name`; everything else stays server-side.
 *
 * An engine may be a pool of replicas of one model: vLLM, SGLang and openai-chat take `baseUrls: [url, …]` instead of
 * `baseUrl`, SageMaker takes `endpointNames: [name, …]` instead of `endpointName` (exactly one of each pair; every URL
 * is checked like `baseUrl`). The registry builds one adapter per replica and puts a pool in front: each call goes to the
 * replica with the fewest requests in flight (ties in round-robin order), and a replica that keeps failing with
 * retryable errors is ejected by its circuit breaker (`breaker`) and probed back later. A single server is a pool of
 * one. Replicas are known to callers and statistics only as `r0`, `r1`, … in configuration order, never by address.
 * `concurrency` and `retry` apply to the engine as a whole (a retry may go to another replica).
 *
 * @example
 * { "name": "llama-pool", "kind": "vllm", "model": "meta-llama/Llama-2-7b-hf", "contextSize": 4096,
 *   "baseUrls": ["http://10.0.0.5:8000", "http://10.0.0.6:8000"], "concurrency": 32,
 *   "breaker": { "consecutiveFailures": 5, "halfOpenAfterMs": 5000 } }
 * @example
 * { "name": "sm-pool", "kind": "sagemaker", "format": "vllm", "model": "llama2-7b", "contextSize": 4096,
 *   "endpointNames": ["llama2-lmi-a", "llama2-lmi-b"], "tokenizerEngine": "local" }
 * @example
 * { "name": "gpt-4o-mini", "kind": "openai-chat", "baseUrl": "https://api.openai.com", "model": "gpt-4o-mini",
 *   "apiKeyEnv": "OPENAI_API_KEY", "concurrency": 8 }
 */
export const EngineConfigSchema = z.discriminatedUnion("kind", [
  z
    .object({
      ...httpEndpoint,
      kind: z.literal("vllm"),
      /** Older vLLM servers reject `max_tokens: 0`; then 1 is sent and the extra token ignored. */
      maxTokensZero: z.boolean().default(true),
    })
    .superRefine(oneOrMany("baseUrl", "baseUrls")),
  z.object({ ...httpEndpoint, kind: z.literal("sglang") }).superRefine(oneOrMany("baseUrl", "baseUrls")),
  /**
   * A hosted chat model behind `/v1/chat/completions` (OpenAI, or any server speaking it): generation from messages
   * only, for MTI-Bench sweeps. It cannot tokenize, score or embed.
   */
  z
    .object({
      ...common,
      kind: z.literal("openai-chat"),
      /** The server root (https), e.g. `https://api.openai.com`. Give this or `baseUrls`, not both. */
      baseUrl: HostedRootSchema.optional(),
      /** The server roots of several replicas of the same model (a pool). Give this or `baseUrl`, not both. */
      baseUrls: z.array(HostedRootSchema).min(1).max(MAX_REPLICAS).optional(),
      model: z.string().min(1),
      /** Name of the environment variable holding the API key (the key itself never sits in config). */
      apiKeyEnv: httpEndpoint.apiKeyEnv,
      /** The model's context in tokens, when known: it is only shown to callers (null or absent: unknown). */
      contextSize: z.number().int().min(16).nullable().optional(),
      /**
       * The body field that caps the answer. `max_completion_tokens` (default) is OpenAI's current one, the only one
       * its reasoning models take, and vLLM and SGLang accept it; `max_tokens` is for servers that ignore it (older
       * llama.cpp, llama-cpp-python, llamafile), which would otherwise generate without a limit.
       */
      maxTokensField: z.enum(["max_completion_tokens", "max_tokens"]).default("max_completion_tokens"),
    })
    .superRefine(oneOrMany("baseUrl", "baseUrls")),
  z
    .object({
      ...common,
      kind: z.literal("sagemaker"),
      /** The real-time endpoint of a single replica. Give this or `endpointNames`, not both. */
      endpointName: z.string().min(1).optional(),
      /** The endpoints of several replicas of the same model (a pool). Give this or `endpointName`, not both. */
      endpointNames: z.array(z.string().min(1)).min(1).max(MAX_REPLICAS).optional(),
      inferenceComponentName: z.string().min(1).optional(),
      region: z.string().optional(),
      format: z.enum(["vllm", "tgi"]),
      model: z.string().min(1),
      contextSize: z.number().int().min(16),
      bosToken: z.number().int().min(0).nullable().optional(),
      /** LMI containers on older vLLM reject `max_tokens: 0`. */
      maxTokensZero: z.boolean().default(true),
      /** A configured engine (same tokenizer) that tokenises for this endpoint. */
      tokenizerEngine: EngineNameSchema,
    })
    .superRefine(oneOrMany("endpointName", "endpointNames")),
  z.object({
    ...common,
    kind: z.literal("embedded"),
    modelPath: z.string().min(1),
    contextSize: z.number().int().min(16).optional(),
    /** 1 on small machines: llama.cpp's default thread count runs far slower on 2 cores. */
    threads: z.number().int().min(1).max(256).default(1),
    gpu: z.boolean().default(false),
    /**
     * llama.cpp sequences kept for KV-level SirLLM sessions, each resident for one session at a time (the least
     * recently used is handed to a new one). Each holds a context's worth of KV cache. 0: sessions share the engine's
     * one sequence and are rebuilt whenever other work ran between their turns.
     */
    sessionSequences: z.number().int().min(0).max(64).default(0),
  }),
  /**
   * A test double that answers at once with made-up numbers (orchestration benchmarks, fault injection). Configured
   * like any engine so every worker — a thread, a Lambda — can build its own; named for what it is, never a default.
   */
  z.object({
    ...common,
    kind: z.literal("fake"),
    contextSize: z.number().int().min(16).optional(),
    faults: z
      .object({
        transientFailureRate: z.number().min(0).max(1).optional(),
        poisonToken: z.number().int().min(0).optional(),
        stuckToken: z.number().int().min(0).optional(),
        seed: z.number().int().optional(),
      })
      .strict()
      .optional(),
  }),
]);
export type EngineConfig = z.infer<typeof EngineConfigSchema>;
export type EngineConfigOf<K extends EngineConfig["kind"]> = Extract<EngineConfig, { kind: K }>;
export type EngineConfigInputOf<K extends EngineConfig["kind"]> = Extract<z.input<typeof EngineConfigSchema>, { kind: K }>;

/** One kind's schema, for adapters that validate what they are given. */
export function engineConfigSchemaOf<K extends EngineConfig["kind"]>(kind: K) {
  const schema = EngineConfigSchema.options.find((o) => o.shape.kind.value === kind);
  if (!schema) throw new Error(`no engine config schema for ${kind}`);
  return schema as unknown as z.ZodType<EngineConfigOf<K>, EngineConfigInputOf<K>>;
}
export type EngineConfigInput = z.input<typeof EngineConfigSchema>;

export const EngineCapabilitiesSchema = z.object({
  promptLogprobs: z.boolean(),
  sharedPrefix: z.boolean(),
  generate: z.boolean(),
  embeddings: z.boolean(),
  kvSequences: z.boolean(),
  chat: z.boolean(),
});

/** What `/v1/engines` shows: no URLs, endpoints or key names. */
export const EngineDescriptorSchema = z
  .object({
    name: z.string(),
    kind: z.enum(["vllm", "sglang", "sagemaker", "embedded", "openai-chat", "fake"]),
    model: z.string(),
    contextSize: z.number().int().nullable(),
    concurrency: z.number().int(),
    capabilities: EngineCapabilitiesSchema,
  })
  .openapi("Engine");
export type EngineDescriptor = z.infer<typeof EngineDescriptorSchema>;

/** One replica of an engine pool, as `Engine.stats()` reports it: an id, never an address. */
export const ReplicaStatsSchema = z
  .object({
    /** `r0`, `r1`, … in configuration order. */
    id: z.string().openapi({ example: "r0" }),
    /** Calls sent to this replica (each attempt of a retried call counts). */
    requests: z.number().int().min(0),
    /** Of those, the calls that ended in an error (of any kind). */
    failures: z.number().int().min(0),
    /** Calls in flight now. */
    inFlight: z.number().int().min(0),
    /** The replica's circuit breaker: "open" = ejected, "half-open" = one probe call in flight. */
    circuit: z.enum(["closed", "open", "half-open"]),
    /** Wall-clock milliseconds during which this replica had at least one call in flight. */
    busyMs: z.number().min(0),
  })
  .openapi("EngineReplicaStats");
export type ReplicaStats = z.infer<typeof ReplicaStatsSchema>;

/** Per-replica statistics of one engine (a single server is a pool of one). */
export const EngineStatsSchema = z.object({ replicas: z.array(ReplicaStatsSchema) }).openapi("EngineStats");
export type EngineStats = z.infer<typeof EngineStatsSchema>;
