import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createApp } from "../api/app.js";
import { ApiKeyAuthenticator, generateApiKey, hashApiKey, loadApiKeyRecords, type ApiKeyRecord } from "../auth/api-keys.js";
import { resolveDefaultModel } from "../config/shared-files.js";
import { createEmbeddedEngine } from "../engines/embedded/index.js";
import { EngineRegistry, loadEngineConfigs } from "../engines/registry.js";
import { startLocalAws, type LocalAws } from "../local/emulator.js";
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
}

export interface LocalStack {
  readonly apiUrl: string;
  /** A key for the tenant {@link LOCAL_TENANT}. */
  readonly apiKey: string;
  readonly modelPath: string;
  readonly aws: LocalAws;
  readonly engines: EngineRegistry;
  readonly store: S3ObjectStore;
  stop(): Promise<void>;
}

/**
 * The dev key: `apiKey` if given, else one kept in `dataDir` so it survives restarts, else a fresh one.
 * Only its hash goes into the authenticator, as in production.
 */
function devKey(opts: LocalStackOptions): string {
  if (opts.apiKey) return opts.apiKey;
  const file = opts.dataDir ? join(opts.dataDir, "dev-api-key") : null;
  if (file && existsSync(file)) return readFileSync(file, "utf8").trim();
  const { key } = generateApiKey(LOCAL_TENANT);
  if (file) {
    mkdirSync(opts.dataDir!, { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
  }
  return key;
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

  const aws = await startLocalAws({
    host,
    bucket: LOCAL_BUCKET,
    queues: [],
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

    const store = new S3ObjectStore({ client: aws.s3, bucket: aws.bucket });
    const uploads = new S3UploadUrlSigner({ client: aws.s3, bucket: aws.bucket });
    const app = createApp({ engines, auth: new ApiKeyAuthenticator(keyRecords), store, uploads, version: "local" });
    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 8787 }, () => resolve(s));
      s.once("error", reject);
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;

    return { apiUrl: `http://${host}:${port}`, apiKey, modelPath, aws, engines, store, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
