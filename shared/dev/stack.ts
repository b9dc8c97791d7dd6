import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import pLimit from "p-limit";
import { Piscina } from "piscina";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { DEFAULT_WORKERS, type WorkerSpec } from "../../infra/worker-spec.js";
import type { EngineConfigInput } from "../../schemas/engines.js";
import { createApp } from "../api/app.js";
import { ApiKeyAuthenticator, generateApiKey, hashApiKey, loadApiKeyRecords, type ApiKeyRecord } from "../auth/api-keys.js";
import { resolveDefaultModel } from "../config/shared-files.js";
import { createEmbeddedEngine } from "../engines/embedded/index.js";
import type { Engine } from "../engines/engine.js";
import { EngineRegistry, loadEngineConfigs } from "../engines/registry.js";
import { allJobKinds } from "../job-kinds.js";
import type { JobOptions } from "../jobs/ports.js";
import { sqsJobQueue } from "../jobs/sqs-job-queue.js";
import { createJobWorkerHandler } from "../jobs/worker-handler.js";
import { parseCallbackSecrets } from "../jobs/worker-deps.js";
import { startLocalAws, type LocalAws } from "../local/emulator.js";
import { localS3Config } from "../local/local-clients.js";
import { startSqsPoller, type SqsPoller } from "../local/sqs-poller.js";
import { S3ObjectStore } from "../store/s3-object-store.js";
import { S3UploadUrlSigner } from "../store/upload-urls.js";
import { terminalLog, type LogLevel } from "../observability/log.js";
import { logMetrics } from "../observability/metrics.js";
import { buildLocalWorkerDeps, type LocalWorkerConfig } from "./local-worker-deps.js";
import type { LocalWorkerTask } from "./local-worker-thread.js";

/** The tenant the local stack's printed key belongs to. */
export const LOCAL_TENANT = "local";
export const LOCAL_BUCKET = "assay-local";
/** Sequences the API's embedded engine keeps for SirLLM sessions unless told (a few KB each on stories260K). */
const DEFAULT_SESSION_SEQUENCES = 4;

/** The name the embedded engine is registered under. */
export const LOCAL_ENGINE = "local";

/** How long stopping waits for the units in hand before it terminates the worker threads. */
const STOP_GRACE_MS = 60_000;

/** Worker threads by default: one per core but one (the API, the emulator and the pollers share the main thread). */
export const defaultWorkerCount = (): number => Math.max(1, availableParallelism() - 1);

export interface LocalStackOptions {
  /** API port; 0 picks a free one. */
  readonly port?: number;
  readonly host?: string;
  /** The embedded engine's model; default {@link resolveDefaultModel}. */
  readonly modelPath?: string;
  /**
   * The embedded engine's context in tokens (prompt + generation). Default: the model's training context, at most 512
   * — enough for NUGGETS on stories260K; MTI-Bench's prompts need several thousand.
   */
  readonly contextSize?: number;
  /**
   * llama.cpp's flash attention for the embedded engine. Default: off when `contextSize` is above 512 (on CPU it
   * makes long prompts about 4× slower: stories260K, 3,000 tokens, 2.5-3.0 s against 0.7-0.8 s), else llama.cpp's
   * default (on), which the NUGGETS figures were measured with.
   */
  readonly flashAttention?: boolean;
  /**
   * Sequences the API's embedded engine keeps for KV-level SirLLM sessions, one resident session each (default 4;
   * a session beyond them takes the least recently used one and is rebuilt from its stored memory next time).
   */
  readonly sessionSequences?: number;
  /** Persist emulator state (and the dev key) here; in memory when absent. */
  readonly dataDir?: string;
  /** Use this API key for the local tenant instead of a generated one. */
  readonly apiKey?: string;
  /**
   * Worker threads, each with its own embedded engine (one llama.cpp thread each). Default: cores − 1, at least 1.
   * 0 runs the workers on the main thread (needed for `extraEngines`, which are objects and cannot cross threads).
   */
  readonly workers?: number;
  /** Engines to configure beside `local` and ASSAY_ENGINES, by configuration (every worker builds its own). */
  readonly engineConfigs?: readonly EngineConfigInput[];
  /** Engine objects to register beside `local` (test doubles); they need `workers: 0`. */
  readonly extraEngines?: readonly Engine[];
  /** The queues and workers, as Lambda would run them; the defaults suit interactive use. */
  readonly jobs?: {
    /** Receives before a message goes to the DLQ; default: each worker spec's (deployed: 5). */
    readonly maxReceiveCount?: number;
    /** How long a received message stays hidden; the worker's time budget is a little less (deployed: 90 min / 15). */
    readonly visibilityTimeoutSeconds?: number;
    readonly options?: JobOptions;
  };
  /** The queue-fed workers (default: the deployed ones, `infra/worker-spec.ts`). */
  readonly workerSpecs?: readonly WorkerSpec[];
  /** What to log, one line each: requests and job events at `info`, metrics at `debug`. Default `warn`. */
  readonly logLevel?: LogLevel;
  /** Where log lines go (default stdout); worker threads always write to stdout. */
  readonly logWrite?: (line: string) => void;
}

