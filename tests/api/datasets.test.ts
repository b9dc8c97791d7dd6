import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../shared/api/app.js";
import { ApiKeyAuthenticator, generateApiKey } from "../../shared/auth/api-keys.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { MemoryObjectStore } from "../../shared/store/memory-object-store.js";
import { json } from "../helpers/http.js";

const alice = generateApiKey("alice");
const bob = generateApiKey("bob");

const records = [
  { instruction: "Add 2 and 3.", output: "5" },
  { instruction: "Translate to French.", input: "cat", output: "chat" },
];
const jsonl = records.map((r) => JSON.stringify(r)).join("\n");

describe("datasets API", () => {
  let store: MemoryObjectStore;
  let app: ReturnType<typeof createApp>;
  beforeEach(() => {
    store = new MemoryObjectStore();
    app = createApp({
      engines: EngineRegistry.fromConfigs([]),
      auth: new ApiKeyAuthenticator([alice.record, bob.record]),
      store,
      maxDatasetBytes: 4096,
    });
  });

  const upload = (body: string, key: string, contentType = "application/x-ndjson") =>
    app.request("/v1/datasets?name=demo", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": contentType },
      body,
    });
  const get = (path: string, key: string) => app.request(path, { headers: { authorization: `Bearer ${key}` } });

  it("should store a JSONL dataset under the tenant's prefix and give it back byte for byte", async () => {
    const res = await upload(jsonl, alice.key);
    expect(res.status).toBe(201);
    const meta = await json(res);
    expect(meta).toMatchObject({ records: 2, name: "demo", sourceFormat: "jsonl" });
    const keys: string[] = [];
    for await (const o of store.list("t/")) keys.push(o.key);
    expect(keys.every((k) => k.startsWith("t/alice/datasets/"))).toBe(true);
    const download = await get(`/v1/datasets/${meta.id}/records`, alice.key);
    expect(download.status).toBe(200);
    expect((await download.text()).trim().split("\n").map((l) => JSON.parse(l))).toEqual(records);
  });

  it("should give the same id to the same records sent as a JSON array, and answer 200 the second time", async () => {
    const first = await json(await upload(jsonl, alice.key));
    const again = await upload(JSON.stringify(records, null, 2), alice.key, "application/json");
    expect(again.status).toBe(200);
    expect((await json(again)).id).toBe(first.id);
  });

  it("should not let tenant B read tenant A's dataset (404, existence not disclosed)", async () => {
    const { id } = await json(await upload(jsonl, alice.key));
    for (const path of [`/v1/datasets/${id}`, `/v1/datasets/${id}/records`]) {
      expect((await get(path, alice.key)).status).toBe(200);
      const res = await get(path, bob.key);
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe("not_found");
    }
  });

  it("should reject a malformed dataset with 400 listing every bad line, and store nothing", async () => {
    const bad = [JSON.stringify(records[0]), "{not json", JSON.stringify({ instruction: "x" }), JSON.stringify(records[1])].join("\n");
    const res = await upload(bad, alice.key);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.details.lines).toEqual([2, 3]);
    let stored = 0;
    for await (const _ of store.list("t/")) stored++;
    expect(stored).toBe(0);
  });

  it.each([
    ["compact (one line)", (rows: unknown[]) => JSON.stringify(rows)],
    ["pretty-printed", (rows: unknown[]) => JSON.stringify(rows, null, 2)],
  ])("should report each bad record of a %s JSON array on its own, with its index and line", async (_layout, format) => {
    const rows = [records[0], { instruction: "", output: "x" }, records[1], { instruction: "y" }, records[0]];
    const res = await upload(format(rows), alice.key, "application/json");
    expect(res.status).toBe(400);
    const { error } = await json(res);
    const bad = error.details.records as { index: number; line: number; column: number; problems: string[] }[];
    expect(bad.map((b) => b.index)).toEqual([1, 3]);
    expect(bad[0]!.problems).toEqual([expect.stringContaining("instruction")]);
    expect(bad[1]!.problems).toEqual([expect.stringContaining("output")]);
    if (_layout.startsWith("compact")) {
      expect(bad.map((b) => b.line)).toEqual([1, 1]);
      expect(bad[1]!.column).toBeGreaterThan(bad[0]!.column);
      expect(error.details.lines).toEqual([1]);
    } else {
      expect(new Set(bad.map((b) => b.line)).size).toBe(2);
    }
    expect(error.message).toMatch(/^dataset has 2 bad records; the first: record 1 \(line \d+, column \d+\): instruction/);
  });

  it("should refuse invalid UTF-8 with where it is, instead of storing replacement characters", async () => {
    const good = Buffer.from(`${JSON.stringify(records[0])}\n{"instruction":"caf`);
    const body = Buffer.concat([good, Buffer.from([0xe9]), Buffer.from(`","output":"x"}\n`)]); // Latin-1 "é"
    const res = await app.request("/v1/datasets", {
      method: "POST",
      headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/x-ndjson" },
      body,
    });
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.details).toEqual({ byteOffset: good.length, line: 2, column: 20 });
    expect(error.message).toContain(`not valid UTF-8 at byte ${good.length} (line 2, column 20)`);
    let stored = 0;
    for await (const _ of store.list("t/")) stored++;
    expect(stored).toBe(0);
  });

  it("should accept only dataset names of a safe set of characters", async () => {
    const named = (name: string) =>
      app.request(`/v1/datasets?name=${encodeURIComponent(name)}`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/x-ndjson" },
        body: jsonl,
      });
    expect((await named("alpaca 52k_v1.2-final")).status).toBe(201);
    for (const name of ["../etc", "<script>", "a\nb", "", "x".repeat(101)]) expect((await named(name)).status, name).toBe(400);
  });

  it("should refuse a path-like or malformed dataset id with 400", async () => {
    const res = await get("/v1/datasets/..%2Fbob", alice.key);
    expect(res.status).toBe(400);
  });

  it("should answer 413 for a dataset over the upload limit", async () => {
    const big = Array.from({ length: 200 }, () => JSON.stringify(records[0])).join("\n");
    const res = await upload(big, alice.key);
    expect(res.status).toBe(413);
    // It says where a larger file goes.
    expect((await json(res)).error.message).toContain("POST /v1/datasets/uploads");
  });

  it("should keep a kind per dataset: instructions by default, an unknown kind refused with the available ones", async () => {
    const meta = await json(await upload(jsonl, alice.key));
    expect(meta.kind).toBe("instructions");
    const explicit = await app.request("/v1/datasets?kind=instructions", {
      method: "POST",
      headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/x-ndjson" },
      body: jsonl,
    });
    expect((await json(explicit)).id).toBe(meta.id);
    const unknown = await app.request("/v1/datasets?kind=dialogs", {
      method: "POST",
      headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/x-ndjson" },
      body: jsonl,
    });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error).toMatchObject({ message: expect.stringContaining("available: instructions"), details: { datasetKind: "dialogs" } });
  });

  it("should accept a body curl sends as a form (--data-binary without a content type)", async () => {
    const res = await app.request("/v1/datasets", {
      method: "POST",
      headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/x-www-form-urlencoded" },
      body: jsonl,
    });
    expect(res.status).toBe(201);
  });
});

