/**
 * One entry point for every NUGGETS queue message. A failure is recorded under `failures/` (attempts = receive
 * count; `final` once the queue will dead-letter it) and rethrown, so the message is retried and the job shows it.
 */
import {
  ShardFailureSchema,
  StageFailureSchema,
  type NuggetsMessage,
  type ShardFailure,
  type StageFailure,
} from "../../../schemas/nuggets-jobs.js";
import { AssayError } from "../../errors.js";
import { handleAggregate } from "./aggregate.js";
import { jobKeys } from "./job-keys.js";
import { handlePrepare } from "./prepare.js";
import { logOf, nowOf, type MessageContext, type NuggetsJobDeps } from "./ports.js";
import { handleShard } from "./shard.js";

/**
 * @example
 * await handleNuggetsMessage(deps, { type: "shard", tenant, jobId, shard: 0, from: 0, to: 300 },
 *   { receiveCount: 1, maxReceiveCount: 5, remainingTimeMs: () => context.getRemainingTimeInMillis() });
 */
export async function handleNuggetsMessage(deps: NuggetsJobDeps, message: NuggetsMessage, ctx: MessageContext): Promise<void> {
  try {
    if (message.type === "prepare") await handlePrepare(deps, message.tenant, message.jobId);
    else if (message.type === "shard") await handleShard(deps, message, ctx);
    else await handleAggregate(deps, message.tenant, message.jobId);
    if (message.type !== "shard" && ctx.receiveCount > 1) {
      await deps.store.delete(jobKeys(message.tenant, message.jobId).stageFailure(message.type));
    }
  } catch (error) {
    await recordFailure(deps, message, ctx, error).catch((recordError: unknown) =>
      logOf(deps).error("could not record a NUGGETS failure", { error: String(recordError) }),
    );
    throw error;
  }
}

async function recordFailure(deps: NuggetsJobDeps, message: NuggetsMessage, ctx: MessageContext, error: unknown): Promise<void> {
  const keys = jobKeys(message.tenant, message.jobId);
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
  const log = common.final ? logOf(deps).error : logOf(deps).warn;
  log("nuggets message failed", { jobId: message.jobId, type: message.type, attempts: common.attempts, final: common.final, error: common.error.message });
  if (message.type === "shard") {
    const failure: ShardFailure = { ...common, shard: message.shard };
    await deps.store.putJson(keys.shardFailure(message.shard), failure, ShardFailureSchema);
  } else {
    const failure: StageFailure = { ...common, stage: message.type };
    await deps.store.putJson(keys.stageFailure(message.type), failure, StageFailureSchema);
  }
}
