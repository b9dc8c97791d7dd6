/**
 * What the job kernel needs from the outside world. Everything is passed in, so the same code runs on Lambda (S3,
 * SQS, remote engines), in the local stack (the emulator, the embedded engine) and in tests (memory).
 */
import type { LookupAddress } from "node:dns";
import type { EngineDescriptor } from "../../schemas/engines.js";
import type { JobMessage } from "../../schemas/jobs.js";
import type { Engine } from "../engines/engine.js";
import type { Log } from "../observability/log.js";
import { noMetrics, type JobMetrics } from "../observability/metrics.js";
import type { ObjectStore } from "../store/object-store.js";

/** Sends job messages (the SQS adapter routes each to its kind's queue, ≤ 10 per call). Delivery is at least once. */
export interface JobQueue {
  send(messages: readonly JobMessage[], options?: { delaySeconds?: number }): Promise<void>;
  /**
   * Makes a received message visible again at once (SQS: visibility 0), so a message that can only fail again
   * reaches the DLQ after its receives in seconds rather than after that many visibility timeouts.
   */
  redeliverNow?(kind: string, receiptHandle: string): Promise<void>;
}

/** The engine registry as the kernel and the kinds use it (`EngineRegistry` fits). */
export interface EngineLookup {
  /** A 400 ValidationError naming the available engines for an unknown name. */
  describe(name: string): EngineDescriptor;
  get(name: string): Promise<Engine>;
}

/** The tenant's callback signing secret. */
export interface CallbackSecrets {
  callbackSecret(tenant: string): Promise<string>;
}

/** An address a host was resolved to and checked against the callback policy. */
export interface PinnedAddress {
  readonly address: string;
  readonly family: number;
}

/**
 * One HTTP POST; resolves with the status (any status), rejects on a network failure. Must not follow redirects.
 * `address`, when given, is where to connect: the address the URL's host was resolved to and checked, so a DNS answer
 * that changed since the check (DNS rebinding) cannot redirect the POST.
 */
export type HttpPost = (
  url: string,
  init: { headers: Record<string, string>; body: string; address?: PinnedAddress },
) => Promise<{ status: number }>;

/** `dns.lookup(host, {all: true})`. */
export type LookupAll = (hostname: string) => Promise<readonly LookupAddress[]>;

/** The logger methods the kernel uses (Powertools' Logger fits; see `shared/observability/log.ts`). */
export type JobLog = Log;

/** Tunables, all optional. */
export interface JobOptions {
  /** A shard should take about this long at the measured unit cost. Default 300 (5 minutes). */
  readonly targetShardSeconds?: number;
  /** A job is split into at least this many shards (when it has that many units), so progress moves. Default 8. */
  readonly minShards?: number;
  /** Checkpoint when the time left falls under 2 × the slowest unit + this. Default 10 000. */
  readonly checkpointSafetyMs?: number;
  /** Units processed at once inside one shard; overrides the kind's default. */
  readonly unitConcurrency?: number;
  /** A running shard looks for a cancel (or a failed job) at most this often, between units. Default 1000. */
  readonly stopCheckMs?: number;
  /** After a stop, partial results are aggregated this much later, so running shards can store what they have. Default 10. */
  readonly stopGraceSeconds?: number;
  /** Jobs whose context one container keeps. Default 4. */
  readonly contextCacheSize?: number;
  /** Allow http:// and loopback callback URLs (the local stack only). Default false. */
  readonly allowLoopbackCallbacks?: boolean;
  /** Callback POST attempts inside one handler call. Default 3. */
  readonly callbackAttempts?: number;
  /** First backoff between callback attempts (exponential, decorrelated jitter, ≤ 5 s). Default 250. */
  readonly callbackBaseDelayMs?: number;
  /** A claimed callback another worker may take over after this long. Default 120 000. */
  readonly callbackLeaseMs?: number;
  /** Compare-and-swap attempts on a progress block before the message is retried. Default 30. */
  readonly progressAttempts?: number;
}

/** Everything the kernel's functions take. */
export interface JobDeps {
  readonly store: ObjectStore;
  readonly queue: JobQueue;
  readonly engines: EngineLookup;
  readonly secrets?: CallbackSecrets;
  readonly http?: HttpPost;
  readonly lookup?: LookupAll;
  readonly now?: () => Date;
  /** Milliseconds since an arbitrary origin, for measuring durations. Default `performance.now`. */
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** A fresh random id suffix (when no idempotency key is given). */
  readonly newJobId?: (prefix: string) => string;
  readonly log?: JobLog;
  /** Units processed and failed, unit duration, queue age, per kind. Default: none. */
  readonly metrics?: JobMetrics;
  readonly options?: JobOptions;
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

export const nowOf = (deps: Pick<JobDeps, "now">): Date => deps.now?.() ?? new Date();
export const clockOf = (deps: Pick<JobDeps, "clock">): number => deps.clock?.() ?? performance.now();
export const sleepOf = (deps: Pick<JobDeps, "sleep">) =>
  deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
export const noLog: JobLog = { debug() {}, info() {}, warn() {}, error() {} };
export const logOf = (deps: Pick<JobDeps, "log">): JobLog => deps.log ?? noLog;
export const metricsOf = (deps: Pick<JobDeps, "metrics">): JobMetrics => deps.metrics ?? noMetrics;
