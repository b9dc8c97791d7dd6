/**
 * One entry point for every job message of every kind. A failure is recorded under `failures/` (attempts = receive
 * count; `final` once the queue will dead-letter it) and rethrown, so the message is retried and the job shows it. A
 * message that succeeds after failing clears its record.
 */
import { ShardFailureSchema, StageFailureSchema, type JobMessage, type ShardFailure, type StageFailure } from "../../schemas/jobs.js";
import { AssayError } from "../errors.js";
import { handleAggregate } from "./aggregate.js";
import type { JobKinds } from "./job-kinds.js";
import { jobKeys } from "./job-keys.js";
import { logOf, metricsOf, nowOf, type JobDeps, type MessageContext } from "./ports.js";
import { handlePrepare } from "./prepare.js";
import { handleShard } from "./process-shard.js";

/**
 * @example
 * await handleJobMessage(deps, kinds, { type: "shard", kind: "nuggets", tenant, jobId, shard: 0, from: 0, to: 300 },
 *   { receiveCount: 1, maxReceiveCount: 5, remainingTimeMs: () => context.getRemainingTimeInMillis() });
 */
export async function handleJobMessage(deps: JobDeps, kinds: JobKinds, message: JobMessage, ctx: MessageContext): Promise<void> {
  const kind = kinds.get(message.kind);
  try {
    if (message.type === "prepare") await handlePrepare(deps, kind, message.tenant, message.jobId, ctx);
    else if (message.type === "shard") await handleShard(deps, kind, message, ctx);
    else await handleAggregate(deps, kind, message.tenant, message.jobId);
    if (ctx.receiveCount > 1) await deps.store.delete(failureKey(message));
  } catch (error) {
    await recordFailure(deps, message, ctx, error).catch((recordError: unknown) =>
      logOf(deps).error("could not record a job failure", { error: String(recordError) }),
    );
    throw error;
  }
}

function failureKey(message: JobMessage): string {
  const keys = jobKeys(message.tenant, message.jobId);
  return message.type === "shard" ? keys.shardFailure(message.shard) : keys.stageFailure(message.type);
}

async function recordFailure(deps: JobDeps, message: JobMessage, ctx: MessageContext, error: unknown): Promise<void> {
  const common = {
    version: 1 as const,
    attempts: Math.max(1, ctx.receiveCount),
    final: ctx.receiveCount >= ctx.maxReceiveCount,
    error: {
      code: error instanceof AssayError ? error.code : ((error as Error)?.name ?? "error"),
      message: String((error as Error)?.message ?? error).slice(0, 1000),
    },
    at: nowOf(deps).toISOString(),
  };
  metricsOf(deps).count("MessagesFailed", 1, { kind: message.kind });
  const log = common.final ? logOf(deps).error : logOf(deps).warn;
  log(common.final ? "job message failed for the last time; it goes to the DLQ" : "job message failed; it will be retried", {
    jobId: message.jobId,
    kind: message.kind,
    type: message.type,
    ...(message.type === "shard" ? { shard: message.shard } : {}),
    attempts: common.attempts,
    error: common.error.message,
  });
  if (message.type === "shard") {
    const failure: ShardFailure = { ...common, shard: message.shard };
    await deps.store.putJson(failureKey(message), failure, ShardFailureSchema);
  } else {
    const failure: StageFailure = { ...common, stage: message.type };
    await deps.store.putJson(failureKey(message), failure, StageFailureSchema);
  }
}
