import { describe, expect, it } from "vitest";
import { CallbackStateSchema } from "../../../schemas/jobs.js";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { createJob } from "../../../shared/jobs/create-job.js";
import { jobKeys } from "../../../shared/jobs/job-keys.js";
import { nuggetsKind } from "../../../shared/nuggets/jobs/index.js";
import { makeExamples, makeNuggetsHarness as makeHarness, seedDataset, TENANT } from "./harness.js";

describe("completion callback delivery", () => {
  it("should retry a failing receiver, record the failure, and deliver once on the redelivered aggregate", async () => {
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }), { callbackAttempts: 3, callbackLeaseMs: 0 });
    h.callbackStatuses.push(503, 502, 500, 404);
    const datasetId = await seedDataset(h, makeExamples(12));
    const { manifest } = await createJob(h.deps, nuggetsKind, TENANT, {
      datasetId,
      anchors: { method: "random", size: 4 },
      engine: "fake",
      callbackUrl: "https://hooks.example.com/x",
    });
    const key = jobKeys(TENANT, manifest.jobId).callback;
    // Deliver until the first aggregate attempt has failed (3 POSTs, all 5xx).
    while (h.posts.length < 3) await h.drain({ limit: 1 });
    expect((await h.store.getJson(key, CallbackStateSchema)).status).toBe("failed");
    await h.drain();
    // The 4th answer (404) is a refusal: recorded, not retried.
    const state = await h.store.getJson(key, CallbackStateSchema);
    expect(state).toMatchObject({ status: "rejected", attempts: 4, responseStatus: 404 });
    expect(h.posts).toHaveLength(4);
    expect(h.queue.dlq).toEqual([]);
  });
});
