// Lambda entry point for the MTI-Bench sweep queue (SQS event source, partial batch failures). Any kind's messages
// are handled the same way; this function is fed by the mti queue.
import { allJobKinds } from "../shared/job-kinds.js";
import { lambdaJobWorker } from "../shared/jobs/lambda-worker.js";

export const handler = lambdaJobWorker(allJobKinds(), "assay-mti-worker");
