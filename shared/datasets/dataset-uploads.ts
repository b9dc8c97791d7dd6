import { randomBytes } from "node:crypto";
import type { DatasetMeta } from "../../schemas/datasets.js";
import { NotFoundError, ValidationError } from "../errors.js";
import type { ObjectStore } from "../store/object-store.js";
import { tenantKey } from "../store/tenant-key.js";
import type { UploadUrlSigner } from "../store/upload-urls.js";
import { storeDataset } from "./dataset-store.js";
import { decodeUtf8Strict } from "./utf8.js";

/** How long a presigned upload URL stays valid. Staged bodies expire with the bucket's `tmp/` lifecycle rule. */
export const UPLOAD_URL_SECONDS = 3600;
const UPLOAD_ID = /^up_[0-9a-f]{32}$/;

/** The staging key: under `tmp/` (emptied by a lifecycle rule), still partitioned by tenant. */
export function uploadKey(tenant: string, uploadId: string): string {
  if (!UPLOAD_ID.test(uploadId)) throw new ValidationError("upload ids look like up_ followed by 32 hex digits", { uploadId });
  return `tmp/${tenantKey(tenant, "uploads", uploadId).slice("t/".length)}`;
}

/** Step 1 of a large upload: a URL to PUT the dataset file to. */
export async function startDatasetUpload(
  signer: UploadUrlSigner,
  tenant: string,
  now: Date = new Date(),
): Promise<{ uploadId: string; uploadUrl: string; method: "PUT"; expiresAt: string }> {
  const uploadId = `up_${randomBytes(16).toString("hex")}`;
  const uploadUrl = await signer.presignPut(uploadKey(tenant, uploadId), { expiresInSeconds: UPLOAD_URL_SECONDS });
  return { uploadId, uploadUrl, method: "PUT", expiresAt: new Date(now.getTime() + UPLOAD_URL_SECONDS * 1000).toISOString() };
}

/**
 * Step 2: validate what was uploaded and store it as a dataset. A bad file is rejected with its line numbers and
 * nothing is stored; the staged body is removed either way (a fixed file is uploaded again).
 */
export async function completeDatasetUpload(
  store: ObjectStore,
  tenant: string,
  uploadId: string,
  opts: { name?: string | null; kind?: string } = {},
): Promise<{ meta: DatasetMeta; created: boolean }> {
  const key = uploadKey(tenant, uploadId);
  if (!(await store.head(key))) throw new NotFoundError(`nothing was uploaded for ${uploadId} (or it expired)`, { uploadId });
  const { body } = await store.getBytes(key);
  try {
    return await storeDataset(store, tenant, decodeUtf8Strict(body, "the uploaded file"), opts);
  } finally {
    await store.delete(key);
  }
}
