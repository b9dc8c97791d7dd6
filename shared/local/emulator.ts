/**
 * The local AWS stand-in: fauxqs (S3 + SQS) in-process, bound to loopback, with S3 conditional writes enforced.
 *
 * @example
 * const aws = await startLocalAws({ bucket: "assay", queues: [{ name: "work", dlq: { name: "work-dlq", maxReceiveCount: 3 } }] });
 * // … aws.s3, aws.sqs, aws.queueUrls.work …
 * await aws.stop();
 */
import { mkdirSync } from "node:fs";
import { BucketAlreadyOwnedByYou, CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { enforceConditionalWrites } from "./conditional-write-hook.js";
import { takeObjectPutsAsBytes } from "./raw-object-bodies.js";
import { loadFauxqsInternals, loadFauxqsPersistence, type FauxqsPersistence } from "./fauxqs-internals.js";
import { createLocalS3Client, createLocalSqsClient, LOCAL_CREDENTIALS, LOCAL_REGION } from "./local-clients.js";

/** A queue the emulator creates, optionally with a dead-letter queue. */
export interface LocalQueueSpec {
  name: string;
  visibilityTimeoutSeconds?: number;
  dlq?: { name: string; maxReceiveCount: number };
}

/** Options for {@link startLocalAws}. */
export interface LocalAwsOptions {
  /** Address to bind; loopback by default, and it should stay that way (no auth on the emulator). */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** A folder for SQLite persistence; state survives a restart. In memory when absent. */
  dataDir?: string;
  bucket: string;
  queues: LocalQueueSpec[];
  /**
   * With `dataDir`: make messages that were in flight when the last run stopped visible again at once, instead of
   * after their visibility timeout (their consumer died with that run). Default true.
   */
  releaseInflight?: boolean;
}

/** A running emulator and clients for it. */
export interface LocalAws {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  s3: S3Client;
  sqs: SQSClient;
  bucket: string;
  /** Queue URLs by name, DLQs included. */
  queueUrls: Record<string, string>;
  /** Queue ARNs by name, DLQs included (for Lambda-shaped events and redrive policies). */
  queueArns: Record<string, string>;
  stop(): Promise<void>;
}

function endpointFor(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Points a queue URL at this run's endpoint: a persisted queue keeps the URL (and port) of the run that made it. */
function rebase(queueUrl: string, endpoint: string): string {
  const url = new URL(queueUrl);
  return `${endpoint}${url.pathname}`;
}

async function ensureQueue(
  sqs: SQSClient,
  endpoint: string,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  // Created bare, then configured: CreateQueue refuses an existing queue whose attributes differ, and a restart
  // with a changed configuration must still apply it.
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = rebase(created.QueueUrl!, endpoint);
  if (Object.keys(attributes).length > 0) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  }
  const got = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  return { url, arn: got.Attributes!.QueueArn! };
}

/** Starts the emulator, then creates the bucket and the queues (idempotently, so a restart over `dataDir` works). */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const { host = "127.0.0.1", port = 0, dataDir, bucket, queues } = options;
  const fauxqs = await loadFauxqsInternals();

  const sqsStore = new fauxqs.SqsStore();
  const snsStore = new fauxqs.SnsStore();
  const s3Store = new fauxqs.S3Store();
  let persistence: FauxqsPersistence | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    const PersistenceManager = await loadFauxqsPersistence();
    persistence = new PersistenceManager(dataDir);
    // Load before wiring persistence in, as fauxqs does, so restoring rows does not rewrite them.
    persistence.load(sqsStore, snsStore, s3Store);
    sqsStore.persistence = persistence;
    snsStore.persistence = persistence;
    s3Store.persistence = persistence;
    for (const queue of sqsStore.allQueues()) queue.persistence = persistence;
    if (options.releaseInflight ?? true) {
      for (const queue of sqsStore.allQueues()) {
        // A visibility of 1 ms rather than 0: fauxqs 2.4.1's 0 path writes a NULL receive count to its SQLite store,
        // which the table refuses; the timed path persists the message as it should and expires at once.
        for (const handle of [...queue.inflightMessages.keys()]) queue.changeVisibility(handle, 0.001);
      }
    }
  }

  const app = fauxqs.buildApp({ logger: false, stores: { sqsStore, snsStore, s3Store } });
  enforceConditionalWrites(app, s3Store);
  takeObjectPutsAsBytes(app);
  if (persistence) {
    const p = persistence;
    app.addHook("preClose", () => p.close());
  }
  await app.listen({ host, port });
  const address = app.server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  const endpoint = endpointFor(host, boundPort);

  const s3 = createLocalS3Client({ endpoint });
  const sqs = createLocalSqsClient({ endpoint });
  const stop = async () => {
    s3.destroy();
    sqs.destroy();
    await app.close();
  };

  try {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
    }
    const queueUrls: Record<string, string> = {};
    const queueArns: Record<string, string> = {};
    for (const spec of queues) {
      const attributes: Record<string, string> = {};
      if (spec.visibilityTimeoutSeconds !== undefined) {
        attributes.VisibilityTimeout = String(spec.visibilityTimeoutSeconds);
      }
      if (spec.dlq) {
        const dlq = await ensureQueue(sqs, endpoint, spec.dlq.name, {});
        queueUrls[spec.dlq.name] = dlq.url;
        queueArns[spec.dlq.name] = dlq.arn;
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: spec.dlq.maxReceiveCount,
        });
      }
      const queue = await ensureQueue(sqs, endpoint, spec.name, attributes);
      queueUrls[spec.name] = queue.url;
      queueArns[spec.name] = queue.arn;
    }
    return {
      endpoint,
      region: LOCAL_REGION,
      credentials: { ...LOCAL_CREDENTIALS },
      s3,
      sqs,
      bucket,
      queueUrls,
      queueArns,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
