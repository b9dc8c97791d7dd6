import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { createInstantFakeEngine } from "../../shared/engines/fake/instant-fake-engine.js";
import { createJob } from "../../shared/jobs/create-job.js";
import { cancelJob } from "../../shared/jobs/job-control.js";
import { nuggetsKind } from "../../shared/nuggets/jobs/index.js";
import type { CreateOnceResult, CompareAndSwapResult, ObjectBody, WriteOptions } from "../../shared/store/object-store.js";
import { MemoryObjectStore } from "../../shared/store/memory-object-store.js";
import { makeHarness, TENANT } from "./harness.js";
import { makeExamples, seedDataset } from "../nuggets/jobs/harness.js";

/**
 * Every JSON record a job stores goes through its schema (`createOnceJson`, `compareAndSwapJson`, `putJson`,
 * `update`): a writer that serialises a record by hand could store something its readers then refuse. This store
 * notes every raw write of a `.json` key that did not come through one of the schema'd methods.
 */
class SchemaCheckingStore extends MemoryObjectStore {
  readonly rawJsonWrites: string[] = [];
  #viaSchema = 0;

  async #schema<T>(work: () => Promise<T>): Promise<T> {
    this.#viaSchema++;
    try {
      return await work();
    } finally {
      this.#viaSchema--;
    }
  }
  #note(key: string): void {
    if (key.endsWith(".json") && this.#viaSchema === 0) this.rawJsonWrites.push(key);
  }

  override createOnceJson<T>(key: string, value: T, schema: z.ZodType<T>): Promise<CreateOnceResult> {
    return this.#schema(() => super.createOnceJson(key, value, schema));
  }
  override compareAndSwapJson<T>(key: string, value: T, schema: z.ZodType<T>, etag: string): Promise<CompareAndSwapResult> {
    return this.#schema(() => super.compareAndSwapJson(key, value, schema, etag));
  }
  override putJson<T>(key: string, value: T, schema?: z.ZodType<T>): Promise<{ etag: string }> {
    if (!schema) this.rawJsonWrites.push(`${key} (putJson without a schema)`);
    return this.#schema(() => super.putJson(key, value, schema));
  }
  override update: MemoryObjectStore["update"] = (key, schema, fn, options) => this.#schema(() => super.update(key, schema, fn, options));
  override createOnce(key: string, body: ObjectBody, options?: WriteOptions): Promise<CreateOnceResult> {
    this.#note(key);
    return super.createOnce(key, body, options);
  }
  override compareAndSwap(key: string, body: ObjectBody, etag: string, options?: WriteOptions): Promise<CompareAndSwapResult> {
    this.#note(key);
    return super.compareAndSwap(key, body, etag, options);
  }
  override putBytes(key: string, body: ObjectBody, options?: WriteOptions): Promise<{ etag: string }> {
    this.#note(key);
    return super.putBytes(key, body, options);
  }
}

describe("stored JSON records", () => {
  it("should all be written through their schemas: manifest, prepared, anchors, progress, stop, cut, summary, callback, caches", async () => {
    const store = new SchemaCheckingStore();
    const h = makeHarness([nuggetsKind], [createInstantFakeEngine({ name: "fake" })], {}, { store });
    const datasetId = await seedDataset(h, makeExamples(30));
    const request = { datasetId, engine: "fake", shardSize: 10, callbackUrl: "https://hooks.example.com/x" };
    // K-Means (embedding chunks, anchor choice) and a completed job with its callback…
    await createJob(h.deps, nuggetsKind, TENANT, { ...request, anchors: { method: "kmeans", k: 3, seed: 0 } });
    await h.drain();
    // …and a cancelled one (stop record, partial cut).
    const { manifest } = await createJob(h.deps, nuggetsKind, TENANT, { ...request, anchors: { method: "random", size: 4 } });
    await h.drain({ limit: 2 });
    await cancelJob(h.deps, nuggetsKind, TENANT, manifest.jobId);
    await h.drain();
    expect(h.posts).toHaveLength(2);
    expect(store.rawJsonWrites).toEqual([]);
  });
});
