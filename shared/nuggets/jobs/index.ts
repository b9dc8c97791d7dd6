/** The NUGGETS job pipeline: what the API routes, the worker and the local stack import. */
export { createNuggetsJob } from "./create-job.js";
export { planNuggetsJob } from "./plan-job.js";
export { handleNuggetsMessage } from "./handle-message.js";
export { getNuggetsJobStatus, cancelNuggetsJob, retryFailedShards, getManifest } from "./job-status.js";
export { readSummary, streamScores, subset, subsetIndices, type SubsetSpec } from "./results.js";
export { histogramSvg } from "./histogram-svg.js";
export { checkCallbackUrl, assertCallbackUrlAllowed, addressProblem, systemLookup } from "../../jobs/callback-url.js";
export { signCallback, verifyCallback, callbackHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../../jobs/callback-signature.js";
export { createNuggetsWorkerHandler, type NuggetsWorkerHandler, type NuggetsWorkerOptions } from "./worker-handler.js";
export type { NuggetsJobDeps, NuggetsQueue, EngineLookup, CallbackSecrets, HttpPost, LookupAll, MessageContext, NuggetsJobOptions } from "./ports.js";