describe("dataset kinds in jobs", () => {
  it("should refuse a NUGGETS job over a dataset of another kind", async () => {
    const { createJob } = await import("../../shared/jobs/create-job.js");
    const { nuggetsKind } = await import("../../shared/nuggets/jobs/index.js");
    const { datasetKeys } = await import("../../shared/datasets/dataset-store.js");
    const { createInstantFakeEngine } = await import("../../shared/engines/fake/instant-fake-engine.js");
    const store = new MemoryObjectStore();
    const engines = EngineRegistry.fromConfigs([]);
    engines.register(createInstantFakeEngine({ name: "fake" }));
    // A dataset of a kind a later method brings (stored as that method would store it).
    const id = "ds_0123456789abcdef01234567";
    await store.putBytes(datasetKeys("alice", id).records, '{"turns":[]}\n');
    await store.putJson(datasetKeys("alice", id).meta, {
      version: 1, id, kind: "dialogues", name: null, records: 1, bytes: 13, sha256: "0".repeat(64), sourceFormat: "jsonl", createdAt: new Date(0).toISOString(),
    });
    const deps = { store, engines, queue: { send: async () => {} } };
    await expect(createJob(deps, nuggetsKind, "alice", { datasetId: id, anchors: { method: "random", size: 1 }, engine: "fake" })).rejects.toThrow(
      /holds dialogues, not instructions/,
    );
  });
});
