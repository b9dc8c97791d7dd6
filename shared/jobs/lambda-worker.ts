/**
 * A job worker as a Lambda handler: dependencies are built once per container, on the first event, so importing the
 * module (tests, bundling checks) needs no environment; a failed cold start (SSM throttled, say) is retried on the
 * next event.
 */
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { JobKinds } from "./job-kinds.js";
import { createJobWorkerHandler, type JobWorkerHandler } from "./worker-handler.js";
import { maxReceiveCountFromEnv, workerDepsFromEnv } from "./worker-deps.js";

/** @example export const handler = lambdaJobWorker(allJobKinds(), "assay-nuggets-worker"); */
export function lambdaJobWorker(kinds: JobKinds, serviceName: string): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  let built: Promise<JobWorkerHandler> | undefined;
  const build = async () => {
    const deps = await workerDepsFromEnv(kinds.names(), { serviceName });
    return createJobWorkerHandler(deps, kinds, { maxReceiveCount: maxReceiveCountFromEnv(process.env) });
  };
  return async (event, context) => {
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return (await built)(event, context);
  };
}
