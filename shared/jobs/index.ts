/** The job kernel: what the API routes, the workers, the local stack and each kind import. */
export type { AcceptedJob, Aggregator, AggregateFacts, AnyJobKind, JobKind, JobView, PrepareOutcome, PreparedJobView, ResultFile, StageContext, UnitErrorInfo, UnitResult } from "./job-kind.js";
export { JobKinds } from "./job-kinds.js";
export { acceptRequest, createJob, planJob, planShards, type ShardSizing } from "./create-job.js";
export { getJobStatus, readFailures, type JobStatusDetail } from "./job-status.js";
export { cancelJob, retryJob } from "./job-control.js";
export { handleJobMessage } from "./handle-message.js";
export { createJobWorkerHandler, type JobWorkerHandler, type JobWorkerOptions } from "./worker-handler.js";
export { sqsJobQueue } from "./sqs-job-queue.js";
export { readManifest, readPreparedView, viewOf } from "./job-views.js";
export { jobKeys, shardRange } from "./job-keys.js";
export { isPermanent } from "./process-shard.js";
export { checkCallbackUrl, assertCallbackUrlAllowed, addressProblem, systemLookup } from "./callback-url.js";
export { signCallback, verifyCallback, callbackHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "./callback-signature.js";
export type { JobDeps, JobQueue, JobOptions, EngineLookup, CallbackSecrets, HttpPost, LookupAll, MessageContext, JobLog, PinnedAddress } from "./ports.js";
