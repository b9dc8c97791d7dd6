/**
 * The `shard` message: process a range of units with the kind and store the lines as a piece.
 *
 * - Units already covered by stored pieces are skipped, so a redelivered message processes nothing twice.
 * - A stopped job (cancel, too many unit errors) is noticed before any unit and between units; what was finished
 *   is stored.
 * - A unit that fails for a reason a retry cannot fix becomes an error line; any other failure stores the finished
 *   prefix and rethrows, so the message is retried (and after its receives, dead-lettered).
 * - Near the deadline (time left < 2 × the slowest unit + a margin) the finished prefix is stored and the remainder
 *   re-enqueued; the handler then returns successfully.
 * - Pieces are written create-once; `exists` means another worker stored the same range, which is fine.
 * - Once the whole shard is covered it is marked complete in its progress block; the shard that completes the job
 *   enqueues `aggregate` (several may; harmless).
 */
import type { EngineStats } from "../../schemas/engines.js";
import type { Counts, JobPrepared, PieceHeader, ReplicaDelta, ShardMessage } from "../../schemas/jobs.js";
import { AssayError, EngineError } from "../errors.js";
import type { AnyJobKind } from "./job-kind.js";
import { loadJob, type LoadedJob } from "./job-context.js";
import { jobKeys, shardRange, type Range } from "./job-keys.js";
import { coverOf, listPieces, pieceBody, readPieceHeader, uncoveredRanges, type PieceInfo } from "./pieces.js";
import { clockOf, logOf, metricsOf, nowOf, type JobDeps, type MessageContext } from "./ports.js";
import { addCounts, markShardComplete, readProgress } from "./progress.js";
import { stopJob, stopWatcher } from "./stop.js";
import { recordThroughput } from "./throughput.js";

/** An error the same unit will meet again: bad input, a refused request, a missing capability. */
export function isPermanent(error: unknown): boolean {
  if (error instanceof EngineError) return !error.retryable;
  return error instanceof AssayError && error.status < 500;
}

/** What one run over a unit range achieved. */
interface RunResult {
  /** Units [range.from, next) are processed and in `lines`. */
  readonly next: number;
  readonly lines: string[];
  readonly outcomes: Counts;
  readonly work: Counts;
  readonly elapsedMs: number;
  /** The first failure a retry may fix (the run stopped there). */
  readonly error: unknown;
  /** The job was stopped while the run was going. */
  readonly stopped: boolean;
  /** What each engine replica did meanwhile, when the kind reports replica statistics. */
  readonly replicas: Record<string, ReplicaDelta> | undefined;
}

/** The change in each replica's counters between two snapshots. */
export function replicaDeltas(before: EngineStats | null, after: EngineStats | null): Record<string, ReplicaDelta> | undefined {
  if (!before || !after) return undefined;
  const old = new Map(before.replicas.map((r) => [r.id, r]));
  const out: Record<string, ReplicaDelta> = {};
  for (const r of after.replicas) {
    const o = old.get(r.id);
    out[r.id] = {
      requests: r.requests - (o?.requests ?? 0),
      failures: r.failures - (o?.failures ?? 0),
      busyMs: Math.max(0, r.busyMs - (o?.busyMs ?? 0)),
      circuit: r.circuit,
    };
  }
  return out;
}

