/**
 * Test wiring for the job kernel: an in-memory queue with SQS's at-least-once behaviour (failed messages come back
 * and are dead-lettered after maxReceiveCount), the memory object store and a recording HTTP port.
 */
import type { JobMessage } from "../../schemas/jobs.js";
import type { Engine } from "../../shared/engines/engine.js";
import { EngineRegistry } from "../../shared/engines/registry.js";
import { handleJobMessage } from "../../shared/jobs/handle-message.js";
import type { AnyJobKind } from "../../shared/jobs/job-kind.js";
import { JobKinds } from "../../shared/jobs/job-kinds.js";
import type { JobDeps, JobOptions, JobQueue } from "../../shared/jobs/ports.js";
import { MemoryObjectStore } from "../../shared/store/memory-object-store.js";

export const TENANT = "acme";
export const SECRET = "whsec_test_secret";

interface Pending {
  message: JobMessage;
  receiveCount: number;
}

/** How a consumer sees time and receive limits. */
export interface DrainOptions {
  maxReceiveCount?: number;
  remainingTimeMs?: () => number;
  /** Stop after this many deliveries (to interleave other actions). */
  limit?: number;
  /** Deliveries handled at once (a worker pool). Default 1. */
  concurrency?: number;
}

/** An in-memory queue with SQS's at-least-once behaviour. Delays are ignored: the next drain delivers everything. */
export class MemoryJobQueue implements JobQueue {
  readonly pending: Pending[] = [];
  readonly dlq: JobMessage[] = [];
  /** Every message handled successfully, in order (to redeliver them all again). */
  readonly handled: JobMessage[] = [];
  sent = 0;
  /** Make the next `send` calls throw (a queue outage). */
  failSends = 0;

  async send(messages: readonly JobMessage[]): Promise<void> {
    if (this.failSends > 0) {
      this.failSends--;
      throw new Error("queue unavailable");
    }
    for (const message of messages) this.pending.push({ message: structuredClone(message), receiveCount: 0 });
    this.sent += messages.length;
  }

  /** Delivers messages until the queue is empty; failures go back to the end of the queue. */
  async drain(deps: JobDeps, kinds: JobKinds, opts: DrainOptions = {}): Promise<number> {
    const max = opts.maxReceiveCount ?? 5;
    let deliveries = 0;
    const worker = async () => {
      while (this.pending.length > 0 && (opts.limit === undefined || deliveries < opts.limit)) {
        const item = this.pending.shift()!;
        item.receiveCount++;
        deliveries++;
        try {
          await handleJobMessage(deps, kinds, item.message, {
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
    };
    await Promise.all(Array.from({ length: opts.concurrency ?? 1 }, worker));
    return deliveries;
  }
}

/** A recorded callback POST. */
export interface PostedCallback {
  url: string;
  headers: Record<string, string>;
  body: string;
  address: { address: string; family: number } | undefined;
}

/** Everything a test needs, wired. */
export interface Harness {
  deps: JobDeps;
  kinds: JobKinds;
  store: MemoryObjectStore;
  queue: MemoryJobQueue;
  posts: PostedCallback[];
  /** Status codes the callback receiver answers with, in turn (then 200). */
  callbackStatuses: number[];
  drain(opts?: DrainOptions): Promise<number>;
}

export function makeHarness(kinds: readonly AnyJobKind[], engines: readonly Engine[] = [], options: JobOptions = {}, extra: Partial<JobDeps> = {}): Harness {
  const store = extra.store instanceof MemoryObjectStore ? extra.store : new MemoryObjectStore();
  const queue = new MemoryJobQueue();
  const registry = EngineRegistry.fromConfigs([]);
  for (const engine of engines) registry.register(engine);
  const posts: PostedCallback[] = [];
  const callbackStatuses: number[] = [];
  const deps: JobDeps = {
    store,
    queue,
    engines: registry,
    secrets: { callbackSecret: async (tenant) => (tenant === TENANT ? SECRET : "other") },
    http: async (url, init) => {
      posts.push({ url, headers: init.headers, body: init.body, address: init.address });
      return { status: callbackStatuses.shift() ?? 200 };
    },
    lookup: async (host) => (host === "hooks.example.com" ? [{ address: "93.184.215.14", family: 4 }] : [{ address: "10.0.0.5", family: 4 }]),
    sleep: async () => {},
    options: { stopCheckMs: 0, stopGraceSeconds: 0, callbackBaseDelayMs: 0, ...options },
    ...extra,
  };
  const jobKinds = new JobKinds(kinds);
  return { deps, kinds: jobKinds, store, queue, posts, callbackStatuses, drain: (opts) => queue.drain(deps, jobKinds, opts) };
}

/** Every stored object's bytes under a prefix, by key. */
export async function snapshot(store: MemoryObjectStore, prefix = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const info of store.list(prefix)) out.set(info.key, Buffer.from((await store.getBytes(info.key)).body).toString("utf8"));
  return out;
}
