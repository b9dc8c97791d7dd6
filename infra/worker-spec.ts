/**
 * What a queue-fed worker is, as data. Adding a worker (SirLLM, MTI) is one more entry in {@link DEFAULT_WORKERS};
 * the stack turns each entry into a queue, its DLQ, the function, the event source and the DLQ alarm.
 *
 * Everything here is plain data and pure functions so it can be checked without synthesising a stack.
 */

/** The Lambda ceiling: a worker can never run longer than this. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 15 * 60;

/** SQS caps a message's visibility timeout at 12 hours. */
export const SQS_MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

/**
 * AWS's advice for Lambda-on-SQS: the queue's visibility timeout is at least six times the function timeout (plus the
 * batching window), so a message being retried after throttling is not redelivered while still in flight.
 */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

/** One queue-fed worker. */
export interface WorkerSpec {
  /** Short lowercase name (`nuggets`): used in construct ids, the env var naming its queue, and log service names. */
  readonly name: string;
  /** The entry file, absolute or relative to the repository root. */
  readonly entry: string;
  /** Function timeout in seconds (≤ 900). */
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Messages per invocation (1–10; more would need a batching window). */
  readonly batchSize: number;
  /** Seconds SQS waits to fill a batch before invoking; counted into the visibility timeout. */
  readonly maxBatchingWindowSeconds?: number;
  /** Receives before a message goes to the DLQ. */
  readonly maxReceiveCount: number;
  /** Event source `maxConcurrency` (2–1000): how many invocations the queue may drive at once. */
  readonly maxConcurrency: number;
  /**
   * Reserved concurrency for the function. Left unset by default: reserving eats into the account's unreserved pool,
   * and a fresh account (limit 10) refuses the deployment outright.
   */
  readonly reservedConcurrency?: number;
  /** Names of worker queues this worker may send to (its own name when it re-enqueues a remainder). */
  readonly enqueuesTo?: readonly string[];
}

/**
 * The workers this stack deploys.
 *
 * NUGGETS (and MTI-Bench): one message is one shard; a shard can take most of the 15-minute ceiling against a GPU endpoint, so the
 * batch size is 1 (a second shard in the same invocation would share the one deadline) and the shard checkpoints and
 * re-enqueues its remainder onto its own queue.
 */
export const DEFAULT_WORKERS: readonly WorkerSpec[] = [
  {
    name: "nuggets",
    entry: "functions/nuggets-worker.ts",
    timeoutSeconds: LAMBDA_MAX_TIMEOUT_SECONDS,
    memoryMb: 1024,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 50,
    enqueuesTo: ["nuggets"],
  },
  // MTI-Bench: one message is one shard of units (a unit is 1–3 generations); the same deadline checkpointing as
  // NUGGETS, fewer concurrent invocations since each unit holds a generation endpoint longer.
  {
    name: "mti",
    entry: "functions/mti-worker.ts",
    timeoutSeconds: LAMBDA_MAX_TIMEOUT_SECONDS,
    memoryMb: 1024,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 20,
    enqueuesTo: ["mti"],
  },
  // SirLLM evaluations: one message is one shard of units (a unit is a whole dialogue, episode or RPS player under one
  // memory policy: up to 2,000 turns); the name is the kind's (`sirllm-eval`), which is also its queue's.
  {
    name: "sirllm-eval",
    entry: "functions/sirllm-worker.ts",
    timeoutSeconds: LAMBDA_MAX_TIMEOUT_SECONDS,
    memoryMb: 1024,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 20,
    enqueuesTo: ["sirllm-eval"],
  },
];

/**
 * The queue visibility timeout a worker needs: 6 × its timeout plus its batching window.
 *
 * @example
 * queueVisibilitySeconds({ timeoutSeconds: 900, ... }) // 5400 (90 minutes)
 */
export function queueVisibilitySeconds(spec: Pick<WorkerSpec, "timeoutSeconds" | "maxBatchingWindowSeconds">): number {
  return VISIBILITY_TO_TIMEOUT_RATIO * spec.timeoutSeconds + (spec.maxBatchingWindowSeconds ?? 0);
}

/**
 * The environment variable holding a worker queue's URL: `nuggets` → `NUGGETS_QUEUE_URL`. The API gets one per
 * worker; a worker gets one per queue it may send to.
 */
export function queueUrlEnvName(workerName: string): string {
  return `${workerName.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_QUEUE_URL`;
}

/** The construct-id form of a worker name: `nuggets` → `Nuggets`, `sir-llm` → `SirLlm`. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}

/**
 * Every problem with a list of worker specs, as readable sentences (empty when the list is sound). The stack refuses
 * to synthesise a list with problems, so a bad entry fails at `cdk synth`, not at deploy time.
 */
export function workerSpecProblems(specs: readonly WorkerSpec[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const s of specs) {
    const at = `worker '${s.name}'`;
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(s.name)) problems.push(`${at}: name must be lowercase letters, digits or '-'`);
    if (names.has(s.name)) problems.push(`${at}: declared twice`);
    names.add(s.name);
    if (!Number.isInteger(s.timeoutSeconds) || s.timeoutSeconds < 1 || s.timeoutSeconds > LAMBDA_MAX_TIMEOUT_SECONDS) {
      problems.push(`${at}: timeoutSeconds must be an integer in 1..${LAMBDA_MAX_TIMEOUT_SECONDS}`);
    }
    if (queueVisibilitySeconds(s) > SQS_MAX_VISIBILITY_SECONDS) {
      problems.push(`${at}: 6 × timeout + batching window exceeds SQS's ${SQS_MAX_VISIBILITY_SECONDS} s visibility cap`);
    }
    if (!Number.isInteger(s.memoryMb) || s.memoryMb < 128 || s.memoryMb > 10_240) {
      problems.push(`${at}: memoryMb must be an integer in 128..10240`);
    }
    if (!Number.isInteger(s.batchSize) || s.batchSize < 1 || s.batchSize > 10) {
      problems.push(`${at}: batchSize must be an integer in 1..10`);
    }
    const window = s.maxBatchingWindowSeconds ?? 0;
    if (!Number.isInteger(window) || window < 0 || window > 300) {
      problems.push(`${at}: maxBatchingWindowSeconds must be an integer in 0..300`);
    }
    if (!Number.isInteger(s.maxReceiveCount) || s.maxReceiveCount < 1 || s.maxReceiveCount > 1000) {
      problems.push(`${at}: maxReceiveCount must be an integer in 1..1000`);
    }
    if (!Number.isInteger(s.maxConcurrency) || s.maxConcurrency < 2 || s.maxConcurrency > 1000) {
      problems.push(`${at}: maxConcurrency must be an integer in 2..1000 (the SQS event source's limits)`);
    }
    if (s.reservedConcurrency !== undefined) {
      if (!Number.isInteger(s.reservedConcurrency) || s.reservedConcurrency < 1) {
        problems.push(`${at}: reservedConcurrency must be a positive integer`);
      } else if (s.maxConcurrency > s.reservedConcurrency) {
        // The event source would keep invoking past the reservation and every extra invocation is throttled.
        problems.push(`${at}: maxConcurrency (${s.maxConcurrency}) exceeds reservedConcurrency (${s.reservedConcurrency})`);
      }
    }
  }
  for (const s of specs) {
    for (const target of s.enqueuesTo ?? []) {
      if (!names.has(target)) problems.push(`worker '${s.name}': enqueuesTo names unknown worker '${target}'`);
    }
  }
  return problems;
}