/** Handles `{type: "shard"}`. Throws when processing fails, after storing whatever prefix was finished. */
export async function handleShard(deps: JobDeps, kind: AnyJobKind, message: ShardMessage, ctx: MessageContext): Promise<void> {
  const { store } = deps;
  const { tenant, jobId, shard } = message;
  const keys = jobKeys(tenant, jobId);
  if (await store.head(keys.stop)) return;
  const job = await loadJob(deps, kind, tenant, jobId);
  const prepared = job.view.prepared;
  const whole = shardRange(shard, prepared.shardSize, prepared.units);
  const range = { from: Math.max(message.from, whole.from), to: Math.min(message.to, whole.to) };
  const watcher = stopWatcher(deps, tenant, jobId);

  const pieces: PieceInfo[] = await listPieces(store, tenant, jobId, shard);
  const headers = new Map<string, PieceHeader>();
  let ownErrors = 0;
  for (const run of uncoveredRanges(range, pieces)) {
    const result = await processRun(deps, kind, job, run, ctx, watcher);
    if (result.next > run.from) {
      const stored = await storePiece(deps, kind, job, shard, run.from, result);
      pieces.push(stored.info);
      headers.set(stored.info.key, stored.header);
      const units = result.next - run.from;
      const errors = result.outcomes.error ?? 0;
      metricsOf(deps).count("UnitsProcessed", units - errors, { kind: kind.name });
      if (errors > 0) metricsOf(deps).count("UnitErrors", errors, { kind: kind.name });
      metricsOf(deps).milliseconds("UnitDuration", result.elapsedMs / units, { kind: kind.name });
    }
    ownErrors += result.outcomes.error ?? 0;
    // Past the threshold with work left in this range: stop now. A finished range is completed first (below), so
    // the job's progress counts the errors that stopped it.
    if (ownErrors > job.manifest.maxUnitErrors && result.next < run.to) {
      await stopJob(deps, job.manifest, "unit-errors", unitErrorMessage(ownErrors, job.manifest.maxUnitErrors));
      return;
    }
    if (result.error !== null) throw result.error;
    if (result.stopped) return;
    if (result.next < run.to) {
      await deps.queue.send([{ ...message, from: result.next, to: range.to }]);
      logOf(deps).info("shard checkpointed", { jobId, kind: kind.name, shard, doneTo: result.next, to: range.to });
      return;
    }
  }

  let missing = uncoveredRanges(whole, pieces);
  // Another message holds part of this shard (a retried sub-range): look again now that ours is stored; of two
  // finishing together, the later one sees both pieces.
  if (missing.length > 0 && pieces.length > 0) {
    pieces.splice(0, pieces.length, ...(await listPieces(store, tenant, jobId, shard)));
    missing = uncoveredRanges(whole, pieces);
  }
  if (missing.length > 0) return;
  await completeShard(deps, job, shard, whole, pieces, headers);
}

function unitErrorMessage(errors: number, max: number): string {
  return `${errors} unit${errors === 1 ? "" : "s"} failed for reasons a retry cannot fix (maxUnitErrors ${max}); see the error lines`;
}

/** Marks the shard complete; the shard that completes the job enqueues the aggregation. */
async function completeShard(
  deps: JobDeps,
  job: LoadedJob,
  shard: number,
  whole: Range,
  pieces: readonly PieceInfo[],
  known: Map<string, PieceHeader>,
): Promise<void> {
  const { store } = deps;
  const { tenant, jobId } = job.manifest;
  const prepared: JobPrepared = job.view.prepared;
  let outcomes: Counts = {};
  let work: Counts = {};
  let elapsedMs = 0;
  let lastAt: string | null = null;
  // Counts come from the pieces that cover the shard (overlapping pieces from raced deliveries are counted once
  // each, so the running counts may be approximate then; the summary counts the lines themselves).
  const used = new Set(coverOf(whole, pieces).map((p) => p.key));
  for (const key of used) {
    const header = known.get(key) ?? (await readPieceHeader(store, key));
    outcomes = addCounts(outcomes, header.outcomes);
    work = addCounts(work, header.work);
    elapsedMs += header.elapsedMs;
    if (lastAt === null || header.processedAt > lastAt) lastAt = header.processedAt;
  }
  const mark = await markShardComplete(
    store,
    { tenant, jobId, shards: prepared.shards },
    shard,
    { units: whole.to - whole.from, outcomes, work, elapsedMs, lastAt },
    deps.options?.progressAttempts ?? 30,
  );
  if (mark.newlySet) {
    logOf(deps).info("shard done", {
      jobId,
      kind: job.manifest.kind,
      shard,
      shards: `${mark.block.doneCount}/${mark.block.shards}${prepared.shards > mark.block.shards ? " (this block)" : ""}`,
      units: whole.to - whole.from,
      ...outcomes,
      ms: Math.round(elapsedMs),
    });
  }
  const errors = outcomes.error ?? 0;
  if (errors === 0 && !mark.blockFull) return;
  const progress = errors > 0 || prepared.shards > mark.block.shards ? await readProgress(store, { tenant, jobId, shards: prepared.shards }) : null;
  const jobErrors = progress?.outcomes.error ?? errors;
  if (jobErrors > job.manifest.maxUnitErrors) {
    await stopJob(deps, job.manifest, "unit-errors", unitErrorMessage(jobErrors, job.manifest.maxUnitErrors));
    return;
  }
  const complete = progress ? progress.complete : mark.blockFull;
  if (complete) await deps.queue.send([{ type: "aggregate", kind: job.manifest.kind, tenant, jobId }]);
}

