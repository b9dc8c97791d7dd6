/** NUGGETS as a job kind: what the API routes, the workers and the CLI import. */
export { nuggetsKind, ASSUMED_PAIRS_PER_SECOND, type NuggetsContext } from "./nuggets-kind.js";
export { getNuggetsJobStatus } from "./nuggets-status.js";
export { readSummary, streamScores, subset, subsetIndices, type SubsetSpec } from "./results.js";
export { histogramSvg } from "./histogram-svg.js";
