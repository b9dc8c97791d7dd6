/**
 * The deps a local worker builds — in a worker thread of the local stack, or on the main thread when engines were
 * handed in as objects: clients pointed at the emulator, the job queue over its queues, the engines (the embedded
 * `local` engine of its own plus any configured), the callback secrets.
 */
import { createEmbeddedEngine } from "../engines/embedded/index.js";
import type { Engine } from "../engines/engine.js";
import { EngineRegistry } from "../engines/registry.js";
import type { EngineConfigInput } from "../../schemas/engines.js";
import type { JobDeps, JobLog, JobOptions } from "../jobs/ports.js";
import type { LogLevel } from "../observability/log.js";
import type { JobMetrics } from "../observability/metrics.js";
import { sqsJobQueue } from "../jobs/sqs-job-queue.js";
import { callbackSecretsFrom } from "../jobs/worker-deps.js";
import { createLocalS3Client, createLocalSqsClient } from "../local/local-clients.js";
import { S3ObjectStore } from "../store/s3-object-store.js";

/** Everything a local worker needs to build its deps; plain data, so it can cross into a worker thread. */
export interface LocalWorkerConfig {
  readonly endpoint: string;
  readonly bucket: string;
  /** Queue URL by job kind. */
  readonly queueUrls: Readonly<Record<string, string>>;
  /** Receives before the DLQ, by job kind (from the same worker specs that set the queues' redrive policies). */
  readonly maxReceiveCounts: Readonly<Record<string, number>>;
  /** The worker's time budget per message (a little less than the queues' visibility timeout). */
  readonly budgetMs: number;
  /** The embedded engine registered as `localEngine`, one per worker. */
  readonly modelPath: string;
  readonly localEngine: string;
  /** The embedded engine's context in tokens; default the engine's (the model's training context, at most 512). */
  readonly contextSize?: number;
  /** The embedded engine's flash attention; default llama.cpp's. */
  readonly flashAttention?: boolean;
  /** Other engines, by configuration (from ASSAY_ENGINES and the caller). */
  readonly engineConfigs: readonly EngineConfigInput[];
  readonly callbackSecrets: Readonly<Record<string, string>>;
  /**
   * One Int32 shared with the main thread: 1 once the stack is stopping, so shards checkpoint after their current
   * unit (see `JobWorkerOptions.stopping`). A SharedArrayBuffer crosses into worker threads shared, not copied.
   */
  readonly stopSignal?: SharedArrayBuffer;
  readonly options: JobOptions;
  readonly logLevel: LogLevel;
}

/** Builds a worker's deps; `engines` registers in-process engine objects as well (main-thread workers only). */
export async function buildLocalWorkerDeps(
  config: LocalWorkerConfig,
  extra: { engines?: readonly Engine[]; log?: JobLog; metrics?: JobMetrics } = {},
): Promise<{ deps: JobDeps; close(): Promise<void> }> {
  const s3 = createLocalS3Client({ endpoint: config.endpoint });
  const sqs = createLocalSqsClient({ endpoint: config.endpoint });
  const engines = EngineRegistry.fromConfigs(config.engineConfigs);
  engines.register(
    await createEmbeddedEngine({ name: config.localEngine, modelPath: config.modelPath, threads: 1, ...(config.contextSize ? { contextSize: config.contextSize } : {}), ...(config.flashAttention !== undefined ? { flashAttention: config.flashAttention } : {}) }),
  );
  for (const engine of extra.engines ?? []) engines.register(engine);
  const deps: JobDeps = {
    store: new S3ObjectStore({ client: s3, bucket: config.bucket }),
    queue: sqsJobQueue(sqs, config.queueUrls),
    engines,
    secrets: callbackSecretsFrom(config.callbackSecrets),
    options: config.options,
    ...(extra.log ? { log: extra.log } : {}),
    ...(extra.metrics ? { metrics: extra.metrics } : {}),
  };
  return {
    deps,
    async close() {
      await engines.close();
      s3.destroy();
      sqs.destroy();
    },
  };
}

/** Whether the stack has asked its workers to stop (see {@link LocalWorkerConfig.stopSignal}). */
export function stopRequested(config: Pick<LocalWorkerConfig, "stopSignal">): () => boolean {
  const flag = config.stopSignal ? new Int32Array(config.stopSignal) : null;
  return () => flag !== null && Atomics.load(flag, 0) === 1;
}
