// Lambda entry point for the NUGGETS worker (SQS event source, partial batch failures). Dependencies are built once
// per container, on the first event, so importing this module (tests, the local stack) needs no environment.
import type { Context, SQSEvent } from "aws-lambda";
import { createNuggetsWorkerHandler, type NuggetsWorkerHandler } from "../shared/nuggets/jobs/worker-handler.js";
import { workerDepsFromEnv } from "../shared/nuggets/jobs/worker-deps.js";

let built: Promise<NuggetsWorkerHandler> | undefined;

async function build(): Promise<NuggetsWorkerHandler> {
  const { deps, maxReceiveCount } = await workerDepsFromEnv();
  return createNuggetsWorkerHandler(deps, { maxReceiveCount });
}

export const handler = async (event: SQSEvent, context: Context) => {
  built ??= build().catch((error: unknown) => {
    built = undefined; // a failed cold start (SSM throttled, say) is retried on the next event
    throw error;
  });
  return (await built)(event, context);
};
