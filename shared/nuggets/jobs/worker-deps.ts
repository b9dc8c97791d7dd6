/**
 * The worker's dependencies as a deployed function builds them from its environment: `BUCKET_NAME`,
 * `NUGGETS_QUEUE_URL`, `NUGGETS_MAX_RECEIVE_COUNT`, and through {@link loadDeploymentConfig} the engines and the
 * callback secrets (a JSON object tenant → secret) from SSM or the environment. Clients may be passed in, so the
 * local stack reuses this with clients pointed at its emulator.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { Logger } from "@aws-lambda-powertools/logger";
import { NuggetsMessageSchema } from "../../../schemas/nuggets-jobs.js";
import { loadDeploymentConfig } from "../../config/deployment-config.js";
import { EngineRegistry } from "../../engines/registry.js";
import { ConfigurationError } from "../../errors.js";
import { createQueue } from "../../queue/queue.js";
import { S3ObjectStore } from "../../store/s3-object-store.js";
import type { CallbackSecrets, EngineLookup, JobLog, NuggetsJobDeps, NuggetsJobOptions, NuggetsQueue } from "./ports.js";

type LogAttributes = Parameters<Logger["appendKeys"]>[0];

/** Powertools' Logger behind the narrow {@link JobLog}. */
export function powertoolsLog(logger: Logger): JobLog {
  const attrs = (extra?: Record<string, unknown>) => (extra ?? {}) as LogAttributes;
  return {
    info: (message, extra) => logger.info(message, attrs(extra)),
    warn: (message, extra) => logger.warn(message, attrs(extra)),
    error: (message, extra) => logger.error(message, attrs(extra)),
  };
}

/** What the caller may supply instead of the defaults. */
export interface WorkerDepsInput {
  readonly env?: NodeJS.ProcessEnv;
  readonly s3?: S3Client;
  readonly sqs?: SQSClient;
  readonly engines?: EngineLookup;
  readonly secrets?: CallbackSecrets;
  readonly options?: NuggetsJobOptions;
}

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

/** Callback secrets from a JSON object `{tenant: secret}` (in production the variable is filled from a secret store). */
export const envCallbackSecrets = (raw: string | undefined): CallbackSecrets => callbackSecretsFrom(parseCallbackSecrets(raw));

/** The queue port over SQS (batches of ≤ 10, failed entries retried by the adapter). */
export function sqsNuggetsQueue(sqs: SQSClient, queueUrl: string): NuggetsQueue {
  const queue = createQueue({ client: sqs, queueUrl, schema: NuggetsMessageSchema });
  return {
    async send(messages) {
      if (messages.length > 0) await queue.sendBatch(messages);
    },
    redeliverNow: (receiptHandle) => queue.changeVisibility(receiptHandle, 0),
  };
}

/**
 * @example
 * const { deps, maxReceiveCount } = await workerDepsFromEnv();
 */
export async function workerDepsFromEnv(
  input: WorkerDepsInput = {},
): Promise<{ deps: NuggetsJobDeps; maxReceiveCount: number }> {
  const env = input.env ?? process.env;
  const bucket = env.BUCKET_NAME;
  const queueUrl = env.NUGGETS_QUEUE_URL;
  if (!bucket) throw new ConfigurationError("BUCKET_NAME is not set");
  if (!queueUrl) throw new ConfigurationError("NUGGETS_QUEUE_URL is not set");
  const maxReceiveCount = Number(env.NUGGETS_MAX_RECEIVE_COUNT ?? 5);
  const config = input.engines && input.secrets ? null : await loadDeploymentConfig(env);
  const deps: NuggetsJobDeps = {
    store: new S3ObjectStore({ client: input.s3 ?? new S3Client({}), bucket }),
    queue: sqsNuggetsQueue(input.sqs ?? new SQSClient({}), queueUrl),
    engines: input.engines ?? EngineRegistry.fromConfigs(config!.engines),
    secrets: input.secrets ?? envCallbackSecrets(config!.callbackSecretsJson),
    log: powertoolsLog(new Logger({ serviceName: "assay-nuggets-worker" })),
    ...(input.options ? { options: input.options } : {}),
  };
  return { deps, maxReceiveCount: Number.isInteger(maxReceiveCount) && maxReceiveCount > 0 ? maxReceiveCount : 5 };
}
