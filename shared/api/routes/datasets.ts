import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { stream } from "hono/streaming";
import { ErrorBodySchema } from "../../../schemas/common.js";
import { DatasetIdSchema, DatasetMetaSchema } from "../../../schemas/datasets.js";
import { NuggetsExampleSchema } from "../../../schemas/nuggets.js";
import { requireScope } from "../../auth/api-keys.js";
import { datasetKeys, getDatasetMeta, storeDataset } from "../../datasets/dataset-store.js";
import { completeDatasetUpload, startDatasetUpload } from "../../datasets/dataset-uploads.js";
import { ConfigurationError } from "../../errors.js";
import { validationErrorFrom } from "../errors.js";
import type { ApiDeps, ApiEnv } from "../context.js";

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorBodySchema } },
});

function parseId(raw: string): string {
  const parsed = DatasetIdSchema.safeParse(raw);
  if (!parsed.success) throw validationErrorFrom(parsed.error, "dataset id");
  return parsed.data;
}

/** `/v1/datasets`: upload (JSON array or JSONL), describe, download. */
export function registerDatasetRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const { store } = deps;

  // The body is read as text, not validated by the route: a JSON array and JSONL are both accepted, and a bad
  // record must be reported by its line number, which a schema validator on parsed JSON cannot know.
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/datasets",
    tags: ["datasets"],
    summary: "Upload an instruction dataset (JSON array or JSONL of {instruction, input?, output})",
    description:
      "Every record is checked; if any is bad the answer is 400 with `details.lines` (1-based) and nothing is stored. " +
      "Ids are content hashes: uploading the same records again returns the same dataset (200 instead of 201).",
    security: [{ bearer: [] }],
    request: {
      query: z.object({ name: z.string().max(200).optional() }),
      body: {
        required: true,
        content: {
          "application/json": { schema: z.array(NuggetsExampleSchema) },
          "application/x-ndjson": { schema: z.string() },
        },
      },
    },
    responses: {
      201: { description: "Stored", content: { "application/json": { schema: DatasetMetaSchema } } },
      200: { description: "Already stored", content: { "application/json": { schema: DatasetMetaSchema } } },
      400: errorResponse("Bad records, listed with their line numbers"),
      401: errorResponse("Missing or unknown API key"),
      403: errorResponse("The key is read-only"),
      413: errorResponse("Body over the upload limit"),
    },
  });
  app.post("/v1/datasets", async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    const name = c.req.query("name");
    const { meta, created } = await storeDataset(store, principal.tenant, await c.req.text(), { name: name ?? null });
    return c.json(meta, created ? 201 : 200);
  });

  const UploadSchema = z
    .object({ uploadId: z.string(), uploadUrl: z.string(), method: z.literal("PUT"), expiresAt: z.string() })
    .openapi("DatasetUpload");
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/datasets/uploads",
    tags: ["datasets"],
    summary: "Start a large dataset upload: returns a presigned URL to PUT the file to (valid one hour)",
    security: [{ bearer: [] }],
    responses: {
      201: { description: "Upload URL", content: { "application/json": { schema: UploadSchema } } },
      403: errorResponse("The key is read-only"),
    },
  });
  app.post("/v1/datasets/uploads", async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    if (!deps.uploads) throw new ConfigurationError("presigned uploads are not configured on this deployment");
    return c.json(await startDatasetUpload(deps.uploads, principal.tenant), 201);
  });

  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/datasets/uploads/{uploadId}/complete",
    tags: ["datasets"],
    summary: "Validate an uploaded file and store it as a dataset (400 with line numbers if any record is bad)",
    security: [{ bearer: [] }],
    request: { params: z.object({ uploadId: z.string() }), query: z.object({ name: z.string().max(200).optional() }) },
    responses: {
      201: { description: "Stored", content: { "application/json": { schema: DatasetMetaSchema } } },
      200: { description: "Already stored", content: { "application/json": { schema: DatasetMetaSchema } } },
      400: errorResponse("Bad records, listed with their line numbers"),
      404: errorResponse("Nothing was uploaded under that id"),
    },
  });
  app.post("/v1/datasets/uploads/:uploadId/complete", async (c) => {
    const principal = c.get("principal");
    requireScope(principal, "write");
    const { meta, created } = await completeDatasetUpload(store, principal.tenant, c.req.param("uploadId"), {
      name: c.req.query("name") ?? null,
    });
    return c.json(meta, created ? 201 : 200);
  });

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v1/datasets/{id}",
    tags: ["datasets"],
    summary: "Describe a dataset",
    security: [{ bearer: [] }],
    request: { params: z.object({ id: DatasetIdSchema }) },
    responses: {
      200: { description: "The dataset", content: { "application/json": { schema: DatasetMetaSchema } } },
      404: errorResponse("No such dataset for this tenant"),
    },
  });
  app.get("/v1/datasets/:id", async (c) => {
    const meta = await getDatasetMeta(store, c.get("principal").tenant, parseId(c.req.param("id")));
    return c.json(meta, 200);
  });

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v1/datasets/{id}/records",
    tags: ["datasets"],
    summary: "Download a dataset's records as JSONL",
    security: [{ bearer: [] }],
    request: { params: z.object({ id: DatasetIdSchema }) },
    responses: {
      200: { description: "JSONL, one record a line", content: { "application/x-ndjson": { schema: z.string() } } },
      404: errorResponse("No such dataset for this tenant"),
    },
  });
  app.get("/v1/datasets/:id/records", async (c) => {
    const tenant = c.get("principal").tenant;
    const id = parseId(c.req.param("id"));
    await getDatasetMeta(store, tenant, id);
    const body = await store.getStream(datasetKeys(tenant, id).records);
    c.header("content-type", "application/x-ndjson");
    return stream(c, async (out) => {
      for await (const chunk of body) await out.write(chunk as Uint8Array);
    });
  });
}
