import { describe, expect, it } from "vitest";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { randomAnchors } from "../../../shared/nuggets/anchors.js";
import { addressProblem, assertCallbackUrlAllowed, checkCallbackUrl } from "../../../shared/jobs/callback-url.js";
import { createJob, planJob } from "../../../shared/jobs/create-job.js";
import type { JobDeps } from "../../../shared/jobs/ports.js";
import { coverOf, mergeRanges, uncoveredRanges } from "../../../shared/jobs/pieces.js";
import { chooseShardSize } from "../../../shared/jobs/throughput.js";
import { getNuggetsJobStatus, nuggetsKind } from "../../../shared/nuggets/jobs/index.js";
import { renderExample } from "../../../shared/nuggets/template.js";
import type { NuggetsJobPlan } from "../../../schemas/nuggets-jobs.js";
import { makeExamples, makeNuggetsHarness as makeHarness, seedDataset, snapshot, TENANT } from "./harness.js";

const planNuggetsJob = async (deps: JobDeps, tenant: string, request: unknown) => (await planJob(deps, nuggetsKind, tenant, request)) as NuggetsJobPlan;
const createNuggetsJob = (deps: JobDeps, tenant: string, request: unknown) => createJob(deps, nuggetsKind, tenant, request);

describe("planNuggetsJob (dry run)", () => {
  it("should count pairs and exact tokens, probe the engine, and store nothing", async () => {
    const engine = createInstantFakeEngine({ name: "fake" });
    const h = makeHarness(engine);
    const examples = makeExamples(50);
    const datasetId = await seedDataset(h, examples);
    const before = await snapshot(h.store);
    const plan = await planNuggetsJob(h.deps, TENANT, {
      datasetId,
      anchors: { method: "random", size: 10, seed: 1 },
      engine: "fake",
      dryRun: true,
    });
    expect(await snapshot(h.store)).toEqual(before);
    expect(h.queue.sent).toBe(0);

    const len = async (t: string) => (await engine.tokenize(t)).length;
    const anchors = randomAnchors(examples, 10, 1).examples;
    let tokens = 0;
    for (const c of examples) {
      for (const a of anchors) tokens += 1 + (await len(renderExample(c).full)) + (await len(renderExample(a).full));
    }
    expect(plan).toMatchObject({ pairs: 500, candidates: 50, anchors: 10, tokens: { count: tokens, method: "exact" } });
    expect(plan.throughput.source).toBe("probe");
    expect(plan.estimatedEngineHours).toBeGreaterThan(0);
  });

  it("should count the candidates that would not fit beside the anchors, and refuse a job where none would", async () => {
    const examples = makeExamples(20);
    const len = async (engine: { tokenize(t: string): Promise<number[]> }, t: string) => (await engine.tokenize(t)).length;
    const probe = createInstantFakeEngine({ name: "probe" });
    const candidateLengths = await Promise.all(examples.map((e) => len(probe, renderExample(e).full)));
    const anchorLengths = await Promise.all(randomAnchors(examples, 4, 3).examples.map((e) => len(probe, renderExample(e).full)));
    const longest = Math.max(...anchorLengths);
    // A context that fits the shorter half of the candidates beside the longest anchor.
    const sorted = [...candidateLengths].sort((a, b) => a - b);
    const contextSize = 1 + longest + sorted[9]!;
    const engine = createInstantFakeEngine({ name: "fake", contextSize });
    const h = makeHarness(engine);
    const datasetId = await seedDataset(h, examples);
    const plan = await planNuggetsJob(h.deps, TENANT, { datasetId, anchors: { method: "random", size: 4, seed: 3 }, engine: "fake", dryRun: true });
    expect(plan.skippedCandidates).toBe(candidateLengths.filter((c) => 1 + c + longest > contextSize).length);
    expect(plan.skippedCandidates).toBeGreaterThan(0);

    const tiny = makeHarness(createInstantFakeEngine({ name: "fake", contextSize: longest + 2 }));
    const tinyDataset = await seedDataset(tiny, examples);
    const request = { datasetId: tinyDataset, anchors: { method: "random", size: 4, seed: 3 }, engine: "fake" };
    await expect(planNuggetsJob(tiny.deps, TENANT, { ...request, dryRun: true })).rejects.toThrow(/every candidate would be skipped/);
    // A submission refuses it the same way, and nothing is stored or enqueued.
    await expect(createNuggetsJob(tiny.deps, TENANT, request)).rejects.toThrow(/every candidate would be skipped/);
    expect([...(await snapshot(tiny.store)).keys()].filter((k) => k.includes("/jobs/"))).toEqual([]);
    expect(tiny.queue.sent).toBe(0);
  });

  it("should refuse in the dry run every callback URL a submission refuses", async () => {
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }));
    const datasetId = await seedDataset(h, makeExamples(10));
    const request = { datasetId, anchors: { method: "random", size: 2 }, engine: "fake" };
    for (const callbackUrl of ["javascript:alert(1)", "file:///etc/passwd", "https://169.254.169.254/latest/meta-data", "http://hooks.example.com/x"]) {
      await expect(planNuggetsJob(h.deps, TENANT, { ...request, callbackUrl, dryRun: true }), callbackUrl).rejects.toThrow(/callback URL refused|invalid/);
      await expect(createNuggetsJob(h.deps, TENANT, { ...request, callbackUrl }), callbackUrl).rejects.toThrow(/callback URL refused|invalid/);
    }
  });

  it("should refuse an engine without scoring, K-Means without embeddings, and too many anchors", async () => {
    const engine = createInstantFakeEngine({ name: "fake" });
    const noEmbed = { ...engine, name: "noembed", capabilities: { ...engine.capabilities, embeddings: false } };
    const h = makeHarness(engine);
    const { EngineRegistry } = await import("../../../shared/engines/registry.js");
    const engines = EngineRegistry.fromConfigs([]);
    engines.register(engine);
    engines.register(noEmbed);
    const deps = { ...h.deps, engines };
    const datasetId = await seedDataset(h, makeExamples(20));
    await expect(createNuggetsJob(deps, TENANT, { datasetId, anchors: { method: "kmeans", k: 4 }, engine: "noembed" })).rejects.toThrow(
      /embeddings/,
    );
    await expect(createNuggetsJob(deps, TENANT, { datasetId, anchors: { method: "random", size: 21 }, engine: "fake" })).rejects.toThrow(
      /pool has 20/,
    );
    await expect(createNuggetsJob(deps, TENANT, { datasetId, anchors: { method: "random", size: 2 }, engine: "gpu" })).rejects.toThrow(
      /not configured|not available/,
    );
    await expect(
      createNuggetsJob(deps, TENANT, { datasetId, anchors: { method: "random", size: 2 }, engine: "fake", callbackUrl: "https://internal.corp/x" }),
    ).rejects.toThrow(/private/);
  });

  it("should run K-Means anchors through the engine's embeddings", async () => {
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }));
    const datasetId = await seedDataset(h, makeExamples(30));
    const { manifest } = await createNuggetsJob(h.deps, TENANT, { datasetId, anchors: { method: "kmeans", k: 5, seed: 0 }, engine: "fake" });
    await h.drain();
    const { readSummary } = await import("../../../shared/nuggets/jobs/results.js");
    expect((await readSummary(h.deps, TENANT, manifest.jobId)).anchors).toBe(5);
  });

  it("should embed a large K-Means pool across several invocations, checkpointing the embeddings", async () => {
    const engine = createInstantFakeEngine({ name: "fake" });
    const h = makeHarness(engine, { checkpointSafetyMs: 0 });
    const datasetId = await seedDataset(h, makeExamples(1200)); // three chunks of 512
    const { manifest } = await createNuggetsJob(h.deps, TENANT, { datasetId, anchors: { method: "kmeans", k: 4, seed: 0 }, engine: "fake", shardSize: 600 });
    // Every prepare invocation has no time left after its first chunk.
    const prepares = async () => {
      let n = 0;
      while (h.queue.pending[0]?.message.type === "prepare") {
        n++;
        await h.drain({ limit: 1, remainingTimeMs: () => 0 });
      }
      return n;
    };
    expect(await prepares()).toBe(3); // one chunk per invocation; the third also clusters and finishes
    const chunks: string[] = [];
    for await (const o of h.store.list(`t/${TENANT}/jobs/${manifest.jobId}/prepare/embeddings/`)) chunks.push(o.key);
    expect(chunks).toHaveLength(3);
    await h.drain();
    expect((await getNuggetsJobStatus(h.deps, TENANT, manifest.jobId)).status).toBe("completed");
  });
});

