/**
 * The kernel's dependencies as a deployed function builds them from its environment: `BUCKET_NAME`, one
 * `{KIND}_QUEUE_URL` per job kind it may send to, `MAX_RECEIVE_COUNT` (set by the stack from the same worker spec
 * that sets the queue's redrive policy), and through {@link loadDeploymentConfig} the engines and the callback secrets.
 * Clients may be passed in, so the local stack reuses this with clients pointed at its emulator.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { Logger } from "@aws-lambda-powertools/logger";
import { queueUrlEnvName } from "../../infra/worker-spec.js";
import { loadDeploymentConfig } from "../config/deployment-config.js";
import { EngineRegistry } from "../engines/registry.js";
import { ConfigurationError } from "../errors.js";
import { S3ObjectStore } from "../store/s3-object-store.js";
import { powertoolsLog } from "../observability/log.js";
import type { JobMetrics } from "../observability/metrics.js";
import type { CallbackSecrets, EngineLookup, JobDeps, JobOptions } from "./ports.js";
import { sqsJobQueue } from "./sqs-job-queue.js";

export { powertoolsLog } from "../observability/log.js";

/** Parses `ASSAY_CALLBACK_SECRETS`-style JSON: an object of tenant → secret (absent: none). */
export function parseCallbackSecrets(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Record<string, string>;
  } catch (cause) {
    throw new ConfigurationError("ASSAY_CALLBACK_SECRETS must be a JSON object of tenant → secret", undefined, { cause });
  }
}

/** Callback secrets by tenant; a tenant without one cannot have callbacks signed. */
export function callbackSecretsFrom(map: Readonly<Record<string, string>>): CallbackSecrets {
  return {
    async callbackSecret(tenant) {
      const secret = map[tenant];
      if (!secret) throw new ConfigurationError(`no callback secret configured for tenant ${tenant}`);
      return secret;
    },
  };
}

/** `{KIND}_QUEUE_URL` for each kind that has one in `env`. */
export function queueUrlsFromEnv(kinds: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kind of kinds) {
    const url = env[queueUrlEnvName(kind)];
    if (url) out[kind] = url;
  }
  return out;
}

/** `MAX_RECEIVE_COUNT`: required, a positive integer (the stack sets it from the worker spec). */
export function maxReceiveCountFromEnv(env: NodeJS.ProcessEnv): number {
  const value = Number(env.MAX_RECEIVE_COUNT);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigurationError("MAX_RECEIVE_COUNT must be set to the queue's redrive maxReceiveCount (the stack sets it)", { value: env.MAX_RECEIVE_COUNT ?? null });
  }
  return value;
}

/** What the caller may supply instead of the defaults. */
export interface WorkerDepsInput {
  readonly env?: NodeJS.ProcessEnv;
  readonly s3?: S3Client;
  readonly sqs?: SQSClient;
  readonly engines?: EngineLookup;
  readonly secrets?: CallbackSecrets;
  readonly options?: JobOptions;
  /** The function's logger (its request id added per invocation by the entry point). */
  readonly logger?: Logger;
  readonly metrics?: JobMetrics;
  readonly serviceName?: string;
}

/**
 * @example
 * const deps = await workerDepsFromEnv(["nuggets"]);
 */
export async function workerDepsFromEnv(kinds: readonly string[], input: WorkerDepsInput = {}): Promise<JobDeps> {
  const env = input.env ?? process.env;
  const bucket = env.BUCKET_NAME;
  if (!bucket) throw new ConfigurationError("BUCKET_NAME is not set");
  const queueUrls = queueUrlsFromEnv(kinds, env);
  if (Object.keys(queueUrls).length === 0) {
    throw new ConfigurationError(`no job queue URL is set (${kinds.map(queueUrlEnvName).join(", ")})`);
  }
  const config = input.engines && input.secrets ? null : await loadDeploymentConfig(env);
  return {
    store: new S3ObjectStore({ client: input.s3 ?? new S3Client({}), bucket }),
    queue: sqsJobQueue(input.sqs ?? new SQSClient({}), queueUrls),
    engines: input.engines ?? EngineRegistry.fromConfigs(config!.engines),
    secrets: input.secrets ?? callbackSecretsFrom(parseCallbackSecrets(config!.callbackSecretsJson)),
    log: powertoolsLog(input.logger ?? new Logger({ serviceName: input.serviceName ?? "assay-worker" })),
    ...(input.metrics ? { metrics: input.metrics } : {}),
    ...(input.options ? { options: input.options } : {}),
  };
}
