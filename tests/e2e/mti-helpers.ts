/**
 * Shared wiring of the MTI-Bench end-to-end tests: a local stack whose embedded engine (stories260K) has an
 * 8,192-token context (the slice's prompts are 2-6k tokens in its vocabulary), `assay mti run` in a child process,
 * and what redelivery checks need.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetQueueAttributesCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { repoRoot } from "../../shared/config/shared-files.js";
import { localQueueNames, type LocalStack } from "../../shared/dev/stack.js";

const run = promisify(execFile);

/** Runs `assay mti run …` on Node 22 in `cwd`; resolves with the exit code instead of throwing. */
export async function mtiRun(stack: LocalStack, cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(repoRoot, "bin", "assay.js"), "mti", "run", ...args], {
      cwd,
      env: { ...process.env, ASSAY_API_URL: stack.apiUrl, ASSAY_API_KEY: stack.apiKey, GITHUB_STEP_SUMMARY: "", ...env },
      timeout: 1_500_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | null; signal?: string; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw new Error(`assay mti run did not exit (${e.signal ?? "no signal"}): ${e.stderr ?? ""}`);
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** Every stored object's bytes under a prefix, by key. */
export async function snapshot(stack: LocalStack, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const info of stack.store.list(prefix)) out.set(info.key, Buffer.from((await stack.store.getBytes(info.key)).body).toString("utf8"));
  return out;
}

/** Sends every message of a finished sweep once more (prepare, each shard, aggregate) and waits for the queue to drain. */
export async function redeliverSweep(stack: LocalStack, sweepId: string, prepared: { shards: number; shardSize: number; units: number }): Promise<void> {
  const base = { kind: "mti", tenant: "local", jobId: sweepId };
  const messages = [
    { type: "prepare", ...base },
    ...Array.from({ length: prepared.shards }, (_, shard) => ({
      type: "shard",
      ...base,
      shard,
      from: shard * prepared.shardSize,
      to: Math.min(prepared.units, (shard + 1) * prepared.shardSize),
    })),
    { type: "aggregate", ...base },
  ];
  const queueUrl = stack.aws.queueUrls[localQueueNames({ name: "mti" }).queue]!;
  for (let i = 0; i < messages.length; i += 10) {
    await stack.aws.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.slice(i, i + 10).map((m, k) => ({ Id: String(k), MessageBody: JSON.stringify(m) })) }),
    );
  }
  for (let i = 0; i < 6000; i++) {
    const { Attributes } = await stack.aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
    );
    if (Attributes?.ApproximateNumberOfMessages === "0" && Attributes?.ApproximateNumberOfMessagesNotVisible === "0") return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the mti queue never drained");
}