describe("callback URL policy", () => {
  const lookup = async (host: string) =>
    host === "example.com" ? [{ address: "93.184.215.14", family: 4 }] : [{ address: "127.0.0.1", family: 4 }];

  it.each([
    ["http://127.0.0.1/hook", /https/],
    ["https://127.0.0.1/hook", /loopback/],
    ["http://10.1.2.3/hook", /https/],
    ["https://10.1.2.3/hook", /private/],
    ["https://[::1]/hook", /loopback/],
    ["https://169.254.169.254/latest/meta-data", /private|link-local/],
    ["https://[::ffff:169.254.169.254]/", /private|link-local/],
    ["https://[fd00::1]/", /private/],
    ["https://user:pw@example.com/", /credentials/],
    ["https://localhost/", /loopback/],
  ])("should reject %s", (url, reason) => {
    const verdict = checkCallbackUrl(url);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
  });

  it("should accept https://example.com and reject a host that resolves to loopback", async () => {
    const allowed = await assertCallbackUrlAllowed("https://example.com/hook", {}, lookup);
    expect(allowed.url).toBeInstanceOf(URL);
    // The address the POST will connect to is the one that was checked.
    expect(allowed.address.address).toBe((await lookup("example.com"))[0]!.address);
    await expect(assertCallbackUrlAllowed("https://sneaky.example.net/hook", {}, lookup)).rejects.toThrow(/loopback/);
  });

  it("should allow http and loopback only in the local stack", () => {
    expect(checkCallbackUrl("http://127.0.0.1:8080/hook", { allowLoopback: true }).ok).toBe(true);
    expect(checkCallbackUrl("http://10.0.0.1/hook", { allowLoopback: true }).ok).toBe(false);
    expect(addressProblem("8.8.8.8")).toBeNull();
  });
});

