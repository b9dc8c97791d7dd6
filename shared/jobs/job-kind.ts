/**
 * A job kind: what a method (NUGGETS, a SirLLM evaluation, an MTI-Bench sweep) tells the kernel. The kind owns its
 * request, how it prepares, how one unit is processed and how the ordered unit lines become a summary and report
 * files; the kernel owns everything else (ids, keys, shards, pieces, progress, checkpoints, failures, status, cancel,
 * retry, callbacks, routes). See README "Adding a job kind".
 */
import type { z } from "zod";
import type { EngineStats } from "../../schemas/engines.js";
import type { Counts, JobManifest, JobPrepared, JobRequestCommon, JobStop } from "../../schemas/jobs.js";
import type { JobDeps } from "./ports.js";

/** What a kind resolved when it accepted a request. */
export interface AcceptedJob<Spec> {
  /** Stored in the manifest; read back through the kind's `specSchema`. */
  readonly spec: Spec;
  /** Units the job will have, when known at submission (status shows it before prepare). */
  readonly unitsHint: number | null;
  /** Throughput is measured per kind and this key: the engine a unit calls (or a stable join of several). */
  readonly costKey: string;
  /** The model(s) behind `costKey`, so a measurement on another model is not reused. */
  readonly model: string;
  /** Units per second assumed before anything was measured for (kind, costKey). */
  readonly assumedUnitsPerSecond: number;
}

/** A job as a kind sees it before it is prepared. */
export interface JobView<Request, Spec> {
  readonly tenant: string;
  readonly jobId: string;
  readonly manifest: JobManifest;
  readonly request: Request;
  readonly spec: Spec;
}

/** A prepared job: the unit count and the kind's prepared context are fixed. */
export interface PreparedJobView<Request, Spec, Prep> extends JobView<Request, Spec> {
  readonly prepared: JobPrepared;
  readonly context: Prep;
}

/** What prepare may use besides the kernel's deps. */
export interface StageContext {
  /** Milliseconds before the invocation is killed. */
  remainingTimeMs(): number;
  /** A key under the job for the kind's own checkpoints (`prepare/{name}`), written create-once by the kind. */
  scratchKey(name: string): string;
  /** The prefix of {@link scratchKey}'s keys, for listing them. */
  readonly scratchPrefix: string;
}

/** Prepare either finished (the unit count and context are fixed) or stored a checkpoint and wants to run again. */
export type PrepareOutcome<Prep> =
  | { readonly status: "done"; readonly units: number; readonly context: Prep }
  | { readonly status: "continue"; readonly progress?: string };

/** One unit's result: its line (one line of the kind's results file) and how it went. */
export interface UnitResult {
  /** JSON, no newline; the kernel stores it verbatim in a piece and copies it verbatim into the results file. */
  readonly line: string;
  /** Counted per job (`scored`, `skipped`, …). `error` is reserved for error lines. */
  readonly outcome: string;
  /** Work counters, summed per piece (NUGGETS: `pairs`, `tokens`). */
  readonly work?: Counts;
}

/** Facts about the whole job the kernel knows when it aggregates. */
export interface AggregateFacts {
  /** True when the job stopped (cancel, unit errors) and only some units have lines. */
  readonly partial: boolean;
  readonly stop: JobStop | null;
  readonly units: number;
  /** Units with a line in the results. */
  readonly unitsCovered: number;
  readonly outcomes: Counts;
  readonly work: Counts;
  readonly preparedAt: string;
  /** The latest piece's time (taken from the pieces, never the clock, so a re-run writes the same bytes). */
  readonly finishedAt: string;
  /** Sum over pieces of the time spent processing units. */
  readonly processingMs: number;
}

/** A report file the kind writes beside its results (`results/{name}`). */
export interface ResultFile {
  readonly name: string;
  readonly contentType: string;
  readonly body: string | Uint8Array;
}

/** Receives every covered unit's line in unit order, once; must hold bounded state. */
export interface Aggregator<Summary> {
  add(line: string, index: number): void | Promise<void>;
  finish(facts: AggregateFacts): Promise<{ summary: Summary; files?: readonly ResultFile[] }>;
}

/** A unit error as a line records it. */
export interface UnitErrorInfo {
  readonly code: string;
  readonly message: string;
}

/**
 * The kind contract. `Request` is the kind's validated request (it must include the kernel's common fields, see
 * `jobRequestCommonFields`); `Spec` what it resolved at submission; `Prep` its prepared context; `Ctx` what a shard
 * needs in memory (loaded once per container and job); `Summary` its `results/summary.json`.
 */
export interface JobKind<Request extends JobRequestCommon = JobRequestCommon, Spec = unknown, Prep = unknown, Ctx = unknown, Summary = unknown> {
  /** Lowercase name: the queue, the routes (`/v1/{name}/…` if the kind has its own) and the registry key. */
  readonly name: string;
  /** Job id prefix, e.g. `nj` → `nj_…`. Unique per kind. */
  readonly idPrefix: string;
  readonly title: string;
  readonly requestSchema: z.ZodType<Request>;
  readonly specSchema: z.ZodType<Spec>;
  readonly preparedSchema: z.ZodType<Prep>;
  readonly summarySchema: z.ZodType<Summary>;
  /** The results file of unit lines, in unit order (NUGGETS: `scores.jsonl`). */
  readonly linesFile: string;
  /** Error lines a job may have before it fails, when the request does not say. */
  readonly defaultMaxUnitErrors: number;
  /** Units processed at once inside a shard (several requests in flight to a remote engine). Default 1. */
  readonly unitConcurrency?: number;

  /** Checks the request against what exists (engines, datasets; 400/404 with what is wrong). Stores nothing. */
  accept(deps: JobDeps, tenant: string, request: Request): Promise<AcceptedJob<Spec>>;
  /** The dry run's kind-specific answer (costs, counts). Stores nothing. */
  plan?(deps: JobDeps, tenant: string, request: Request, accepted: AcceptedJob<Spec>): Promise<Record<string, unknown>>;
  /** Idempotent: may run several times, in several invocations (return `continue` after storing a checkpoint). */
  prepare(deps: JobDeps, job: JobView<Request, Spec>, stage: StageContext): Promise<PrepareOutcome<Prep>>;
  /** What processing units needs in memory; the kernel caches it per container and job. */
  loadContext(deps: JobDeps, job: PreparedJobView<Request, Spec, Prep>): Promise<Ctx>;
  /**
   * Processes one unit. Throw to fail it: an error a retry cannot fix (a 4xx AssayError, a non-retryable engine
   * error, a `UnitError`) becomes an error line; anything else is retried with the whole message.
   */
  processUnit(ctx: Ctx, index: number): Promise<UnitResult>;
  /** The error line for a unit that cannot succeed. */
  errorLine(job: PreparedJobView<Request, Spec, Prep>, index: number, error: UnitErrorInfo): string;
  /** A fresh aggregator for the job's ordered lines. */
  aggregator(deps: JobDeps, job: PreparedJobView<Request, Spec, Prep>, facts: { partial: boolean }): Promise<Aggregator<Summary>>;
  /**
   * The engine's replica statistics, when the kind's units call one engine that reports them: the kernel records
   * what each replica did per piece, and status shows throughput per replica.
   */
  engineStats?(ctx: Ctx): EngineStats | null;
  /** The callback's JSON body for a finished job (deterministic for a given summary). */
  callbackBody?(job: PreparedJobView<Request, Spec, Prep>, summary: Summary, status: string): Record<string, unknown>;
}

/** Any kind, for the registry and the kernel's plumbing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobKind = JobKind<any, any, any, any, any>;
