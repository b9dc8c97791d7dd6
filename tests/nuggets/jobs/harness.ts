/**
 * Test wiring for the NUGGETS job pipeline: an in-memory queue that redelivers failed messages (and dead-letters
 * them after maxReceiveCount, like SQS), the memory object store, the instant fake engine and a recording HTTP port.
 */
import type { NuggetsMessage } from "../../../schemas/nuggets-jobs.js";
import type { NuggetsExample } from "../../../schemas/nuggets.js";
import { storeDataset } from "../../../shared/datasets/dataset-store.js";
import type { Engine } from "../../../shared/engines/engine.js";
import { EngineRegistry } from "../../../shared/engines/registry.js";
import { handleNuggetsMessage } from "../../../shared/nuggets/jobs/handle-message.js";
import type { NuggetsJobDeps, NuggetsJobOptions, NuggetsQueue } from "../../../shared/nuggets/jobs/ports.js";
import { MemoryObjectStore } from "../../../shared/store/memory-object-store.js";

export const TENANT = "acme";
export const SECRET = "whsec_test_secret";

interface Pending {
  message: NuggetsMessage;
  receiveCount: number;
}

/** Drain options: how a consumer sees time and receive limits. */
export interface DrainOptions {
  maxReceiveCount?: number;
  remainingTimeMs?: () => number;
  /** Stop after this many deliveries (to interleave other actions). */
  limit?: number;
}

/** An in-memory queue with SQS's at-least-once behaviour. */
export class MemoryNuggetsQueue implements NuggetsQueue {
  readonly pending: Pending[] = [];
  readonly dlq: NuggetsMessage[] = [];
  /** Every message handled successfully, in order (to redeliver them all again). */
  readonly handled: NuggetsMessage[] = [];
  sent = 0;

  async send(messages: readonly NuggetsMessage[]): Promise<void> {
    for (const message of messages) this.pending.push({ message: structuredClone(message), receiveCount: 0 });
    this.sent += messages.length;
  }

  /** Delivers messages one at a time until the queue is empty; failures go back to the end of the queue. */
  async drain(deps: NuggetsJobDeps, opts: DrainOptions = {}): Promise<number> {
    const max = opts.maxReceiveCount ?? 5;
    let deliveries = 0;
    while (this.pending.length > 0 && (opts.limit === undefined || deliveries < opts.limit)) {
      const item = this.pending.shift()!;
      item.receiveCount++;
      deliveries++;
      try {
        await handleNuggetsMessage(deps, item.message, {
          receiveCount: item.receiveCount,
          maxReceiveCount: max,
          remainingTimeMs: opts.remainingTimeMs ?? (() => 900_000),
        });
        this.handled.push(item.message);
      } catch {
        if (item.receiveCount >= max) this.dlq.push(item.message);
        else this.pending.push(item);
      }
    }
    return deliveries;
  }
}

/** A recorded callback POST. */
export interface PostedCallback {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Everything a test needs, wired. */
export interface Harness {
  deps: NuggetsJobDeps;
  store: MemoryObjectStore;
  queue: MemoryNuggetsQueue;
  posts: PostedCallback[];
  /** Status codes the callback receiver answers with, in turn (then 200). */
  callbackStatuses: number[];
}

export function makeHarness(engine: Engine, options: NuggetsJobOptions = {}, extra: Partial<NuggetsJobDeps> = {}): Harness {
  const store = new MemoryObjectStore();
  const queue = new MemoryNuggetsQueue();
  const engines = EngineRegistry.fromConfigs([]);
  engines.register(engine);
  const posts: PostedCallback[] = [];
  const callbackStatuses: number[] = [];
  const deps: NuggetsJobDeps = {
    store,
    queue,
    engines,
    secrets: { callbackSecret: async (tenant) => (tenant === TENANT ? SECRET : "other") },
    http: async (url, init) => {
      posts.push({ url, headers: init.headers, body: init.body });
      return { status: callbackStatuses.shift() ?? 200 };
    },
    lookup: async (host) => (host === "hooks.example.com" ? [{ address: "93.184.215.14", family: 4 }] : [{ address: "10.0.0.5", family: 4 }]),
    sleep: async () => {},
    options: { shardConcurrency: 4, ...options },
    ...extra,
  };
  return { deps, store, queue, posts, callbackStatuses };
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

/** Every stored object's bytes, by key. */
export async function snapshot(h: Harness): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const info of h.store.list("")) out.set(info.key, Buffer.from((await h.store.getBytes(info.key)).body).toString("utf8"));
  return out;
}
