/**
 * `/v1/datasets`: upload (JSON array or JSONL, or a presigned upload for large files), describe, download. A dataset
 * has a kind (`instructions` for NUGGETS); every record is checked against the kind's schema before anything is stored.
 */
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { DatasetIdSchema, DatasetMetaSchema, DatasetNameSchema } from "../../../schemas/datasets.js";
import { requireScope } from "../../auth/api-keys.js";
import { DatasetKindNameSchema } from "../../datasets/dataset-kinds.js";
import { datasetKeys, getDatasetMeta, storeDataset } from "../../datasets/dataset-store.js";
import { completeDatasetUpload, startDatasetUpload } from "../../datasets/dataset-uploads.js";
import { decodeUtf8Strict } from "../../datasets/utf8.js";
import { ConfigurationError } from "../../errors.js";
import type { ApiDeps, ApiEnv } from "../context.js";
import { errorResponse, streamBody } from "./route-helpers.js";

const security = [{ bearer: [] }];
const tags = ["datasets"];
const UploadQuery = z.object({
  name: DatasetNameSchema.optional(),
  kind: DatasetKindNameSchema.optional().openapi({ description: "What the records are; default `instructions` ({instruction, input?, output})" }),
});
const UploadSchema = z
  .object({ uploadId: z.string(), uploadUrl: z.string(), method: z.literal("PUT"), expiresAt: z.string() })
  .openapi("DatasetUpload");

/**
 * The body is read as text, not validated by the route: a JSON array and JSONL are both accepted, and a bad record
 * must be reported by its line number, which a validator of parsed JSON cannot know. So the body is documented with
 * plain OpenAPI schemas (no zod: nothing to validate, no media-type gate — `curl --data-binary` works as it is).
 */
const upload = createRoute({
  method: "post",
  path: "/v1/datasets",
  tags,
  summary: "Upload a dataset (JSON array or JSONL; ≤ 6 MB, larger files through /v1/datasets/uploads)",
  description:
    "Every record is checked against the kind's schema; if any is bad the answer is 400 with `details.lines` (1-based) " +
    "and nothing is stored. Ids are content hashes: uploading the same records again returns the same dataset (200).",
  security,
  request: {
    query: UploadQuery,
    body: {
      required: true,
      content: {
        "application/json": { schema: { type: "array", items: { type: "object" } } },
        "application/x-ndjson": { schema: { type: "string" } },
      },
    },
  },
  responses: {
    201: { description: "Stored", content: { "application/json": { schema: DatasetMetaSchema } } },
    200: { description: "Already stored", content: { "application/json": { schema: DatasetMetaSchema } } },
    400: errorResponse("Bad records, listed with their line numbers; or an unknown kind"),
    401: errorResponse("Missing or unknown API key"),
    403: errorResponse("The key is read-only"),
    413: errorResponse("Body over the upload limit"),
  },
});

const startUpload = createRoute({
  method: "post",
  path: "/v1/datasets/uploads",
  tags,
  summary: "Start a large dataset upload: returns a presigned URL to PUT the file to (valid one hour)",
  security,
  responses: {
    201: { description: "Upload URL", content: { "application/json": { schema: UploadSchema } } },
    403: errorResponse("The key is read-only"),
  },
});

const completeUpload = createRoute({
  method: "post",
  path: "/v1/datasets/uploads/{uploadId}/complete",
  tags,
  summary: "Validate an uploaded file and store it as a dataset (400 with line numbers if any record is bad)",
  security,
  request: { params: z.object({ uploadId: z.string() }), query: UploadQuery },
  responses: {
    201: { description: "Stored", content: { "application/json": { schema: DatasetMetaSchema } } },
    200: { description: "Already stored", content: { "application/json": { schema: DatasetMetaSchema } } },
    400: errorResponse("Bad records, listed with their line numbers"),
    404: errorResponse("Nothing was uploaded under that id"),
  },
});

const describe = createRoute({
  method: "get",
  path: "/v1/datasets/{id}",
  tags,
  summary: "Describe a dataset",
  security,
  request: { params: z.object({ id: DatasetIdSchema }) },
  responses: {
    200: { description: "The dataset", content: { "application/json": { schema: DatasetMetaSchema } } },
    404: errorResponse("No such dataset for this tenant"),
  },
});

const records = createRoute({
  method: "get",
  path: "/v1/datasets/{id}/records",
  tags,
  summary: "Download a dataset's records as JSONL",
  security,
  request: { params: z.object({ id: DatasetIdSchema }) },
  responses: {
    200: { description: "JSONL, one record a line", content: { "application/x-ndjson": { schema: z.string() } } },
    404: errorResponse("No such dataset for this tenant"),
  },
});

/** Registers `/v1/datasets…`. */
export function registerDatasetRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { store } = deps;

  app.openapi(upload, async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    const { name, kind } = c.req.valid("query");
    const text = decodeUtf8Strict(new Uint8Array(await c.req.arrayBuffer()));
    const { meta, created } = await storeDataset(store, principal.tenant, text, { name: name ?? null, ...(kind ? { kind } : {}) });
    return c.json(meta, created ? 201 : 200);
  });

  app.openapi(startUpload, async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    if (!deps.uploads) throw new ConfigurationError("presigned uploads are not configured on this deployment");
    return c.json(await startDatasetUpload(deps.uploads, principal.tenant), 201);
  });

  app.openapi(completeUpload, async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    const { name, kind } = c.req.valid("query");
    const { meta, created } = await completeDatasetUpload(store, principal.tenant, c.req.valid("param").uploadId, {
      name: name ?? null,
      ...(kind ? { kind } : {}),
    });
    return c.json(meta, created ? 201 : 200);
  });

  app.openapi(describe, async (c) => c.json(await getDatasetMeta(store, c.get("principal").tenant, c.req.valid("param").id), 200));

  app.openapi(records, async (c) => {
    const tenant = c.get("principal").tenant;
    const { id } = c.req.valid("param");
    await getDatasetMeta(store, tenant, id);
    const body = await store.getStream(datasetKeys(tenant, id).records);
    return streamBody(c, "application/x-ndjson", body as AsyncIterable<Uint8Array>);
  });
}