async function storePiece(
  deps: JobDeps,
  kind: AnyJobKind,
  job: LoadedJob,
  shard: number,
  from: number,
  result: RunResult,
): Promise<{ info: PieceInfo; header: PieceHeader }> {
  const now = nowOf(deps);
  const header: PieceHeader = {
    piece: 2,
    shard,
    from,
    to: result.next,
    processedAt: now.toISOString(),
    elapsedMs: Math.round(result.elapsedMs),
    outcomes: result.outcomes,
    work: result.work,
    ...(result.replicas ? { replicas: result.replicas } : {}),
  };
  const { tenant, jobId } = job.manifest;
  const key = jobKeys(tenant, jobId).piece(shard, from, result.next);
  const outcome = await deps.store.createOnce(key, pieceBody(header, result.lines.slice(0, result.next - from)), {
    contentType: "application/x-ndjson",
  });
  if (outcome.status === "created") {
    const sample = { units: result.next - from, work: result.work, elapsedMs: result.elapsedMs, replicas: result.replicas };
    await recordThroughput(deps.store, tenant, kind.name, job.manifest, sample, now).catch((error: unknown) =>
      // A lost throughput sample is not worth failing a shard over.
      logOf(deps).warn("could not record throughput", { error: String(error) }),
    );
  }
  const stored = outcome.status === "created" ? header : await readPieceHeader(deps.store, key);
  return { info: { key, shard, from, to: result.next, lastModified: now }, header: stored };
}

/**
 * Processes units of `range` in order with a few in flight, stopping early near the deadline, on a stop, or on the
 * first failure a retry may fix. `next` is the end of the contiguous finished prefix; the counts are the prefix's.
 */
async function processRun(
  deps: JobDeps,
  kind: AnyJobKind,
  job: LoadedJob,
  range: Range,
  ctx: MessageContext,
  watcher: { stopped(): Promise<boolean> },
): Promise<RunResult> {
  const safetyMs = deps.options?.checkpointSafetyMs ?? 10_000;
  const lanes = Math.max(1, deps.options?.unitConcurrency ?? kind.unitConcurrency ?? 1);
  const size = range.to - range.from;
  const lines: string[] = new Array(size);
  const outcomeOf: string[] = new Array(size);
  const workOf: (Counts | undefined)[] = new Array(size);
  const done: boolean[] = new Array(size).fill(false);
  let launched = range.from;
  let started = 0;
  let slowestMs = 0;
  let halt = false;
  let stopped = false;
  let error: unknown = null;
  const statsOf = () => kind.engineStats?.(job.ctx) ?? null;
  const statsBefore = statsOf();
  const t0 = clockOf(deps);

  const lane = async (): Promise<void> => {
    while (!halt && launched < range.to) {
      if (await watcher.stopped()) {
        halt = stopped = true;
        return;
      }
      if (halt || launched >= range.to) return;
      // Checked after the await and just before claiming a unit, so lanes cannot all pass it at once. Always process
      // at least one unit, or a too-short deadline would re-enqueue the same range forever.
      if (started > 0 && ctx.remainingTimeMs() < 2 * slowestMs + safetyMs) {
        halt = true;
        return;
      }
      const index = launched++;
      started++;
      const begin = clockOf(deps);
      const at = index - range.from;
      try {
        const result = await kind.processUnit(job.ctx, index);
        lines[at] = result.line;
        outcomeOf[at] = result.outcome;
        workOf[at] = result.work;
      } catch (e) {
        if (!isPermanent(e)) {
          if (error === null) error = e;
          halt = true;
          return;
        }
        const info = { code: e instanceof AssayError ? e.code : "error", message: String((e as Error).message ?? e).slice(0, 1000) };
        lines[at] = kind.errorLine(job.view, index, info);
        outcomeOf[at] = "error";
        logOf(deps).warn("unit failed; recorded as an error line", { jobId: job.manifest.jobId, kind: kind.name, unit: index, error: info.message });
      }
      done[at] = true;
      slowestMs = Math.max(slowestMs, clockOf(deps) - begin);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  let next = range.from;
  while (next < launched && done[next - range.from]) next++;
  let outcomes: Counts = {};
  let work: Counts = {};
  for (let i = 0; i < next - range.from; i++) {
    outcomes = addCounts(outcomes, { [outcomeOf[i]!]: 1 });
    if (workOf[i]) work = addCounts(work, workOf[i]!);
  }
  return { next, lines, outcomes, work, elapsedMs: clockOf(deps) - t0, error, stopped, replicas: replicaDeltas(statsBefore, statsOf()) };
}
