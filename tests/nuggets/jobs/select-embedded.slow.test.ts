/**
 * `select` and the one-shot cache on the embedded engine (llama.cpp, stories260K), through the job kernel with a
 * memory store and queue: the acceptance checks on a real model, where sums are not bit-reproducible and
 * near ties happen (about one pair in five on this model). About 4 minutes on 2 cores: `npm run test:slow`.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { createEmbeddedEngine, type EmbeddedEngine } from "../../../shared/engines/embedded/index.js";
import type { Engine } from "../../../shared/engines/engine.js";
import { createJob } from "../../../shared/jobs/create-job.js";
import { jobKeys } from "../../../shared/jobs/job-keys.js";
import { nuggetsKind, readSummary } from "../../../shared/nuggets/jobs/index.js";
import { parseDataset } from "../../../shared/nuggets/dataset.js";
import { makeNuggetsHarness, seedDataset, TENANT, type Harness } from "./harness.js";

const CANDIDATES = 30;
const ANCHORS = 20;
/** stories260K has a 512-token context: anchors cut at 200 tokens, as in the fidelity test. */
const MAX_ANCHOR_TOKENS = 200;

let embedded: EmbeddedEngine;
const counter = { pairs: 0, calls: 0 };
let engine: Engine;
const examples = parseDataset(readFileSync(sharedFile("data/alpaca/alpaca_5000.json"), "utf8")).examples;
const anchorExamples = parseDataset(readFileSync(sharedFile("data/nuggets/alpaca_gpt4_kmeans_100.json"), "utf8")).examples.slice(0, ANCHORS);

beforeAll(async () => {
  embedded = await createEmbeddedEngine({ name: "local", modelPath: sharedFile("models/stories260K.gguf"), threads: 1 });
  // The registry wants an Engine; this one counts the (candidate, anchor) pairs sent to llama.cpp.
  engine = new Proxy(embedded as Engine, {
    get(target, prop, receiver) {
      if (prop === "scoreSuffixes") {
        return async (request: Parameters<Engine["scoreSuffixes"]>[0]) => {
          counter.calls++;
          counter.pairs += request.suffixes.length;
          return target.scoreSuffixes(request);
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}, 60_000);

afterAll(async () => {
  await embedded?.close();
});

async function run(h: Harness, request: Record<string, unknown>): Promise<string> {
  const { manifest } = await createJob(h.deps, nuggetsKind, TENANT, { engine: "local", shardSize: 10, maxAnchorTokens: MAX_ANCHOR_TOKENS, ...request });
  await h.drain();
  expect(h.queue.dlq).toEqual([]);
  return manifest.jobId;
}

async function lines(h: Harness, jobId: string): Promise<Record<string, unknown>[]> {
  return (await scoresText(h, jobId)).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function scoresText(h: Harness, jobId: string): Promise<string> {
  return Buffer.from((await h.store.getBytes(jobKeys(TENANT, jobId).result("scores.jsonl"))).body).toString("utf8");
}

describe("NUGGETS select and reuse on the embedded engine (stories260K, 30 candidates × 20 anchors)", () => {
  let h: Harness;
  let anchors: { method: "dataset"; datasetId: string };
  const pool = examples.slice(0, CANDIDATES);
  /** The exhaustive job over the pool (it also fills the one-shot cache) and the pairs it sent to the engine. */
  let exhaustive: Record<string, unknown>[];
  let exhaustivePairs: number;

  beforeAll(async () => {
    h = makeNuggetsHarness(engine);
    anchors = { method: "dataset", datasetId: await seedDataset(h, anchorExamples) };
    const before = counter.pairs;
    exhaustive = await lines(h, await run(h, { datasetId: await seedDataset(h, pool), anchors, thresholds: [0.5, 0.8] }));
    exhaustivePairs = counter.pairs - before;
  }, 300_000);

  it("select at t = 0.5 and at t = 0.8 gives the exhaustive job's subsets exactly, comparing fewer pairs", async () => {
    const datasetId = await seedDataset(h, pool);
    const scored = exhaustive.filter((l) => l.status === "scored");
    expect(scored.length).toBeGreaterThan(CANDIDATES / 2);
    const gsOver = (t: number) => scored.filter((l) => (l.goldenScore as number) > t).map((l) => l.index);
    expect(gsOver(0.5).length).toBeGreaterThan(0); // a meaningful comparison: some in, some out
    expect(gsOver(0.5).length).toBeLessThan(scored.length);

    for (const t of [0.5, 0.8]) {
      const at = counter.pairs;
      // reuse: false, so the select job's own pairs are counted rather than read from the exhaustive job's.
      const jobId = await run(h, { datasetId, anchors, reuse: false, mode: "select", thresholds: [t] });
      const pairs = counter.pairs - at;
      const sel = await lines(h, jobId);
      const above = sel.filter((l) => l.status === "decided" && (l.decisions as Record<string, string>)[String(t)] === "above").map((l) => l.index);
      expect(above, `t = ${t}`).toEqual(gsOver(t));
      expect(sel.map((l) => l.status)).toEqual(exhaustive.map((l) => (l.status === "scored" ? "decided" : l.status)));
      const summary = await readSummary(h.deps, TENANT, jobId);
      expect(summary.thresholds[0]!.count).toBe(gsOver(t).length);
      expect(pairs).toBeLessThan(exhaustivePairs);
      const uncertain = sel.filter((l) => (l.uncertain as string[] | undefined)?.length).length;
      console.log(`select t=${t}: ${pairs} of ${exhaustivePairs} pairs (${(exhaustivePairs / pairs).toFixed(2)}× fewer), ${above.length} above, ${uncertain} uncertain`);
    }
  }, 300_000);

  it("a second job over the pool plus 10% new examples sends only the new ones to the engine and equals a from-scratch job", async () => {
    const fresh = examples.slice(1000, 1000 + CANDIDATES / 10);
    const grown = [...pool.slice(0, 20), ...fresh, ...pool.slice(20)];
    const grownId = await seedDataset(h, grown);
    const at = { ...counter };
    const second = await run(h, { datasetId: grownId, anchors });
    const freshLines = (await lines(h, second)).slice(20, 20 + fresh.length);
    const expectedCalls = freshLines.filter((l) => l.status === "scored").length; // one call per new candidate that fits
    expect(expectedCalls).toBeGreaterThan(0);
    expect(counter.calls - at.calls).toBe(expectedCalls);
    expect(counter.pairs - at.pairs).toBeLessThanOrEqual(expectedCalls * ANCHORS);
    console.log(`grown pool: ${counter.calls - at.calls} engine calls, ${counter.pairs - at.pairs} pairs for ${fresh.length} new examples`);

    const scratch = await run(h, { datasetId: grownId, anchors, reuse: false });
    expect(await scoresText(h, second)).toBe(await scoresText(h, scratch));
  }, 300_000);
});
