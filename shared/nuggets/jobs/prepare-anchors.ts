/**
 * NUGGETS' prepare step: choose the anchors, tokenise them, get their zero-shot sums (cache first). K-Means embeds the
 * pool in chunks stored create-once under `prepare/embeddings/`, so a pool too large for one invocation is embedded
 * across several (the kernel re-enqueues prepare when this returns `continue`). Every object is written create-once
 * from the same inputs, so running it again at any point is safe.
 */
import type { CreateNuggetsJob, NuggetsJobSpec, NuggetsPreparedContext } from "../../../schemas/nuggets-jobs.js";
import {
  NuggetsEmbeddingChunkSchema,
  NuggetsPreparedAnchorsSchema,
} from "../../../schemas/nuggets-jobs.js";
import { NuggetsExampleSchema, type NuggetsExample } from "../../../schemas/nuggets.js";
import { z } from "zod";
import { loadDatasetExamples } from "../../datasets/dataset-store.js";
import type { Engine } from "../../engines/engine.js";
import { CapabilityError } from "../../errors.js";
import type { JobView, PrepareOutcome, StageContext } from "../../jobs/job-kind.js";
import { clockOf, logOf, type JobDeps } from "../../jobs/ports.js";
import { serializeJsonl, validate } from "../../store/json-codec.js";
import { prepareAnchor, type PreparedAnchor } from "../anchor-tokens.js";
import { kmeansAnchorsFromVectors, randomAnchors } from "../anchors.js";
import { renderExample } from "../template.js";
import { assertSomeCandidateFits, tokenCensus } from "./job-request.js";
import { zeroShotViaCache } from "./zero-shot-cache.js";

/** Texts per embedding call. */
const EMBED_BATCH = 64;
/** Texts per stored embedding chunk (one create-once object). */
export const EMBED_CHUNK = 512;
/** Stop embedding when less than this is left beside twice the slowest chunk. */
const SAFETY_MS = 10_000;

const AnchorIndicesSchema = z.object({ version: z.literal(1), indices: z.array(z.number().int()).nullable() });

/** The kind's object keys under the job's `prepare/` folder. */
export function nuggetsScratch(stage: Pick<StageContext, "scratchKey">) {
  return {
    anchors: stage.scratchKey("anchors.jsonl"),
    anchorIndices: stage.scratchKey("anchor-indices.json"),
    preparedAnchors: stage.scratchKey("anchors-prepared.json"),
    embeddingsPrefix: `${stage.scratchKey("embeddings")}/`,
    embeddings: (from: number, to: number) => stage.scratchKey(`embeddings/${String(from).padStart(10, "0")}-${String(to).padStart(10, "0")}.json`),
  };
}

/** NUGGETS `prepare`. */
export async function prepareNuggets(
  deps: JobDeps,
  job: JobView<CreateNuggetsJob, NuggetsJobSpec>,
  stage: StageContext,
): Promise<PrepareOutcome<NuggetsPreparedContext>> {
  const { store } = deps;
  const { spec, tenant } = job;
  const keys = nuggetsScratch(stage);
  const engine = await deps.engines.get(spec.engine);

  let chosen = await store.getJsonOrNull(keys.anchorIndices, AnchorIndicesSchema);
  let examples: NuggetsExample[];
  if (chosen) {
    examples = await store.getJsonl(keys.anchors, NuggetsExampleSchema);
  } else {
    const picked = await chooseAnchors(deps, job, engine, stage);
    if (picked === null) return { status: "continue", progress: "embedding the K-Means pool" };
    examples = picked.examples;
    const rows = examples.map((e, i) => validate(NuggetsExampleSchema, e, { key: keys.anchors, line: i + 1 }));
    await store.createOnce(keys.anchors, serializeJsonl(rows), { contentType: "application/x-ndjson" });
    chosen = { version: 1, indices: picked.indices };
    await store.createOnceJson(keys.anchorIndices, chosen, AnchorIndicesSchema);
  }

  const tokenize = (t: string) => engine.tokenize(t);
  let prepared = await store.getJsonOrNull(keys.preparedAnchors, NuggetsPreparedAnchorsSchema);
  if (!prepared) {
    const anchors = await Promise.all(examples.map((e) => prepareAnchor(e, tokenize, spec.preset, engine.contextSize)));
    prepared = { version: 1, anchors: anchors.map((a) => ({ ...a, tokens: [...a.tokens] })) };
    await store.createOnceJson(keys.preparedAnchors, prepared, NuggetsPreparedAnchorsSchema);
  }
  const anchors: PreparedAnchor[] = prepared.anchors;
  if (spec.anchors.method === "kmeans") {
    // Known only now: refuse a job in which no candidate would fit beside the chosen anchors.
    const census = await tokenCensus(deps, tenant, { request: job.request, engine: deps.engines.describe(spec.engine), spec }, engine);
    assertSomeCandidateFits({ ...census, anchorTokens: anchors.map((a) => a.tokens.length) }, spec, engine.contextSize);
  }
  const zero = await zeroShotViaCache(store, tenant, engine, spec.preset, anchors);
  logOf(deps).debug("nuggets zero-shot ready", { jobId: job.jobId, anchors: anchors.length, cached: zero.cached });
  return {
    status: "done",
    units: spec.candidates,
    context: { anchors: anchors.length, anchorIndices: chosen.indices, zeroShotKey: zero.key },
  };
}

