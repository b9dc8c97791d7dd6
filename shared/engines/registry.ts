import { readFileSync } from "node:fs";
import { z } from "zod";
import {
  EngineConfigSchema,
  type EngineConfig,
  type EngineConfigInput,
  type EngineDescriptor,
} from "../../schemas/engines.js";
import { ConfigurationError } from "../errors.js";
import { Registry } from "../registry.js";
import type { Engine, EngineCapabilities, EngineKind } from "./engine.js";
import { createEnginePool } from "./pool/engine-pool.js";
import { replicaConfigs } from "./pool/replica-configs.js";
import { withResilience } from "./resilience.js";

/** Builds an engine from its configuration; `lookup` resolves other configured engines (a SageMaker tokenizer). */
export type EngineFactory = (config: EngineConfig, lookup: (name: string) => Promise<Engine>) => Promise<Engine>;

/** Adapters load lazily, so a Lambda bundle that never uses the embedded engine never loads llama.cpp. */
export const defaultEngineFactories: Record<EngineKind, EngineFactory> = {
  async fake(config) {
    const c = config as Extract<EngineConfig, { kind: "fake" }>;
    const { createInstantFakeEngine } = await import("./fake/instant-fake-engine.js");
    return createInstantFakeEngine({ name: c.name, ...(c.contextSize ? { contextSize: c.contextSize } : {}), ...(c.faults ? { faults: c.faults } : {}) });
  },
  async vllm(config) {
    const { createVllmEngine } = await import("./vllm/index.js");
    return createVllmEngine(config as Extract<EngineConfig, { kind: "vllm" }>);
  },
  async sglang(config) {
    const { createSglangEngine } = await import("./sglang/index.js");
    return createSglangEngine(config as Extract<EngineConfig, { kind: "sglang" }>);
  },
  async sagemaker(config, lookup) {
    const c = config as Extract<EngineConfig, { kind: "sagemaker" }>;
    const { createSagemakerEngine } = await import("./sagemaker/index.js");
    return createSagemakerEngine(c, { tokenizer: await lookup(c.tokenizerEngine) });
  },
  async "openai-chat"(config) {
    const { createOpenAIChatEngine } = await import("./openai-chat/index.js");
    return createOpenAIChatEngine(config as Extract<EngineConfig, { kind: "openai-chat" }>);
  },
  async embedded(config) {
    // Lambda bundles define ASSAY_LAMBDA_BUNDLE="true" so esbuild drops this branch: otherwise it would inline the
    // embedded adapter and hoist its `import "node-llama-cpp"` to the top of the bundle, failing every cold start.
    if (process.env.ASSAY_LAMBDA_BUNDLE !== "true") {
      const c = config as Extract<EngineConfig, { kind: "embedded" }>;
      const { createEmbeddedEngine } = await import("./embedded/index.js");
      return createEmbeddedEngine({
        name: c.name,
        modelPath: c.modelPath,
        threads: c.threads,
        gpu: c.gpu,
        sessionSequences: c.sessionSequences,
        ...(c.contextSize === undefined ? {} : { contextSize: c.contextSize }),
      });
    }
    throw new ConfigurationError("the embedded engine runs locally only; configure a vllm, sglang or sagemaker engine");
  },
};

/** What each kind can do, known before an engine is built (listing engines must not load models). */
const KIND_CAPABILITIES: Record<EngineKind, EngineCapabilities> = {
  vllm: { promptLogprobs: true, sharedPrefix: false, generate: true, embeddings: true, kvSequences: false, chat: false },
  sglang: { promptLogprobs: true, sharedPrefix: true, generate: true, embeddings: false, kvSequences: false, chat: false },
  sagemaker: { promptLogprobs: true, sharedPrefix: false, generate: true, embeddings: false, kvSequences: false, chat: false },
  embedded: { promptLogprobs: true, sharedPrefix: true, generate: true, embeddings: true, kvSequences: true, chat: false },
  "openai-chat": { promptLogprobs: false, sharedPrefix: false, generate: false, embeddings: false, kvSequences: false, chat: true },
  fake: { promptLogprobs: true, sharedPrefix: true, generate: true, embeddings: true, kvSequences: false, chat: false },
};

/** Per replica. Hosted chat APIs limit requests per minute per key, so `openai-chat` starts lower than a GPU server. */
const DEFAULT_CONCURRENCY: Record<EngineKind, number> = {
  vllm: 16,
  sglang: 16,
  sagemaker: 8,
  embedded: 1,
  "openai-chat": 8,
  fake: 64,
};

interface Entry {
  readonly descriptor: EngineDescriptor;
  readonly build: () => Promise<Engine>;
  instance?: Promise<Engine>;
}

/**
 * One adapter per replica, pooled. If one replica cannot be built, those that were are closed and the error surfaces
 * (the registry tries the whole engine again on the next `get`).
 */
async function buildPool(
  replicas: readonly EngineConfig[],
  factory: EngineFactory,
  lookup: (name: string) => Promise<Engine>,
  breaker: EngineConfig["breaker"],
): Promise<Engine> {
  const built = await Promise.allSettled(replicas.map((r) => factory(r, lookup)));
  const engines = built.flatMap((b) => (b.status === "fulfilled" ? [b.value] : []));
  const failed = built.find((b): b is PromiseRejectedResult => b.status === "rejected");
  if (failed) {
    await Promise.allSettled(engines.map((e) => e.close()));
    throw failed.reason;
  }
  return createEnginePool(engines, breaker ? { breaker } : {});
}

