/**
 * A job worker as a Lambda handler: dependencies are built once per container, on the first event, so importing the
 * module (tests, bundling checks) needs no environment; a failed cold start (SSM throttled, say) is retried on the
 * next event.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { powertoolsLevel } from "../observability/log.js";
import { powertoolsMetrics } from "../observability/metrics.js";
import type { JobKinds } from "./job-kinds.js";
import { createJobWorkerHandler, type JobWorkerHandler } from "./worker-handler.js";
import { maxReceiveCountFromEnv, workerDepsFromEnv } from "./worker-deps.js";

/** @example export const handler = lambdaJobWorker(allJobKinds(), "assay-nuggets-worker"); */
export function lambdaJobWorker(kinds: JobKinds, serviceName: string): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  let built: Promise<JobWorkerHandler> | undefined;
  // Structured JSON logs carrying each invocation's request id; metrics in CloudWatch's embedded format.
  const logger = new Logger({ serviceName, logLevel: powertoolsLevel(process.env.ASSAY_LOG_LEVEL) });
  const metrics = new Metrics({ namespace: "assay", serviceName });
  const build = async () => {
    const deps = await workerDepsFromEnv(kinds.names(), { serviceName, logger, metrics: powertoolsMetrics(metrics) });
    return createJobWorkerHandler(deps, kinds, { maxReceiveCount: maxReceiveCountFromEnv(process.env) });
  };
  return async (event, context) => {
    logger.addContext(context);
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return (await built)(event, context);
  };
}
