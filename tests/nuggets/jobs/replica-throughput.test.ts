import { describe, expect, it } from "vitest";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import type { Engine } from "../../../shared/engines/engine.js";
import { createEnginePool } from "../../../shared/engines/pool/engine-pool.js";
import { createJob } from "../../../shared/jobs/create-job.js";
import { getNuggetsJobStatus, nuggetsKind } from "../../../shared/nuggets/jobs/index.js";
import { makeExamples, makeNuggetsHarness, seedDataset, TENANT } from "./harness.js";

/** A replica that takes a few milliseconds a call, so pieces last long enough to be measured. */
function slow(engine: Engine, ms: number): Engine {
  const wait = () => new Promise((r) => setTimeout(r, ms));
  return { ...engine, scoreSuffixes: async (req) => (await wait(), engine.scoreSuffixes(req)) };
}

describe("throughput per engine replica", () => {
  it("should show in a job's status what each replica of a pool did", async () => {
    const pool = createEnginePool([slow(createInstantFakeEngine({ name: "fake" }), 10), slow(createInstantFakeEngine({ name: "fake" }), 10)]);
    const h = makeNuggetsHarness(pool);
    const datasetId = await seedDataset(h, makeExamples(80));
    const { manifest } = await createJob(h.deps, nuggetsKind, TENANT, { datasetId, anchors: { method: "random", size: 4 }, engine: "fake", shardSize: 40 });
    await h.drain();
    const status = await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId);
    expect(status.status).toBe("completed");
    const replicas = status.throughput?.replicas ?? [];
    expect(replicas.map((r) => r.id)).toEqual(["r0", "r1"]);
    for (const r of replicas) {
      expect(r.requestsPerSecond).toBeGreaterThan(0);
      expect(r).toMatchObject({ failureRate: 0, circuit: "closed" });
    }
    expect(status.throughput?.rates.pairs).toBeGreaterThan(0);
    // Ids only: nothing that could be an address.
    expect(JSON.stringify(status.throughput)).not.toMatch(/https?:|\d+\.\d+\.\d+\.\d+/);
  });
});