/**
 * The engines this deployment may call, by name. Engines are built on first use and shared afterwards. A configured
 * engine is a pool of its replicas (one adapter each, see `createEnginePool`; a single server is a pool of one)
 * wrapped in the configured concurrency limit and retry policy, so `stats()` reports its replicas.
 *
 * @example
 * const engines = EngineRegistry.fromConfigs([{ name: "local", kind: "embedded", modelPath: "m.gguf" }]);
 * const engine = await engines.get("local");
 */
export class EngineRegistry {
  /** The one registry type engines and job kinds share: an unknown name fails with the list of what is available. */
  private readonly entries = new Registry<Entry>("engine", "is not configured");

  private constructor() {}

  /** A registry over validated configurations. Duplicate names are a configuration error. */
  static fromConfigs(
    inputs: readonly EngineConfigInput[],
    factories: Partial<Record<EngineKind, EngineFactory>> = defaultEngineFactories,
  ): EngineRegistry {
    const registry = new EngineRegistry();
    const configs = z.array(EngineConfigSchema).safeParse(inputs);
    if (!configs.success) throw new ConfigurationError("invalid engine configuration", z.treeifyError(configs.error));
    for (const config of configs.data) {
      const factory = factories[config.kind];
      if (!factory) throw new ConfigurationError(`no adapter for engine kind "${config.kind}"`);
      const replicas = replicaConfigs(config);
      // The limit is for the engine as a whole; by default each replica gets the kind's default share.
      const concurrency = config.concurrency ?? DEFAULT_CONCURRENCY[config.kind] * replicas.length;
      registry.add(
        {
          name: config.name,
          kind: config.kind,
          model: "model" in config ? config.model : "modelPath" in config ? modelNameFromPath(config.modelPath) : "instant-fake",
          contextSize: config.contextSize ?? null,
          concurrency,
          capabilities: KIND_CAPABILITIES[config.kind],
        },
        async () =>
          withResilience(
            await buildPool(replicas, factory, (name) => registry.get(name), config.breaker),
            { concurrency, ...(config.retry ? { retry: config.retry } : {}) },
          ),
      );
    }
    return registry;
  }

  /**
   * Adds an engine built in-process (the local stack's embedded engine, a test double). It is used as given: wrap it
   * with `withResilience` first if it should retry (and in `createEnginePool` if it should report `stats()`).
   */
  register(engine: Engine, opts: { concurrency?: number } = {}): void {
    this.add(
      {
        name: engine.name,
        kind: engine.kind,
        model: engine.model,
        // An openai-chat engine without a configured context has Infinity; callers see "unknown".
        contextSize: Number.isFinite(engine.contextSize) ? engine.contextSize : null,
        concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY[engine.kind],
        capabilities: engine.capabilities,
      },
      async () => engine,
    );
  }

  private add(descriptor: EngineDescriptor, build: () => Promise<Engine>): void {
    if (this.entries.has(descriptor.name)) {
      throw new ConfigurationError(`engine "${descriptor.name}" is configured twice`);
    }
    this.entries.register(descriptor.name, { descriptor, build });
  }

  /** Public descriptions, safe to show a caller: no URLs, endpoint names or key variables. */
  list(): EngineDescriptor[] {
    return this.entries.values().map((e) => e.descriptor);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The descriptor for a name, or a 400 {@link ValidationError} naming the engines that exist. */
  describe(name: string): EngineDescriptor {
    return this.entries.get(name).descriptor;
  }

  /** The engine for a name (built on first use); unknown names are a 400. A failed build is retried next time. */
  get(name: string): Promise<Engine> {
    this.describe(name);
    const entry = this.entries.get(name)!;
    if (!entry.instance) {
      entry.instance = entry.build().catch((error: unknown) => {
        delete entry.instance;
        throw error;
      });
    }
    return entry.instance;
  }

  /** Closes every engine that was built. */
  async close(): Promise<void> {
    const built = this.entries.values().flatMap((e) => (e.instance ? [e.instance] : []));
    await Promise.allSettled(built.map(async (p) => (await p).close()));
  }
}

function modelNameFromPath(path: string): string {
  return path.split(/[\\/]/).pop()!.replace(/\.gguf$/i, "");
}

/**
 * Engine configurations from the environment: `ASSAY_ENGINES` (a JSON array) or `ASSAY_ENGINES_FILE` (a JSON file
 * holding one). None configured is allowed (the local stack registers its own).
 */
export function loadEngineConfigs(env: NodeJS.ProcessEnv = process.env): EngineConfigInput[] {
  let raw = env.ASSAY_ENGINES;
  let source = "ASSAY_ENGINES";
  if (!raw && env.ASSAY_ENGINES_FILE) {
    source = env.ASSAY_ENGINES_FILE;
    raw = readFileSync(env.ASSAY_ENGINES_FILE, "utf8");
  }
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) throw new Error("not an array");
    return parsed as EngineConfigInput[];
  } catch (cause) {
    throw new ConfigurationError(`${source} must be a JSON array of engine configurations`, undefined, { cause });
  }
}
