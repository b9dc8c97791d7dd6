/**
 * Checking a job request against what exists — the engine and its capabilities, the datasets, the anchor count —
 * before anything is stored or scored. Shared by job creation and the dry run.
 */
import type { EngineDescriptor } from "../../../schemas/engines.js";
import { CreateNuggetsJobSchema, DEFAULT_THRESHOLDS, type CreateNuggetsJob } from "../../../schemas/nuggets-jobs.js";
import type { NuggetsPreset } from "../../../schemas/nuggets.js";
import { getDatasetMeta } from "../../datasets/dataset-store.js";
import { CapabilityError, ValidationError } from "../../errors.js";
import { resolvePreset } from "../presets.js";
import type { NuggetsJobDeps } from "./ports.js";

/** A request that passed every check. */
export interface CheckedRequest {
  readonly request: CreateNuggetsJob;
  readonly engine: EngineDescriptor;
  readonly preset: NuggetsPreset;
  readonly candidates: number;
  /** Anchors the job will have. */
  readonly anchors: number;
  /** The dataset anchors are drawn from (random / kmeans) or read from (dataset). */
  readonly anchorDatasetId: string;
  readonly thresholds: number[];
}

/** Parses (defaults applied) and checks a request; 400/404 errors name what is wrong. */
export async function checkJobRequest(deps: NuggetsJobDeps, tenant: string, input: unknown): Promise<CheckedRequest> {
  const parsed = CreateNuggetsJobSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError("invalid NUGGETS job request", {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    });
  }
  const request = parsed.data;
  const engine = deps.engines.describe(request.engine);
  if (!engine.capabilities.promptLogprobs) throw new CapabilityError(engine.name, "prompt log-probs (scoring)");
  if (request.anchors.method === "kmeans" && !engine.capabilities.embeddings) {
    throw new CapabilityError(engine.name, "embeddings (K-Means anchors)");
  }
  const preset = resolvePreset(request.preset, { maxAnchorTokens: request.maxAnchorTokens });
  const dataset = await getDatasetMeta(deps.store, tenant, request.datasetId);

  const spec = request.anchors;
  const anchorDatasetId = spec.method === "dataset" ? spec.datasetId : (spec.fromDatasetId ?? request.datasetId);
  const pool = anchorDatasetId === request.datasetId ? dataset : await getDatasetMeta(deps.store, tenant, anchorDatasetId);
  let anchors = pool.records;
  if (spec.method !== "dataset") {
    const wanted = spec.method === "random" ? spec.size : spec.k;
    if (wanted > pool.records) {
      throw new ValidationError(`${spec.method} anchors: asked for ${wanted} but the pool has ${pool.records} examples`, {
        anchors: wanted,
        pool: pool.records,
      });
    }
    anchors = wanted;
  }
  const thresholds = [...new Set(request.thresholds ?? DEFAULT_THRESHOLDS)].sort((a, b) => a - b);
  return { request, engine, preset, candidates: dataset.records, anchors, anchorDatasetId, thresholds };
}
