import { describe, expect, it } from "vitest";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { randomAnchors } from "../../../shared/nuggets/anchors.js";
import { addressProblem, assertCallbackUrlAllowed, checkCallbackUrl } from "../../../shared/jobs/callback-url.js";
import { createNuggetsJob } from "../../../shared/nuggets/jobs/create-job.js";
import { planNuggetsJob } from "../../../shared/nuggets/jobs/plan-job.js";
import { coveredCount, mergeRanges, uncoveredRanges } from "../../../shared/nuggets/jobs/ranges.js";
import { chooseShardSize } from "../../../shared/nuggets/jobs/throughput.js";
import { renderExample } from "../../../shared/nuggets/template.js";
import { makeExamples, makeHarness, seedDataset, snapshot, TENANT } from "./harness.js";

describe("planNuggetsJob (dry run)", () => {
  it("should count pairs and exact tokens, probe the engine, and store nothing", async () => {
    const engine = createInstantFakeEngine({ name: "fake" });
    const h = makeHarness(engine);
    const examples = makeExamples(50);
    const datasetId = await seedDataset(h, examples);
    const before = await snapshot(h);
    const plan = await planNuggetsJob(h.deps, TENANT, {
      datasetId,
      anchors: { method: "random", size: 10, seed: 1 },
      engine: "fake",
      dryRun: true,
    });
    expect(await snapshot(h)).toEqual(before);
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
    await expect(
      planNuggetsJob(tiny.deps, TENANT, { datasetId: tinyDataset, anchors: { method: "random", size: 4, seed: 3 }, engine: "fake", dryRun: true }),
    ).rejects.toThrow(/every candidate would be skipped/);
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
      /not configured/,
    );
    await expect(
      createNuggetsJob(deps, TENANT, { datasetId, anchors: { method: "random", size: 2 }, engine: "fake", callbackUrl: "https://internal.corp/x" }),
    ).rejects.toThrow(/private/);
  });

  it("should run K-Means anchors through the engine's embeddings", async () => {
    const h = makeHarness(createInstantFakeEngine({ name: "fake" }));
    const datasetId = await seedDataset(h, makeExamples(30));
    const { manifest } = await createNuggetsJob(h.deps, TENANT, { datasetId, anchors: { method: "kmeans", k: 5, seed: 0 }, engine: "fake" });
    await h.queue.drain(h.deps);
    const { readSummary } = await import("../../../shared/nuggets/jobs/results.js");
    expect((await readSummary(h.deps, TENANT, manifest.jobId)).anchors).toBe(5);
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

describe("ranges and shard sizing", () => {
  it("should merge overlapping pieces and find what is left", () => {
    expect(mergeRanges([{ from: 5, to: 8 }, { from: 0, to: 5 }, { from: 6, to: 7 }])).toEqual([{ from: 0, to: 8 }]);
    expect(uncoveredRanges({ from: 0, to: 10 }, [{ from: 2, to: 4 }, { from: 3, to: 6 }])).toEqual([
      { from: 0, to: 2 },
      { from: 6, to: 10 },
    ]);
    expect(coveredCount({ from: 10, to: 20 }, [{ from: 0, to: 12 }, { from: 18, to: 30 }])).toBe(4);
  });

  it("should size shards for the target duration, clamped", () => {
    expect(chooseShardSize({ anchors: 100, pairsPerSecond: 110, targetSeconds: 300 })).toBe(330);
    expect(chooseShardSize({ anchors: 1000, pairsPerSecond: 1, targetSeconds: 300 })).toBe(1);
    expect(chooseShardSize({ anchors: 1, pairsPerSecond: 1e6, targetSeconds: 300 })).toBe(10_000);
  });
});
