import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { ApiKeyAuthenticator } from "../auth/api-keys.js";
import { loadDeploymentConfig } from "../config/deployment-config.js";
import { EngineRegistry } from "../engines/registry.js";
import { ConfigurationError } from "../errors.js";
import { S3ObjectStore } from "../store/s3-object-store.js";
import { S3UploadUrlSigner } from "../store/upload-urls.js";
import { allJobKinds } from "../job-kinds.js";
import { sqsJobQueue } from "../jobs/sqs-job-queue.js";
import { queueUrlsFromEnv } from "../jobs/worker-deps.js";
import { powertoolsLevel, powertoolsLog } from "../observability/log.js";
import { powertoolsMetrics } from "../observability/metrics.js";
import type { ApiDeps } from "./context.js";

/** The API's dependencies as a deployed function builds them (once per container). */
export async function apiDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ApiDeps> {
  const bucket = env.BUCKET_NAME;
  if (!bucket) throw new ConfigurationError("BUCKET_NAME is not set");
  const config = await loadDeploymentConfig(env);
  const s3 = new S3Client({});
  const kinds = allJobKinds();
  const queueUrls = queueUrlsFromEnv(kinds.names(), env);
  return {
    engines: EngineRegistry.fromConfigs(config.engines),
    auth: new ApiKeyAuthenticator(config.apiKeys),
    store: new S3ObjectStore({ client: s3, bucket }),
    uploads: new S3UploadUrlSigner({ config: {}, bucket }),
    version: env.ASSAY_VERSION ?? "dev",
    log: powertoolsLog(new Logger({ serviceName: "assay-api", logLevel: powertoolsLevel(env.ASSAY_LOG_LEVEL) })),
    metrics: powertoolsMetrics(new Metrics({ namespace: "assay", serviceName: "assay-api" })),
    ...(Object.keys(queueUrls).length > 0 ? { jobs: { kinds, queue: sqsJobQueue(new SQSClient({}), queueUrls) } } : {}),
  };
}
