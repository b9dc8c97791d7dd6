import { createHash } from "node:crypto";
import { DatasetMetaSchema, type DatasetMeta } from "../../schemas/datasets.js";
import { NuggetsExampleSchema, type NuggetsExample } from "../../schemas/nuggets.js";
import { NotFoundError } from "../errors.js";
import { parseDataset } from "../nuggets/dataset.js";
import type { ObjectStore } from "../store/object-store.js";
import { tenantKey } from "../store/tenant-key.js";

/** Where a dataset's objects live. */
export function datasetKeys(tenant: string, id: string): { records: string; meta: string } {
  return { records: tenantKey(tenant, "datasets", id, "records.jsonl"), meta: tenantKey(tenant, "datasets", id, "meta.json") };
}

/** Normalised JSONL: one `{instruction, input?, output}` per line, in the order given. */
export function toJsonl(examples: readonly NuggetsExample[]): string {
  return examples.map((e) => JSON.stringify(e)).join("\n") + "\n";
}

/**
 * Validates a dataset (every bad record is reported with its line number, and then nothing is stored) and stores it
 * under a content-addressed id. Storing the same records again is a no-op that returns the same id.
 */
export async function storeDataset(
  store: ObjectStore,
  tenant: string,
  text: string,
  opts: { name?: string | null; now?: () => Date } = {},
): Promise<{ meta: DatasetMeta; created: boolean }> {
  const parsed = parseDataset(text);
  const jsonl = toJsonl(parsed.examples);
  const sha256 = createHash("sha256").update(jsonl).digest("hex");
  const id = `ds_${sha256.slice(0, 24)}`;
  const keys = datasetKeys(tenant, id);

  const existing = await store.getJsonOrNull(keys.meta, DatasetMetaSchema);
  if (existing) return { meta: existing, created: false };

  // Records first, meta last: a crash in between leaves no meta, so the dataset is simply absent and a retry
  // completes it (the records object is content-addressed, so rewriting it is harmless).
  await store.createOnce(keys.records, jsonl, { contentType: "application/x-ndjson" });
  const meta: DatasetMeta = {
    version: 1,
    id,
    name: opts.name ?? null,
    records: parsed.examples.length,
    bytes: Buffer.byteLength(jsonl),
    sha256,
    sourceFormat: parsed.format,
    createdAt: (opts.now?.() ?? new Date()).toISOString(),
  };
  const outcome = await store.createOnce(keys.meta, JSON.stringify(meta), { contentType: "application/json" });
  if (outcome.status === "exists") {
    return { meta: await store.getJson(keys.meta, DatasetMetaSchema), created: false };
  }
  return { meta, created: true };
}

/** A dataset's description, or 404 (also when it belongs to another tenant: its existence is not disclosed). */
export async function getDatasetMeta(store: ObjectStore, tenant: string, id: string): Promise<DatasetMeta> {
  const meta = await store.getJsonOrNull(datasetKeys(tenant, id).meta, DatasetMetaSchema);
  if (!meta) throw new NotFoundError(`dataset ${id} not found`, { dataset: id });
  return meta;
}

/** A dataset's examples, in order. */
export async function loadDatasetExamples(store: ObjectStore, tenant: string, id: string): Promise<NuggetsExample[]> {
  await getDatasetMeta(store, tenant, id);
  return store.getJsonl(datasetKeys(tenant, id).records, NuggetsExampleSchema);
}