/** The anchors, or null when K-Means embedding must continue in another invocation. */
async function chooseAnchors(
  deps: JobDeps,
  job: JobView<CreateNuggetsJob, NuggetsJobSpec>,
  engine: Engine,
  stage: StageContext,
): Promise<{ examples: NuggetsExample[]; indices: number[] | null } | null> {
  const spec = job.spec.anchors;
  if (spec.method === "dataset") return { examples: await loadDatasetExamples(deps.store, job.tenant, spec.datasetId), indices: null };
  const pool = await loadDatasetExamples(deps.store, job.tenant, job.spec.anchorDatasetId);
  if (spec.method === "random") return randomAnchors(pool, spec.size, spec.seed);
  if (!engine.capabilities.embeddings) throw new CapabilityError(engine.name, "embeddings (K-Means anchors)");
  const vectors = await embedPool(deps, engine, pool, stage);
  if (vectors === null) return null;
  const { indices, examples } = kmeansAnchorsFromVectors(pool, vectors, spec.k, spec.seed);
  return { indices, examples };
}

/**
 * Every pool example's embedding, computing the chunks not stored yet while time allows. The authors embed each
 * example's full text with a 2–4k-token model; an engine with a shorter context embeds the leading part of a longer
 * example rather than refusing the job.
 */
async function embedPool(deps: JobDeps, engine: Engine, pool: readonly NuggetsExample[], stage: StageContext): Promise<number[][] | null> {
  const keys = nuggetsScratch(stage);
  const stored = new Set<string>();
  for await (const info of deps.store.list(keys.embeddingsPrefix)) stored.add(info.key);
  let slowestMs = 0;
  let computed = 0;
  for (let from = 0; from < pool.length; from += EMBED_CHUNK) {
    const to = Math.min(pool.length, from + EMBED_CHUNK);
    const key = keys.embeddings(from, to);
    if (stored.has(key)) continue;
    // Always compute at least one chunk per invocation, or a short deadline would never get anywhere.
    if (computed > 0 && stage.remainingTimeMs() < 2 * slowestMs + SAFETY_MS) return null;
    const started = clockOf(deps);
    const texts = pool.slice(from, to).map((e) => renderExample(e).full);
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += EMBED_BATCH) vectors.push(...(await engine.embed(texts.slice(i, i + EMBED_BATCH), { truncate: true })));
    const dimensions = vectors[0]?.length ?? 0;
    const flat = new Float32Array(vectors.length * dimensions);
    vectors.forEach((v, i) => flat.set(v, i * dimensions));
    await deps.store.createOnceJson(
      key,
      { version: 1 as const, from, to, dimensions, float32: Buffer.from(flat.buffer).toString("base64") },
      NuggetsEmbeddingChunkSchema,
    );
    stored.add(key);
    computed++;
    slowestMs = Math.max(slowestMs, clockOf(deps) - started);
  }
  const out: number[][] = [];
  for (let from = 0; from < pool.length; from += EMBED_CHUNK) {
    const chunk = await deps.store.getJson(keys.embeddings(from, Math.min(pool.length, from + EMBED_CHUNK)), NuggetsEmbeddingChunkSchema);
    const bytes = Buffer.from(chunk.float32, "base64");
    const flat = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    for (let i = 0; i < chunk.to - chunk.from; i++) out.push(Array.from(flat.subarray(i * chunk.dimensions, (i + 1) * chunk.dimensions)));
  }
  return out;
}
