/**
 * The `shard` message: score a range of candidates against every anchor and store the result as a piece.
 *
 * - Candidates already covered by stored pieces are skipped, so a redelivered message scores nothing twice.
 * - When the invocation nears its deadline (time left < 2 × the slowest candidate so far + a margin) the scored
 *   prefix is stored and the remainder is enqueued as a new message; the handler then returns successfully.
 * - Pieces are written create-once: `exists` means another worker stored the same range, which is fine (scores are
 *   deterministic, and aggregation dedupes by candidate).
 * - Once the shard is covered, if every shard is, `aggregate` is enqueued (several workers may do so; harmless).
 */
import type { NuggetsMessage, NuggetsPieceHeader } from "../../../schemas/nuggets-jobs.js";
import { prepareCandidate } from "../anchor-tokens.js";
import { bosPrefix } from "../prompts.js";
import { scoreCandidate } from "../score-candidate.js";
import { loadJobContext, type JobContext } from "./job-context.js";
import { jobKeys, shardRange, type Range } from "./job-keys.js";
import { coverage, listPieces, pieceBody, pieceLine } from "./pieces.js";
import { clockOf, logOf, nowOf, type MessageContext, type NuggetsJobDeps } from "./ports.js";
import { uncoveredRanges } from "./ranges.js";
import { recordThroughput } from "./throughput.js";

type ShardMessage = Extract<NuggetsMessage, { type: "shard" }>;

/** What one run over a candidate range achieved. */
interface RunResult {
  /** Candidates [range.from, next) are scored and in `lines`. */
  readonly next: number;
  readonly lines: string[];
  readonly pairs: number;
  readonly tokens: number;
  readonly elapsedMs: number;
  readonly error: unknown;
}

/** Handles `{type: "shard"}`. Throws when scoring fails, after storing whatever prefix was scored. */
export async function handleShard(deps: NuggetsJobDeps, message: ShardMessage, ctx: MessageContext): Promise<void> {
  const { store } = deps;
  const { tenant, jobId, shard } = message;
  const keys = jobKeys(tenant, jobId);
  if (await store.head(keys.cancel)) return;
  const job = await loadJobContext(deps, tenant, jobId);
  const whole = shardRange(shard, job.manifest.shardSize, job.manifest.candidates);
  const range = { from: Math.max(message.from, whole.from), to: Math.min(message.to, whole.to) };

  const stored = await listPieces(store, tenant, jobId, shard);
  for (const run of uncoveredRanges(range, stored)) {
    const result = await scoreRun(deps, job, run, ctx);
    if (result.next > run.from) await storePiece(deps, job, shard, run.from, result);
    if (result.error !== null) throw result.error;
    if (result.next < run.to) {
      if (await store.head(keys.cancel)) return;
      await deps.queue.send([{ ...message, from: result.next, to: range.to }]);
      logOf(deps).info("nuggets shard checkpointed", { jobId, shard, scoredTo: result.next, to: range.to });
      return;
    }
  }

  await store.delete(keys.shardFailure(shard));
  const all = await listPieces(store, tenant, jobId);
  if (coverage(job.manifest, all).complete) await deps.queue.send([{ type: "aggregate", tenant, jobId }]);
}

async function storePiece(deps: NuggetsJobDeps, job: JobContext, shard: number, from: number, result: RunResult): Promise<void> {
  const now = nowOf(deps);
  const header: NuggetsPieceHeader = {
    piece: 1,
    shard,
    from,
    to: result.next,
    scoredAt: now.toISOString(),
    elapsedMs: Math.round(result.elapsedMs),
    pairs: result.pairs,
    tokens: result.tokens,
  };
  const key = jobKeys(job.tenant, job.manifest.jobId).piece(shard, from, result.next);
  const outcome = await deps.store.createOnce(key, pieceBody(header, result.lines.slice(0, result.next - from)), {
    contentType: "application/x-ndjson",
  });
  if (outcome.status === "created") {
    await recordThroughput(deps.store, job.tenant, job.engine, result, now).catch((error: unknown) =>
      // A lost throughput sample is not worth failing a shard over.
      logOf(deps).warn("could not record engine throughput", { error: String(error) }),
    );
  }
}

/**
 * Scores candidates of `range` in order with a few in flight, stopping early near the deadline or on the first
 * error. `next` is the end of the contiguous scored prefix.
 */
async function scoreRun(deps: NuggetsJobDeps, job: JobContext, range: Range, ctx: MessageContext): Promise<RunResult> {
  const { engine, anchors, zeroShot, manifest } = job;
  const preset = manifest.preset;
  const tokenize = (t: string) => engine.tokenize(t);
  const bos = bosPrefix(preset.oneShotBos, engine.bosToken).length;
  const safetyMs = deps.options?.checkpointSafetyMs ?? 10_000;
  const lanes = Math.max(1, deps.options?.shardConcurrency ?? 8);
  const lines: string[] = new Array(range.to - range.from);
  const done: boolean[] = new Array(range.to - range.from).fill(false);
  let launched = range.from;
  let started = 0;
  let slowestMs = 0;
  let stop = false;
  let error: unknown = null;
  let pairs = 0;
  let tokens = 0;
  const t0 = clockOf(deps);

  const lane = async (): Promise<void> => {
    while (!stop && launched < range.to) {
      // Always score at least one candidate, or a too-short deadline would re-enqueue the same range forever.
      if (started > 0 && ctx.remainingTimeMs() < 2 * slowestMs + safetyMs) {
        stop = true;
        return;
      }
      const index = launched++;
      started++;
      const begin = clockOf(deps);
      try {
        const example = job.examples[index]!;
        const candidateTokens = await prepareCandidate(example, tokenize);
        const record = await scoreCandidate({ index, candidateTokens, anchors, zeroShot, engine, preset });
        lines[index - range.from] = pieceLine(record);
        done[index - range.from] = true;
        if (record.status === "scored") {
          pairs += anchors.length;
          tokens += anchors.length * (bos + candidateTokens.length) + job.anchorTokens;
        }
      } catch (e) {
        if (error === null) error = e;
        stop = true;
        return;
      }
      slowestMs = Math.max(slowestMs, clockOf(deps) - begin);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  let next = range.from;
  while (next < launched && done[next - range.from]) next++;
  return { next, lines, pairs, tokens, elapsedMs: clockOf(deps) - t0, error };
}
