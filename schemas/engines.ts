import { z } from "@hono/zod-openapi";
import { EngineNameSchema } from "./common.js";

const RetrySchema = z.object({
  maxAttempts: z.number().int().min(1).max(20).default(5),
  baseDelayMs: z.number().int().min(0).default(200),
  maxDelayMs: z.number().int().min(0).default(10_000),
});

const common = {
  name: EngineNameSchema,
  /** Most requests in flight to this engine from one process. */
  concurrency: z.number().int().min(1).max(1024).optional(),
  retry: RetrySchema.optional(),
  /** Request timeout for remote engines. */
  timeoutMs: z.number().int().min(100).max(900_000).optional(),
};

const httpEndpoint = {
  ...common,
  /** The server root, e.g. `https://vllm.internal:8000`; assay adds `/v1/...` itself. */
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .refine((u) => !/\/v1\/*$/.test(u), { message: "give the server root without /v1 (assay adds /v1 itself)" }),
  model: z.string().min(1),
  /** Name of the environment variable holding the endpoint's API key (the key itself never sits in config). */
  apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
  contextSize: z.number().int().min(16),
  bosToken: z.number().int().min(0).nullable().optional(),
};

/** One configured engine. Callers refer to it by `name`; everything else stays server-side. */
export const EngineConfigSchema = z.discriminatedUnion("kind", [
  z.object({
    ...httpEndpoint,
    kind: z.literal("vllm"),
    /** Older vLLM servers reject `max_tokens: 0`; then 1 is sent and the extra token ignored. */
    maxTokensZero: z.boolean().default(true),
  }),
  z.object({ ...httpEndpoint, kind: z.literal("sglang") }),
  z.object({
    ...common,
    kind: z.literal("sagemaker"),
    endpointName: z.string().min(1),
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
  }),
  z.object({
    ...common,
    kind: z.literal("embedded"),
    modelPath: z.string().min(1),
    contextSize: z.number().int().min(16).optional(),
    /** 1 on small machines: llama.cpp's default thread count runs far slower on 2 cores. */
    threads: z.number().int().min(1).max(256).default(1),
    gpu: z.boolean().default(false),
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
});

/** What `/v1/engines` shows: no URLs, endpoints or key names. */
export const EngineDescriptorSchema = z
  .object({
    name: z.string(),
    kind: z.enum(["vllm", "sglang", "sagemaker", "embedded", "fake"]),
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
