/**
 * What the NUGGETS job pipeline needs from the outside world. Everything is passed in, so the same code runs on
 * Lambda (S3, SQS, remote engines), in the local stack (the emulator, the embedded engine) and in tests (memory).
 */
import type { LookupAddress } from "node:dns";
import type { EngineDescriptor } from "../../../schemas/engines.js";
import type { NuggetsMessage } from "../../../schemas/nuggets-jobs.js";
import type { Engine } from "../../engines/engine.js";
import type { ObjectStore } from "../../store/object-store.js";

/** Sends job messages (the SQS adapter batches them ≤ 10 per call). Delivery is at least once. */
export interface NuggetsQueue {
  send(messages: readonly NuggetsMessage[]): Promise<void>;
  /**
   * Makes a received message visible again at once (SQS: visibility 0), so a message that can only fail again
   * reaches the DLQ after its receives in seconds rather than after that many visibility timeouts.
   */
  redeliverNow?(receiptHandle: string): Promise<void>;
}

/** The engine registry as the pipeline uses it (`EngineRegistry` fits). */
export interface EngineLookup {
  /** A 400 ValidationError for an unknown name. */
  describe(name: string): EngineDescriptor;
  get(name: string): Promise<Engine>;
}

/** The tenant's callback signing secret. */
export interface CallbackSecrets {
  callbackSecret(tenant: string): Promise<string>;
}

/** One HTTP POST; resolves with the status (any status), rejects on a network failure. Must not follow redirects. */
export type HttpPost = (url: string, init: { headers: Record<string, string>; body: string }) => Promise<{ status: number }>;

/** `dns.lookup(host, {all: true})`. */
export type LookupAll = (hostname: string) => Promise<readonly LookupAddress[]>;

/** The logger methods the pipeline uses (Powertools' Logger fits). */
export interface JobLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Tunables, all optional. */
export interface NuggetsJobOptions {
  /** A shard should take about this long at the engine's throughput. Default 300 (5 minutes). */
  readonly targetShardSeconds?: number;
  /** Checkpoint when the time left falls under 2 × the slowest candidate + this. Default 10 000. */
  readonly checkpointSafetyMs?: number;
  /** Candidates scored at once inside one shard. Default 8. */
  readonly shardConcurrency?: number;
  /** Jobs whose context (dataset, anchors, zero-shot) one container keeps. Default 4. */
  readonly contextCacheSize?: number;
  /** Allow http:// and loopback callback URLs (the local stack only). Default false. */
  readonly allowLoopbackCallbacks?: boolean;
  /** Callback POST attempts inside one handler call. Default 3. */
  readonly callbackAttempts?: number;
  /** A claimed callback another worker may take over after this long. Default 120 000. */
  readonly callbackLeaseMs?: number;
}

/** Everything the pipeline's functions take. */
export interface NuggetsJobDeps {
  readonly store: ObjectStore;
  readonly queue: NuggetsQueue;
  readonly engines: EngineLookup;
  readonly secrets?: CallbackSecrets;
  readonly http?: HttpPost;
  readonly lookup?: LookupAll;
  readonly now?: () => Date;
  /** Milliseconds since an arbitrary origin, for measuring durations. Default `performance.now`. */
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** A fresh random job id (when no idempotency key is given). */
  readonly newJobId?: () => string;
  readonly log?: JobLog;
  readonly options?: NuggetsJobOptions;
}

/** The handler context a queue consumer provides. */
export interface MessageContext {
  /** How many times this message has been received, this time included. */
  readonly receiveCount: number;
  /** Receives after which the queue moves the message to the DLQ. */
  readonly maxReceiveCount: number;
  /** Milliseconds left before the invocation is killed. */
  remainingTimeMs(): number;
}

export const nowOf = (deps: NuggetsJobDeps): Date => deps.now?.() ?? new Date();
export const clockOf = (deps: NuggetsJobDeps): number => deps.clock?.() ?? performance.now();
export const sleepOf = (deps: NuggetsJobDeps) =>
  deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
export const noLog: JobLog = { info() {}, warn() {}, error() {} };
export const logOf = (deps: NuggetsJobDeps): JobLog => deps.log ?? noLog;
