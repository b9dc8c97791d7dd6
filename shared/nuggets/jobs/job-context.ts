/**
 * What a shard needs to score — the manifest, the candidates, the tokenised anchors and their zero-shot sums —
 * loaded once per container and job, not once per message: a container handles many shards of the same job.
 */
import {
  NuggetsJobManifestSchema,
  NuggetsJobPreparedSchema,
  NuggetsPreparedAnchorsSchema,
  type NuggetsJobManifest,
  type NuggetsJobPrepared,
} from "../../../schemas/nuggets-jobs.js";
import { NuggetsZeroShotRecordSchema, type NuggetsExample } from "../../../schemas/nuggets.js";
import { loadDatasetExamples } from "../../datasets/dataset-store.js";
import type { Engine } from "../../engines/engine.js";
import { NotFoundError } from "../../errors.js";
import type { PreparedAnchor } from "../anchor-tokens.js";
import { jobKeys } from "./job-keys.js";
import type { NuggetsJobDeps } from "./ports.js";

/** A job ready to score shards of. Immutable: everything it is built from is written once. */
export interface JobContext {
  readonly tenant: string;
  readonly manifest: NuggetsJobManifest;
  readonly prepared: NuggetsJobPrepared;
  readonly engine: Engine;
  readonly examples: readonly NuggetsExample[];
  readonly anchors: readonly PreparedAnchor[];
  readonly zeroShot: readonly number[];
  /** Σ anchor tokens, for token accounting. */
  readonly anchorTokens: number;
}

// Keyed by the deps object: one cache per container (module-scope deps), a fresh one per test.
const caches = new WeakMap<NuggetsJobDeps, Map<string, Promise<JobContext>>>();

/** The job's context, loaded on first use in this container. A failed load is forgotten so the next message retries. */
export function loadJobContext(deps: NuggetsJobDeps, tenant: string, jobId: string): Promise<JobContext> {
  let cache = caches.get(deps);
  if (!cache) caches.set(deps, (cache = new Map()));
  const id = `${tenant}/${jobId}`;
  const hit = cache.get(id);
  if (hit) {
    // Refresh its place: a Map iterates in insertion order, so the first key is the least recently used.
    cache.delete(id);
    cache.set(id, hit);
    return hit;
  }
  const loading = readJobContext(deps, tenant, jobId);
  cache.set(id, loading);
  loading.catch(() => cache.delete(id));
  const limit = deps.options?.contextCacheSize ?? 4;
  while (cache.size > limit) cache.delete(cache.keys().next().value!);
  return loading;
}

async function readJobContext(deps: NuggetsJobDeps, tenant: string, jobId: string): Promise<JobContext> {
  const { store } = deps;
  const keys = jobKeys(tenant, jobId);
  const [manifest, prepared, preparedAnchors] = await Promise.all([
    store.getJson(keys.manifest, NuggetsJobManifestSchema),
    store.getJsonOrNull(keys.prepared, NuggetsJobPreparedSchema),
    store.getJsonOrNull(keys.preparedAnchors, NuggetsPreparedAnchorsSchema),
  ]);
  if (!prepared || !preparedAnchors) throw new NotFoundError(`job ${jobId} is not prepared yet`, { jobId });
  const [zero, examples, engine] = await Promise.all([
    store.getJson(prepared.zeroShotKey, NuggetsZeroShotRecordSchema),
    loadDatasetExamples(store, tenant, manifest.datasetId),
    deps.engines.get(manifest.engine),
  ]);
  const anchors = preparedAnchors.anchors;
  return {
    tenant,
    manifest,
    prepared,
    engine,
    examples,
    anchors,
    zeroShot: zero.zeroShot,
    anchorTokens: anchors.reduce((n, a) => n + a.tokens.length, 0),
  };
}
