import { z } from "@hono/zod-openapi";

/** Dataset ids are content hashes, so uploading the same records twice yields the same dataset. */
export const DatasetIdSchema = z
  .string()
  .regex(/^ds_[0-9a-f]{24}$/, "dataset ids look like ds_ followed by 24 hex digits")
  .openapi({ example: "ds_3f2a9c0d1e4b5a6978877665" });

/** A dataset's name as a caller gives it: letters, digits, spaces and `._-`, starting with a letter or digit. */
export const DatasetNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/, "dataset names are 1-100 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit")
  .openapi({ example: "alpaca-52k" });

/** `t/{tenant}/datasets/{id}/meta.json`; written after the records, so its presence means the dataset is whole. */
export const DatasetMetaSchema = z
  .object({
    version: z.literal(1),
    id: DatasetIdSchema,
    /** What the records are (`instructions`: NUGGETS examples); a dataset stored before kinds existed holds instructions. */
    kind: z.string().default("instructions"),
    name: z.string().max(200).nullable(),
    records: z.number().int().min(1),
    bytes: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    sourceFormat: z.enum(["json", "jsonl"]),
    createdAt: z.string(),
  })
  .openapi("Dataset");
export type DatasetMeta = z.infer<typeof DatasetMetaSchema>;
