/**
 * Test wiring for NUGGETS jobs: the kernel's harness (memory store, at-least-once memory queue, recording callback
 * port) with the NUGGETS kind and one engine, plus deterministic instruction examples.
 */
import type { NuggetsExample } from "../../../schemas/nuggets.js";
import { storeDataset } from "../../../shared/datasets/dataset-store.js";
import type { Engine } from "../../../shared/engines/engine.js";
import type { JobDeps, JobOptions } from "../../../shared/jobs/ports.js";
import { nuggetsKind } from "../../../shared/nuggets/jobs/nuggets-kind.js";
import { makeHarness, type Harness } from "../../jobs/harness.js";

export { SECRET, snapshot, TENANT, type Harness } from "../../jobs/harness.js";
import { TENANT } from "../../jobs/harness.js";

/** A harness running NUGGETS on `engine` (4 candidates scored at once in a shard). */
export function makeNuggetsHarness(engine: Engine, options: JobOptions = {}, extra: Partial<JobDeps> = {}): Harness {
  return makeHarness([nuggetsKind], [engine], { unitConcurrency: 4, ...options }, extra);
}

/** Deterministic, varied instruction examples. */
export function makeExamples(n: number, salt = ""): NuggetsExample[] {
  const words = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "theta", "zeta", "rho"];
  return Array.from({ length: n }, (_, i) => {
    const w = (k: number) => words[(i * 7 + k * 3) % words.length]!;
    return {
      instruction: `${salt}Item ${i}: list ${w(1)} and ${w(2)}.`,
      ...(i % 3 === 0 ? { input: `${w(3)} ${i % 11}` } : {}),
      output: `${w(4)} ${w(5)} ${i % 13}`.repeat(1 + (i % 3)),
    };
  });
}

export async function seedDataset(h: Harness, examples: readonly NuggetsExample[]): Promise<string> {
  const text = examples.map((e) => JSON.stringify(e)).join("\n");
  return (await storeDataset(h.store, TENANT, text)).meta.id;
}
