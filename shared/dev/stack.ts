import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createApp } from "../api/app.js";
import { ApiKeyAuthenticator, generateApiKey, hashApiKey, loadApiKeyRecords, type ApiKeyRecord } from "../auth/api-keys.js";
import { resolveDefaultModel } from "../config/shared-files.js";
import { createEmbeddedEngine } from "../engines/embedded/index.js";
import { EngineRegistry, loadEngineConfigs } from "../engines/registry.js";
import type { Engine } from "../engines/engine.js";
import { startLocalAws, type LocalAws } from "../local/emulator.js";
import { startSqsPoller } from "../local/sqs-poller.js";
import { createNuggetsWorkerHandler } from "../nuggets/jobs/worker-handler.js";
import { callbackSecretsFrom, parseCallbackSecrets, sqsNuggetsQueue } from "../nuggets/jobs/worker-deps.js";
import type { NuggetsJobOptions } from "../nuggets/jobs/ports.js";
import { S3ObjectStore } from "../store/s3-object-store.js";
import { S3UploadUrlSigner } from "../store/upload-urls.js";

/** The tenant the local stack's printed key belongs to. */
export const LOCAL_TENANT = "local";
export const LOCAL_BUCKET = "assay-local";
/** The name the embedded engine is registered under. */
export const LOCAL_ENGINE = "local";

export interface LocalStackOptions {
  /** API port; 0 picks a free one. */
  readonly port?: number;
  readonly host?: string;
  /** The embedded engine's model; default {@link resolveDefaultModel}. */
  readonly modelPath?: string;
  /** Persist emulator state (and the dev key) here; in memory when absent. */
  readonly dataDir?: string;
  /** Use this API key for the local tenant instead of a generated one. */
  readonly apiKey?: string;
  /** Also register these engines (test doubles for fault injection, say), beside `local`. */
  readonly extraEngines?: readonly Engine[];
  /** The NUGGETS queue and worker, as Lambda would run them; the defaults suit interactive use. */
  readonly nuggets?: {
    /** Receives before a message goes to the DLQ (deployed: 5). */
    readonly maxReceiveCount?: number;
    /** How long a received message stays hidden; the worker's time budget is a little less (deployed: 90 min / 15). */
    readonly visibilityTimeoutSeconds?: number;
    readonly options?: NuggetsJobOptions;
  };
}

/** Queue names in the local emulator. */
export const LOCAL_QUEUES = { nuggets: "assay-nuggets", nuggetsDlq: "assay-nuggets-dlq" } as const;

export interface LocalStack {
  readonly apiUrl: string;
  /** A key for the tenant {@link LOCAL_TENANT}. */
  readonly apiKey: string;
  readonly modelPath: string;
  readonly aws: LocalAws;
  readonly engines: EngineRegistry;
  readonly store: S3ObjectStore;
  /** The secret completion callbacks for {@link LOCAL_TENANT} are signed with. */
  readonly callbackSecret: string;
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

/**
 * Starts everything the production deployment has, on loopback: S3+SQS (fauxqs), the API, and the embedded engine
 * registered as `local` beside any engines configured in the environment. The code paths are the production ones;
 * only endpoints and credentials differ.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const modelPath = opts.modelPath ?? resolveDefaultModel();
  const host = opts.host ?? "127.0.0.1";
  const apiKey = devKey(opts);
  const keyRecords: ApiKeyRecord[] = [
    ...loadApiKeyRecords(),
    { tenant: LOCAL_TENANT, keyHash: hashApiKey(apiKey), scopes: ["read", "write"] },
  ];

  const callbackSecret = keptSecret(opts.dataDir, "dev-callback-secret", () => randomBytes(32).toString("hex"));
  const maxReceiveCount = opts.nuggets?.maxReceiveCount ?? 5;
  const visibilityTimeoutSeconds = opts.nuggets?.visibilityTimeoutSeconds ?? 60;

  const aws = await startLocalAws({
    host,
    bucket: LOCAL_BUCKET,
    queues: [
      {
        name: LOCAL_QUEUES.nuggets,
        visibilityTimeoutSeconds,
        dlq: { name: LOCAL_QUEUES.nuggetsDlq, maxReceiveCount },
      },
    ],
    ...(opts.dataDir ? { dataDir: join(opts.dataDir, "aws") } : {}),
  });
  const cleanups: (() => Promise<void>)[] = [() => aws.stop()];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };

  try {
    const engines = EngineRegistry.fromConfigs(loadEngineConfigs());
    cleanups.push(() => engines.close());
    engines.register(await createEmbeddedEngine({ name: LOCAL_ENGINE, modelPath, threads: 1 }));
    for (const engine of opts.extraEngines ?? []) engines.register(engine);

    const store = new S3ObjectStore({ client: aws.s3, bucket: aws.bucket });
    const uploads = new S3UploadUrlSigner({ client: aws.s3, bucket: aws.bucket });
    const queue = sqsNuggetsQueue(aws.sqs, aws.queueUrls[LOCAL_QUEUES.nuggets]!);
    // Callbacks to the developer's own machine are the point of a local stack; deployed stacks refuse them.
    const nuggetsOptions: NuggetsJobOptions = { allowLoopbackCallbacks: true, ...opts.nuggets?.options };
    const secrets = callbackSecretsFrom({
      ...parseCallbackSecrets(process.env.ASSAY_CALLBACK_SECRETS),
      [LOCAL_TENANT]: callbackSecret,
    });

    // The worker Lambda would run, fed by polling the local queue. Its time budget stays inside the visibility
    // timeout, so a long shard checkpoints before its message could be handed to another consumer.
    const worker = createNuggetsWorkerHandler(
      { store, queue, engines, secrets, options: nuggetsOptions },
      { maxReceiveCount, defaultBudgetMs: Math.max(1000, visibilityTimeoutSeconds * 1000 - 5000) },
    );
    const poller = startSqsPoller({
      sqs: aws.sqs,
      queueUrl: aws.queueUrls[LOCAL_QUEUES.nuggets]!,
      queueArn: aws.queueArns[LOCAL_QUEUES.nuggets]!,
      handler: (event) => worker(event),
      waitSeconds: 1,
      onError: (error, source) => console.error(`nuggets worker (${source}): ${(error as Error).message ?? error}`),
    });
    cleanups.push(() => poller.stop());

    const app = createApp({
      engines,
      auth: new ApiKeyAuthenticator(keyRecords),
      store,
      uploads,
      nuggets: { queue, options: nuggetsOptions },
      version: "local",
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 8787 }, () => resolve(s));
      s.once("error", reject);
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;

    return { apiUrl: `http://${host}:${port}`, apiKey, modelPath, aws, engines, store, callbackSecret, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

