import { describe, expect, it } from "vitest";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { createJob } from "../../../shared/jobs/create-job.js";
import { nuggetsKind, readSummary } from "../../../shared/nuggets/jobs/index.js";
import { makeExamples, makeNuggetsHarness as makeHarness, seedDataset, TENANT } from "./harness.js";

describe("orchestration speed (instant fake engine)", () => {
  it("should score 2000 candidates × 100 anchors in-process and report pairs/s", async () => {
    const N = 2000;
    const M = 100;
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }), { unitConcurrency: 8 });
    const datasetId = await seedDataset(h, makeExamples(N));
    const started = performance.now();
    const { manifest } = await createJob(h.deps, nuggetsKind, TENANT, {
      datasetId,
      anchors: { method: "random", size: M, seed: 0 },
      engine: "fake",
      shardSize: 250,
    });
    await h.drain();
    const seconds = (performance.now() - started) / 1000;
    const summary = await readSummary(h.deps, TENANT, manifest.jobId);
    expect(summary.scored).toBe(N);
    // Informational: the target is ≥ 20,000 pair scorings/s per process; no assertion on a shared machine.
    console.log(`nuggets orchestration: ${N * M} pairs in ${seconds.toFixed(2)} s = ${Math.round((N * M) / seconds)} pairs/s`);
  });
});
