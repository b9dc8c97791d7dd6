/**
 * Where a job's evaluation records come from: the uploaded datasets its request names (kinds `sirllm-dailydialog`,
 * `sirllm-grocery`, `sirllm-rps`), else the deployment's copy of the authors' files. Datasets are read from the store
 * once per stage and handed to the (synchronous) script builders as JSONL text.
 */
import type { z } from "zod";
import { SIRLLM_DATASET_KINDS, type CreateSirllmEvaluation } from "../../../schemas/sirllm-eval-jobs.js";
import { DailyDialogRecordSchema, GroceryRecordSchema, RpsRecordSchema } from "../../../schemas/sirllm-eval.js";
import { loadDatasetRecords } from "../../datasets/dataset-store.js";
import type { ObjectStore } from "../../store/object-store.js";
import { dataDirSource, preloadedSource, type EvalDataSource, type PreloadedTexts } from "../eval/eval-units.js";

/**
 * The data source for `request`; a missing dataset, or one of another kind, is a 404 / 400 from the dataset store.
 *
 * @example
 * const source = await evalDataSource(store, "acme", { datasets: { grocery: "ds_…" } });
 */
export async function evalDataSource(store: ObjectStore, tenant: string, request: Pick<CreateSirllmEvaluation, "datasets">): Promise<EvalDataSource> {
  const d = request.datasets;
  if (!d) return dataDirSource();
  const jsonl = async (id: string, kind: string, schema: z.ZodType) =>
    (await loadDatasetRecords(store, tenant, id, kind, schema)).map((r) => JSON.stringify(r)).join("\n");
  const texts: { -readonly [K in keyof PreloadedTexts]: PreloadedTexts[K] } = {};
  if (d.dailydialog) texts.dailydialog = { datasetId: d.dailydialog, text: await jsonl(d.dailydialog, SIRLLM_DATASET_KINDS.dailydialog, DailyDialogRecordSchema) };
  if (d.grocery) texts.grocery = { datasetId: d.grocery, text: await jsonl(d.grocery, SIRLLM_DATASET_KINDS.grocery, GroceryRecordSchema) };
  if (d.rps) texts.rps = await Promise.all(d.rps.map(async (id) => ({ datasetId: id, text: await jsonl(id, SIRLLM_DATASET_KINDS.rps, RpsRecordSchema) })));
  return preloadedSource(texts, dataDirSource());
}