/** A worker spec's queue names in the local emulator. */
export const localQueueNames = (spec: Pick<WorkerSpec, "name">) => ({ queue: `assay-${spec.name}`, dlq: `assay-${spec.name}-dlq` });
/** Queue names in the local emulator (the NUGGETS worker's). */
export const LOCAL_QUEUES = { nuggets: "assay-nuggets", nuggetsDlq: "assay-nuggets-dlq" } as const;

export interface LocalStack {
  readonly apiUrl: string;
  /** A key for the tenant {@link LOCAL_TENANT}. */
  readonly apiKey: string;
  readonly modelPath: string;
  readonly aws: LocalAws;
  /** The main thread's engines (the API's: tokenising, dry runs). */
  readonly engines: EngineRegistry;
  readonly store: S3ObjectStore;
  /** The secret completion callbacks for {@link LOCAL_TENANT} are signed with. */
  readonly callbackSecret: string;
  /** Worker threads running (0: workers on the main thread). */
  readonly workers: number;
  /** The job queues the workers are fed from, by name. */
  readonly queues: readonly string[];
  stop(): Promise<void>;
}

/**
 * The dev key: `apiKey` if given, else one kept in `dataDir` so it survives restarts, else a fresh one.
 * Only its hash goes into the authenticator, as in production.
 */
function devKey(opts: LocalStackOptions): string {
  return opts.apiKey ?? keptSecret(opts.dataDir, "dev-api-key", () => generateApiKey(LOCAL_TENANT).key);
}

