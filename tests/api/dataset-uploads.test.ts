import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../shared/api/app.js";
import { ApiKeyAuthenticator, generateApiKey } from "../../shared/auth/api-keys.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { startLocalAws, type LocalAws } from "../../shared/local/emulator.js";
import { localS3Config } from "../../shared/local/local-clients.js";
import { S3ObjectStore } from "../../shared/store/s3-object-store.js";
import { S3UploadUrlSigner } from "../../shared/store/upload-urls.js";
import { json } from "../helpers/http.js";

const alice = generateApiKey("alice");
const bob = generateApiKey("bob");

describe("presigned dataset uploads (on the S3 emulator)", () => {
  let aws: LocalAws;
  let store: S3ObjectStore;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    aws = await startLocalAws({ bucket: "uploads-test", queues: [] });
    store = new S3ObjectStore({ client: aws.s3, bucket: aws.bucket });
    app = createApp({
      engines: EngineRegistry.fromConfigs([]),
      auth: new ApiKeyAuthenticator([alice.record, bob.record]),
      store,
      uploads: new S3UploadUrlSigner({ config: localS3Config({ endpoint: aws.endpoint }), bucket: aws.bucket }),
      maxDatasetBytes: 1024, // the direct route refuses this file; the presigned path takes it
    });
  });
  afterAll(() => aws?.stop());

  const call = (path: string, key: string) =>
    app.request(path, { method: "POST", headers: { authorization: `Bearer ${key}` } });

  async function uploadFile(text: string, key = alice.key, headers: Record<string, string> = {}): Promise<string> {
    const started = await call("/v1/datasets/uploads", key);
    expect(started.status).toBe(201);
    const { uploadId, uploadUrl } = await json(started);
    const put = await fetch(uploadUrl, { method: "PUT", body: text, headers });
    expect(put.status).toBe(200);
    return uploadId;
  }

  it("should presign a PUT without a body checksum, which S3-compatible stores would refuse", async () => {
    const { uploadUrl } = await json(await call("/v1/datasets/uploads", alice.key));
    const params = [...new URL(uploadUrl).searchParams.keys()].map((k) => k.toLowerCase());
    expect(params).toContain("x-amz-signature");
    expect(params.filter((k) => k.startsWith("x-amz-checksum") || k === "x-amz-sdk-checksum-algorithm")).toEqual([]);
  });

  it.each([
    ["curl --upload-file (no content type)", {}],
    ["curl --data-binary (a form content type)", { "content-type": "application/x-www-form-urlencoded" }],
    ["an explicit octet-stream", { "content-type": "application/octet-stream" }],
  ])("should accept the upload however the client labels it: %s", async (_label, headers) => {
    const text = `{"instruction":"Say hi.","output":"hi"}\n`;
    const uploadId = await uploadFile(text, alice.key, headers as Record<string, string>);
    const done = await call(`/v1/datasets/uploads/${uploadId}/complete`, alice.key);
    expect(done.status, await done.clone().text()).toBeLessThan(300);
  });

  it("should store a file larger than the direct limit once it is uploaded and completed", async () => {
    const text = Array.from({ length: 100 }, (_, i) => JSON.stringify({ instruction: `Count to ${i}.`, output: String(i) })).join("\n");
    expect(text.length).toBeGreaterThan(1024);
    const uploadId = await uploadFile(text);
    const done = await call(`/v1/datasets/uploads/${uploadId}/complete?name=big`, alice.key);
    expect(done.status).toBe(201);
    const meta = await json(done);
    expect(meta).toMatchObject({ records: 100, name: "big" });
    const keys: string[] = [];
    for await (const o of store.list("")) keys.push(o.key);
    expect(keys.some((k) => k.startsWith("tmp/"))).toBe(false); // the staged body is gone
    expect(keys.filter((k) => k.startsWith(`t/alice/datasets/${meta.id}/`))).toHaveLength(2);
  });

  it("should reject a bad file with its line numbers, store nothing, and remove the staged body", async () => {
    const uploadId = await uploadFile(`{"instruction":"a","output":"b"}\n{"instruction":"c"}\n`);
    const done = await call(`/v1/datasets/uploads/${uploadId}/complete`, alice.key);
    expect(done.status).toBe(400);
    expect((await json(done)).error.details.lines).toEqual([2]);
    const keys: string[] = [];
    for await (const o of store.list(`tmp/alice/uploads/${uploadId}`)) keys.push(o.key);
    expect(keys).toEqual([]);
  });

  it("should not let another tenant complete someone else's upload", async () => {
    const uploadId = await uploadFile(`{"instruction":"a","output":"b"}\n`);
    const res = await call(`/v1/datasets/uploads/${uploadId}/complete`, bob.key);
    expect(res.status).toBe(404);
  });
});
