/**
 * The `prepare` message: choose the anchors, tokenise them, get their zero-shot sums (cache first), write
 * `prepared.json` once and enqueue every shard. Safe to run again at any point: each object is written create-once
 * from the same inputs, and the shard messages are sent again only until `shards-enqueued.json` exists.
 */
import {
  NuggetsJobManifestSchema,
  type NuggetsJobManifest,
  type NuggetsJobPrepared,
  type NuggetsMessage,
} from "../../../schemas/nuggets-jobs.js";
import type { NuggetsExample } from "../../../schemas/nuggets.js";
import { loadDatasetExamples } from "../../datasets/dataset-store.js";
import type { Engine } from "../../engines/engine.js";
import { CapabilityError } from "../../errors.js";
import { serializeJsonl } from "../../store/json-codec.js";
import { prepareAnchor } from "../anchor-tokens.js";
import { kmeansAnchors, randomAnchors } from "../anchors.js";
import { jobKeys, shardRange } from "./job-keys.js";
import { logOf, nowOf, type NuggetsJobDeps } from "./ports.js";
import { zeroShotViaCache } from "./zero-shot-cache.js";

/** Texts per embedding call when choosing K-Means anchors. */
const EMBED_BATCH = 64;

/** Handles `{type: "prepare"}`. */
export async function handlePrepare(deps: NuggetsJobDeps, tenant: string, jobId: string): Promise<void> {
  const { store } = deps;
  const keys = jobKeys(tenant, jobId);
  const manifest = await store.getJson(keys.manifest, NuggetsJobManifestSchema);
  if (await store.head(keys.cancel)) return;
  if (await store.head(keys.shardsEnqueued)) return;

  if (!(await store.head(keys.prepared))) {
    const engine = await deps.engines.get(manifest.engine);
    const { examples, indices } = await chooseAnchors(deps, manifest, engine);
    await store.createOnce(keys.anchors, serializeJsonl(examples), { contentType: "application/x-ndjson" });
    const tokenize = (t: string) => engine.tokenize(t);
    const anchors = await Promise.all(
      examples.map((e) => prepareAnchor(e, tokenize, manifest.preset, engine.contextSize)),
    );
    await store.createOnce(keys.preparedAnchors, JSON.stringify({ version: 1, anchors }), {
      contentType: "application/json",
    });
    const zero = await zeroShotViaCache(store, tenant, engine, manifest.preset, anchors);
    logOf(deps).info("nuggets zero-shot ready", { jobId, anchors: anchors.length, cached: zero.cached });
    const prepared: NuggetsJobPrepared = {
      version: 1,
      anchors: anchors.length,
      anchorIndices: indices,
      zeroShotKey: zero.key,
      preparedAt: nowOf(deps).toISOString(),
    };
    await store.createOnce(keys.prepared, JSON.stringify(prepared), { contentType: "application/json" });
  }

  // Send first, mark after: a crash in between resends everything, which the shard handler shrugs off.
  await deps.queue.send(shardMessages(manifest));
  await store.createOnce(keys.shardsEnqueued, JSON.stringify({ version: 1, shards: manifest.shards }), {
    contentType: "application/json",
  });
}

/** One message per shard, covering its whole range. */
export function shardMessages(manifest: NuggetsJobManifest): NuggetsMessage[] {
  return Array.from({ length: manifest.shards }, (_, shard) => {
    const { from, to } = shardRange(shard, manifest.shardSize, manifest.candidates);
    return { type: "shard" as const, tenant: manifest.tenant, jobId: manifest.jobId, shard, from, to };
  });
}

async function chooseAnchors(
  deps: NuggetsJobDeps,
  manifest: NuggetsJobManifest,
  engine: Engine,
): Promise<{ examples: NuggetsExample[]; indices: number[] | null }> {
  const spec = manifest.anchors;
  const tenant = manifest.tenant;
  if (spec.method === "dataset") {
    return { examples: await loadDatasetExamples(deps.store, tenant, spec.datasetId), indices: null };
  }
  const pool = await loadDatasetExamples(deps.store, tenant, spec.fromDatasetId ?? manifest.datasetId);
  if (spec.method === "random") return randomAnchors(pool, spec.size, spec.seed);
  if (!engine.capabilities.embeddings) throw new CapabilityError(engine.name, "embeddings (K-Means anchors)");
  // The authors embed each example's full text with a 2-4k-token model; an engine with a shorter context embeds
  // the leading part of a longer example rather than refusing the job.
  const embed = async (texts: string[]) => {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += EMBED_BATCH) {
      out.push(...(await engine.embed(texts.slice(i, i + EMBED_BATCH), { truncate: true })));
    }
    return out;
  };
  const { indices, examples } = await kmeansAnchors(pool, embed, spec.k, spec.seed);
  return { indices, examples };
}