describe("ranges, covers and shard sizing", () => {
  it("should merge overlapping pieces and find what is left", () => {
    expect(mergeRanges([{ from: 5, to: 8 }, { from: 0, to: 5 }, { from: 6, to: 7 }])).toEqual([{ from: 0, to: 8 }]);
    expect(uncoveredRanges({ from: 0, to: 10 }, [{ from: 2, to: 4 }, { from: 3, to: 6 }])).toEqual([
      { from: 0, to: 2 },
      { from: 6, to: 10 },
    ]);
  });

  it("should cover a range once from overlapping pieces, taking the piece that reaches furthest", () => {
    const pieces = [
      { key: "a", from: 0, to: 4 },
      { key: "b", from: 0, to: 6 },
      { key: "c", from: 5, to: 10 },
      { key: "d", from: 12, to: 15 },
    ];
    expect(coverOf({ from: 0, to: 15 }, pieces)).toEqual([
      { key: "b", from: 0, to: 6, skip: 0 },
      { key: "c", from: 6, to: 10, skip: 1 },
      { key: "d", from: 12, to: 15, skip: 0 },
    ]);
  });

  it("should size shards for the target duration, split small jobs, and clamp", () => {
    // 100 anchors at 110 pairs/s: 1.1 candidates/s, 300 s a shard.
    expect(chooseShardSize({ units: 52_002, unitsPerSecond: 1.1, targetSeconds: 300, minShards: 8 })).toBe(330);
    expect(chooseShardSize({ units: 52_002, unitsPerSecond: 0.001, targetSeconds: 300, minShards: 8 })).toBe(1);
    expect(chooseShardSize({ units: 1e9, unitsPerSecond: 1e6, targetSeconds: 300, minShards: 8 })).toBe(10_000);
    expect(chooseShardSize({ units: 30, unitsPerSecond: 100, targetSeconds: 300, minShards: 8 })).toBe(4);
  });
});
