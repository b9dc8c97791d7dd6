import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../shared/api/app.js";
import { ApiKeyAuthenticator, generateApiKey } from "../../shared/auth/api-keys.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { startLocalAws, type LocalAws } from "../../shared/local/emulator.js";
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
      uploads: new S3UploadUrlSigner({ client: aws.s3, bucket: aws.bucket }),
      maxDatasetBytes: 1024, // the direct route refuses this file; the presigned path takes it
    });
  });
  afterAll(() => aws?.stop());

  const call = (path: string, key: string) =>
    app.request(path, { method: "POST", headers: { authorization: `Bearer ${key}` } });

  async function uploadFile(text: string, key = alice.key): Promise<string> {
    const started = await call("/v1/datasets/uploads", key);
    expect(started.status).toBe(201);
    const { uploadId, uploadUrl } = await json(started);
    const put = await fetch(uploadUrl, { method: "PUT", body: text });
    expect(put.status).toBe(200);
    return uploadId;
  }

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
    expect(keys.filter((k) => k.startsWith("t/alice/datasets/"))).toHaveLength(2);
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
