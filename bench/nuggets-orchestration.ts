/**
 * Orchestration alone, with the instant fake engine standing in for the model:
 * - (d) in process: `handleNuggetsMessage` over a memory object store and a memory queue drained in order — the
 *   pipeline's own cost per pair (prepare, shards, pieces, aggregate), the figure the ≥ 20,000 pairs/s target is for;
 * - (e) the local stack: the same job over HTTP, the real worker handler polled from the SQS emulator, pieces in the
 *   S3 emulator — what the emulators add (informative: deployed, S3 and SQS are other machines).
 */
import type { JobMessage } from "../schemas/jobs.js";
import type { NuggetsExample } from "../schemas/nuggets.js";
import { storeDataset } from "../shared/datasets/dataset-store.js";
import type { Engine } from "../shared/engines/engine.js";
import { EngineRegistry } from "../shared/engines/registry.js";
import { createJob } from "../shared/jobs/create-job.js";
import { handleJobMessage } from "../shared/jobs/handle-message.js";
import { JobKinds } from "../shared/jobs/job-kinds.js";
import type { JobDeps, JobQueue } from "../shared/jobs/ports.js";
import { nuggetsKind, readSummary } from "../shared/nuggets/jobs/index.js";
import { MemoryObjectStore } from "../shared/store/memory-object-store.js";
import { runPipelineJob, uploadDataset, type CompletionWatch, type StackApi } from "./nuggets-pipeline.js";

/** The size of an orchestration run. */
export interface OrchestrationSize {
  readonly candidates: number;
  readonly anchors: number;
  readonly shardSize: number;
  /** Candidates in flight per shard (the worker's `shardConcurrency`). */
  readonly shardConcurrency: number;
}

/** One timed orchestration run. */
export interface OrchestrationRun {
  readonly pairs: number;
  readonly seconds: number;
  readonly pairsPerSecond: number;
}

/**
 * Short, varied, deterministic instruction examples. Short on purpose: the fake engine still hashes every scored
 * token, and real-length texts would time that stand-in rather than the orchestration around it.
 */
export function syntheticExamples(n: number, salt = ""): NuggetsExample[] {
  const words = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "theta", "zeta", "rho"];
  return Array.from({ length: n }, (_, i) => {
    const w = (k: number) => words[(i * 7 + k * 3) % words.length]!;
    return {
      instruction: `${salt}Item ${i}: list ${w(1)} and ${w(2)}.`,
      ...(i % 3 === 0 ? { input: `${w(3)} ${i % 11}` } : {}),
      output: `${w(4)} ${w(5)} ${i % 13} `.repeat(1 + (i % 3)).trim(),
    };
  });
}

/** A FIFO queue in memory; `drain` hands each message to the handler in turn (no failures are expected here). */
class MemoryQueue implements JobQueue {
  private readonly pending: JobMessage[] = [];

  async send(messages: readonly JobMessage[]): Promise<void> {
    this.pending.push(...messages);
  }

  async drain(handle: (message: JobMessage) => Promise<void>): Promise<void> {
    for (let message = this.pending.shift(); message; message = this.pending.shift()) await handle(message);
  }
}

const TENANT = "bench";

/** (d): one job from `createJob` to the stored summary, in this process. */
export async function orchestrationInProcess(engine: Engine, size: OrchestrationSize): Promise<OrchestrationRun> {
  const store = new MemoryObjectStore();
  const queue = new MemoryQueue();
  const engines = EngineRegistry.fromConfigs([]);
  engines.register(engine);
  const deps: JobDeps = { store, queue, engines, options: { unitConcurrency: size.shardConcurrency } };
  const kinds = new JobKinds([nuggetsKind]);
  const datasetId = (await storeDataset(store, TENANT, syntheticExamples(size.candidates).map((e) => JSON.stringify(e)).join("\n"))).meta.id;
  const ctx = { receiveCount: 1, maxReceiveCount: 5, remainingTimeMs: () => 900_000 };

  const started = performance.now();
  const { manifest } = await createJob(deps, nuggetsKind, TENANT, {
    datasetId,
    anchors: { method: "random", size: size.anchors, seed: 0 },
    engine: engine.name,
    shardSize: size.shardSize,
  });
  await queue.drain((message) => handleJobMessage(deps, kinds, message, ctx));
  const seconds = (performance.now() - started) / 1000;
  const summary = await readSummary(deps, TENANT, manifest.jobId);
  if (summary.scored !== size.candidates) throw new RangeError(`orchestration scored ${summary.scored} of ${size.candidates} candidates`);
  const pairs = size.candidates * size.anchors;
  return { pairs, seconds, pairsPerSecond: pairs / seconds };
}

/** Datasets for (e), uploaded once outside the timing. */
export async function uploadOrchestrationData(api: StackApi, size: OrchestrationSize): Promise<{ datasetId: string }> {
  return { datasetId: await uploadDataset(api, syntheticExamples(size.candidates)) };
}

/** (e): the same job through the local stack's API, queue emulator, worker handler and S3 emulator. */
export async function orchestrationOnStack(
  api: StackApi,
  engineName: string,
  datasetId: string,
  size: OrchestrationSize,
  watch: CompletionWatch,
  anchorSeed = 0,
): Promise<OrchestrationRun & { polls: number }> {
  const started = performance.now();
  const body = {
    datasetId,
    anchorSetId: datasetId,
    engine: engineName,
    preset: "paper" as const,
    maxAnchorTokens: null,
    shardSize: size.shardSize,
  };
  // Random anchors from the candidate pool, so the job needs no second dataset.
  const run = await runPipelineJob(api, body, watch, { method: "random", size: size.anchors, seed: anchorSeed });
  const seconds = (performance.now() - started) / 1000;
  const pairs = size.candidates * size.anchors;
  return { pairs, seconds, pairsPerSecond: pairs / seconds, polls: run.polls };
}