/** A secret kept in `dataDir` (so it survives restarts), or a fresh one when there is none. */
function keptSecret(dataDir: string | undefined, name: string, make: () => string): string {
  const file = dataDir ? join(dataDir, name) : null;
  if (file && existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = make();
  if (file) {
    mkdirSync(dataDir!, { recursive: true });
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  }
  return secret;
}

/** `--import tsx` for worker threads, which do not inherit loader hooks registered in the main thread. */
function workerExecArgv(): string[] {
  const argv = [...process.execArgv];
  const hasTsx = argv.some((a, i) => (a === "--import" || a === "--loader") && /tsx/.test(argv[i + 1] ?? "")) || argv.some((a) => /^--import=.*tsx/.test(a));
  return hasTsx ? argv : [...argv, "--import", "tsx"];
}

/**
 * Starts everything the production deployment has, on loopback: S3+SQS (fauxqs), the API, one queue + DLQ per
 * worker spec with its pollers, and worker threads with their own embedded engine (registered as `local` beside any
 * engines configured in the environment). The code paths are the production ones; only endpoints and credentials
 * differ.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const modelPath = opts.modelPath ?? resolveDefaultModel();
  const host = opts.host ?? "127.0.0.1";
  const apiKey = devKey(opts);
  const keyRecords: ApiKeyRecord[] = [
    ...loadApiKeyRecords(),
    { tenant: LOCAL_TENANT, keyHash: hashApiKey(apiKey), scopes: ["read", "write"] },
  ];
  const specs = opts.workerSpecs ?? DEFAULT_WORKERS;
  const workers = opts.extraEngines?.length ? 0 : (opts.workers ?? defaultWorkerCount());
  if (opts.extraEngines?.length && opts.workers) throw new Error("extraEngines are objects and need workers: 0");

  const callbackSecret = keptSecret(opts.dataDir, "dev-callback-secret", () => randomBytes(32).toString("hex"));
  const visibilityTimeoutSeconds = opts.jobs?.visibilityTimeoutSeconds ?? 60;
  const maxReceiveCounts = Object.fromEntries(specs.map((s) => [s.name, opts.jobs?.maxReceiveCount ?? s.maxReceiveCount]));

  const aws = await startLocalAws({
    host,
    bucket: LOCAL_BUCKET,
    queues: specs.map((spec) => {
      const names = localQueueNames(spec);
      return { name: names.queue, visibilityTimeoutSeconds, dlq: { name: names.dlq, maxReceiveCount: maxReceiveCounts[spec.name]! } };
    }),
    ...(opts.dataDir ? { dataDir: join(opts.dataDir, "aws") } : {}),
  });
  const cleanups: (() => Promise<void>)[] = [() => aws.stop()];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };

  try {
    const engineConfigs = [...loadEngineConfigs(), ...(opts.engineConfigs ?? [])];
    const engines = EngineRegistry.fromConfigs(engineConfigs);
    cleanups.push(() => engines.close());
    const flashAttention = opts.flashAttention ?? (opts.contextSize !== undefined && opts.contextSize > 512 ? false : undefined);
    const embedded = { ...(opts.contextSize ? { contextSize: opts.contextSize } : {}), ...(flashAttention !== undefined ? { flashAttention } : {}) };
    const sessionSequences = opts.sessionSequences ?? DEFAULT_SESSION_SEQUENCES;
    engines.register(await createEmbeddedEngine({ name: LOCAL_ENGINE, modelPath, threads: 1, sessionSequences, ...embedded }));
    for (const engine of opts.extraEngines ?? []) engines.register(engine);

    const store = new S3ObjectStore({ client: aws.s3, bucket: aws.bucket });
    const uploads = new S3UploadUrlSigner({ config: localS3Config({ endpoint: aws.endpoint }), bucket: aws.bucket });
    cleanups.push(async () => uploads.destroy());
    const queueUrls = Object.fromEntries(specs.map((s) => [s.name, aws.queueUrls[localQueueNames(s).queue]!]));
    const queue = sqsJobQueue(aws.sqs, queueUrls);
    // Callbacks to the developer's own machine are the point of a local stack; deployed stacks refuse them.
    const jobOptions: JobOptions = { allowLoopbackCallbacks: true, ...opts.jobs?.options };
    const callbackSecrets = { ...parseCallbackSecrets(process.env.ASSAY_CALLBACK_SECRETS), [LOCAL_TENANT]: callbackSecret };
    const kinds = allJobKinds();
    const logLevel = opts.logLevel ?? "warn";
    const log = terminalLog({ level: logLevel, ...(opts.logWrite ? { write: opts.logWrite } : {}) });
    const metrics = logMetrics(log);

    // The workers Lambda would run. Their time budget stays inside the visibility timeout, so a long shard
    // checkpoints before its message could be handed to another consumer.
    const stopSignal = new SharedArrayBuffer(4);
    const workerConfig: LocalWorkerConfig = {
      endpoint: aws.endpoint,
      bucket: aws.bucket,
      queueUrls,
      maxReceiveCounts,
      budgetMs: Math.max(1000, visibilityTimeoutSeconds * 1000 - 5000),
      modelPath,
      localEngine: LOCAL_ENGINE,
      ...embedded,
      engineConfigs,
      callbackSecrets,
      stopSignal,
      options: jobOptions,
      logLevel,
    };
    let run: (task: LocalWorkerTask) => Promise<SQSBatchResponse>;
    let stopWorkers: () => Promise<void>;
    if (workers > 0) {
      const pool = new Piscina<LocalWorkerTask, SQSBatchResponse>({
        filename: new URL("./local-worker-thread.ts", import.meta.url).href,
        minThreads: workers,
        maxThreads: workers,
        concurrentTasksPerWorker: 1,
        idleTimeout: Number.POSITIVE_INFINITY,
        workerData: workerConfig,
        execArgv: workerExecArgv(),
      });
      let destroyed: Promise<void> | undefined;
      const inFlight = new Set<Promise<unknown>>();
      // Terminating a thread inside a llama.cpp call aborts the whole process, so stopping first lets the work in
      // hand end: shards checkpoint after their current unit (the stop signal spends their budget), and only then
      // are the threads destroyed — after at most STOP_GRACE_MS, should a unit still be running.
      stopWorkers = () =>
        (destroyed ??= (async () => {
          Atomics.store(new Int32Array(stopSignal), 0, 1);
          await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
          await pool.destroy();
        })());
      cleanups.push(stopWorkers);
      run = (task) => {
        const p = pool.run(task);
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p)).catch(() => undefined);
        return p;
      };
    } else {
      const built = await buildLocalWorkerDeps(workerConfig, { engines: opts.extraEngines ?? [], log, metrics });
      let closed: Promise<void> | undefined;
      stopWorkers = () => (closed ??= built.close());
      cleanups.push(stopWorkers);
      const handlers = new Map(
        specs.map((s) => [s.name, createJobWorkerHandler(built.deps, kinds, { maxReceiveCount: maxReceiveCounts[s.name]!, defaultBudgetMs: workerConfig.budgetMs })]),
      );
      run = (task) => handlers.get(task.kind)!(task.event);
    }

    // Pollers on the main thread; a shared limit lets one take a batch only when a worker is free for it.
    const slots = pLimit(Math.max(1, workers));
    const pollers: SqsPoller[] = [];
    for (const spec of specs) {
      const names = localQueueNames(spec);
      for (let i = 0; i < Math.max(1, workers); i++) {
        pollers.push(
          startSqsPoller({
            sqs: aws.sqs,
            queueUrl: aws.queueUrls[names.queue]!,
            queueArn: aws.queueArns[names.queue]!,
            handler: (event: SQSEvent) => run({ kind: spec.name, event }),
            batchSize: spec.batchSize,
            waitSeconds: 1,
            limit: slots,
            onError: (error, source) => log.error("worker poller failed", { queue: spec.name, source, error: (error as Error).message ?? String(error) }),
          }),
        );
      }
    }
    // Stopping: take no new batch, end the work in hand at once (its messages become visible again after their
    // visibility timeout, or at once when the stack restarts over the same data folder), then wait for the pollers.
    cleanups.push(async () => {
      const stopped = Promise.all(pollers.map((p) => p.stop()));
      await stopWorkers();
      await stopped;
    });

    const app = createApp({
      engines,
      auth: new ApiKeyAuthenticator(keyRecords),
      store,
      uploads,
      jobs: { kinds, queue, options: jobOptions },
      version: "local",
      log,
      metrics,
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 8787 }, () => resolve(s));
      s.once("error", reject);
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          // A client holding a connection open (a streamed download, a keep-alive) must not keep the port.
          setTimeout(() => (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.(), 1000).unref();
        }),
    );
    const { port } = server.address() as AddressInfo;

    const queues = specs.map((s) => localQueueNames(s).queue);
    return { apiUrl: `http://${host}:${port}`, apiKey, modelPath, aws, engines, store, callbackSecret, workers, queues, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
