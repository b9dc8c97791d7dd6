// Lambda entry point for the SirLLM evaluation queue (SQS event source, partial batch failures). Any kind's messages
// are handled the same way; this function is fed by the sirllm-eval queue.
import { allJobKinds } from "../shared/job-kinds.js";
import { lambdaJobWorker } from "../shared/jobs/lambda-worker.js";

export const handler = lambdaJobWorker(allJobKinds(), "assay-sirllm-eval-worker");
