import { createHash } from "node:crypto";
import type { z } from "zod";
import { DatasetMetaSchema, type DatasetMeta } from "../../schemas/datasets.js";
import { NuggetsExampleSchema, type NuggetsExample } from "../../schemas/nuggets.js";
import { NotFoundError, ValidationError } from "../errors.js";
import type { ObjectStore } from "../store/object-store.js";
import { tenantKey } from "../store/tenant-key.js";
import { DEFAULT_DATASET_KIND, datasetKinds, type DatasetKind } from "./dataset-kinds.js";

/** Where a dataset's objects live. */
export function datasetKeys(tenant: string, id: string): { records: string; meta: string } {
  return { records: tenantKey(tenant, "datasets", id, "records.jsonl"), meta: tenantKey(tenant, "datasets", id, "meta.json") };
}

/** Normalised JSONL: one record per line, in the order given. */
export function toJsonl(records: readonly unknown[]): string {
  return records.map((e) => JSON.stringify(e)).join("\n") + "\n";
}

/** The dataset's id: a content hash of its records (and of its kind, for kinds other than instructions). */
function datasetId(kind: string, jsonl: string): { id: string; sha256: string } {
  const sha256 = createHash("sha256").update(jsonl).digest("hex");
  // Instruction datasets keep the id they had before there were kinds.
  const basis = kind === DEFAULT_DATASET_KIND ? sha256 : createHash("sha256").update(`${kind}\n${jsonl}`).digest("hex");
  return { id: `ds_${basis.slice(0, 24)}`, sha256 };
}

/**
 * Validates a dataset of a kind (every bad record is reported with its line number, and then nothing is stored) and
 * stores it under a content-addressed id. Storing the same records again is a no-op that returns the same id.
 */
export async function storeDataset(
  store: ObjectStore,
  tenant: string,
  text: string,
  opts: { name?: string | null; now?: () => Date; kind?: string } = {},
): Promise<{ meta: DatasetMeta; created: boolean }> {
  const kind: DatasetKind = datasetKinds().get(opts.kind ?? DEFAULT_DATASET_KIND);
  const parsed = kind.parse(text);
  const jsonl = toJsonl(parsed.records);
  const { id, sha256 } = datasetId(kind.name, jsonl);
  const keys = datasetKeys(tenant, id);

  const existing = await store.getJsonOrNull(keys.meta, DatasetMetaSchema);
  if (existing) return { meta: existing, created: false };

  // Records first, meta last: a crash in between leaves no meta, so the dataset is simply absent and a retry
  // completes it (the records object is content-addressed, so rewriting it is harmless). Streamed, so a large
  // dataset goes up in parts rather than as one request over the store's (or the emulator's) body limit.
  await store.putStream(keys.records, [jsonl], { contentType: "application/x-ndjson" });
  const meta: DatasetMeta = {
    version: 1,
    id,
    kind: kind.name,
    name: opts.name ?? null,
    records: parsed.records.length,
    bytes: Buffer.byteLength(jsonl),
    sha256,
    sourceFormat: parsed.format,
    createdAt: (opts.now?.() ?? new Date()).toISOString(),
  };
  const outcome = await store.createOnceJson(keys.meta, meta, DatasetMetaSchema);
  if (outcome.status === "exists") {
    return { meta: await store.getJson(keys.meta, DatasetMetaSchema), created: false };
  }
  return { meta, created: true };
}

/** A dataset's description, or 404 (also when it belongs to another tenant: its existence is not disclosed). */
export async function getDatasetMeta(store: ObjectStore, tenant: string, id: string, kind?: string): Promise<DatasetMeta> {
  const meta = await store.getJsonOrNull(datasetKeys(tenant, id).meta, DatasetMetaSchema);
  if (!meta) throw new NotFoundError(`dataset ${id} not found`, { dataset: id });
  if (kind !== undefined && meta.kind !== kind) {
    throw new ValidationError(`dataset ${id} holds ${meta.kind}, not ${kind}`, { dataset: id, kind: meta.kind, expected: kind });
  }
  return meta;
}

/** A dataset's records of a kind, in order (400 if the dataset is of another kind). */
export async function loadDatasetRecords<S extends z.ZodType>(store: ObjectStore, tenant: string, id: string, kind: string, schema: S): Promise<z.infer<S>[]> {
  await getDatasetMeta(store, tenant, id, kind);
  return store.getJsonl(datasetKeys(tenant, id).records, schema);
}

/** An instruction dataset's examples, in order. */
export function loadDatasetExamples(store: ObjectStore, tenant: string, id: string): Promise<NuggetsExample[]> {
  return loadDatasetRecords(store, tenant, id, DEFAULT_DATASET_KIND, NuggetsExampleSchema);
}
