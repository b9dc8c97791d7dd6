/**
 * The parts of fauxqs that its package entry does not export.
 *
 * `startFauxqs` always listens on 0.0.0.0 and hides its Fastify app, but assay must bind loopback only and must hook
 * the app to enforce S3 conditional writes. So the emulator assembles the server the way `startFauxqs` does, from
 * fauxqs's own stores and persistence manager, which live in files the package's `exports` map does not list. They
 * are loaded by file URL next to the resolved entry; the interfaces below name only what assay touches and are
 * checked against fauxqs 2.4.1 (pinned in package.json).
 */
import type { buildApp } from "fauxqs";

/** The Fastify app fauxqs builds (typed through fauxqs's own declaration, so assay needs no direct fastify dependency). */
export type FauxqsApp = ReturnType<typeof buildApp>;

/** One stored S3 object as fauxqs keeps it. */
export interface FauxqsS3Object {
  key: string;
  etag: string;
}

/** fauxqs's in-memory S3 state. */
export interface FauxqsS3Store {
  persistence?: unknown;
  headObject(bucket: string, key: string): FauxqsS3Object;
}

/** One fauxqs queue: what assay touches of it. */
export interface FauxqsQueue {
  name: string;
  persistence?: unknown;
  /** Received, not yet deleted messages by receipt handle. */
  inflightMessages: Map<string, unknown>;
  /** 0 makes the message visible again at once. */
  changeVisibility(receiptHandle: string, timeoutSeconds: number): void;
}

/** fauxqs's in-memory SQS state. */
export interface FauxqsSqsStore {
  persistence?: unknown;
  allQueues(): Iterable<FauxqsQueue>;
}

/** fauxqs's in-memory SNS state (unused by assay, but the app needs one). */
export interface FauxqsSnsStore {
  persistence?: unknown;
}

/** fauxqs's SQLite persistence (node:sqlite) for all three stores. */
export interface FauxqsPersistence {
  load(sqs: FauxqsSqsStore, sns: FauxqsSnsStore, s3: FauxqsS3Store): void;
  close(): void;
}

/** The constructors and the app builder, loaded once. */
export interface FauxqsInternals {
  buildApp(options: {
    logger: boolean;
    stores: { sqsStore: FauxqsSqsStore; snsStore: FauxqsSnsStore; s3Store: FauxqsS3Store };
  }): FauxqsApp;
  SqsStore: new () => FauxqsSqsStore;
  SnsStore: new () => FauxqsSnsStore;
  S3Store: new () => FauxqsS3Store;
}

let loaded: Promise<FauxqsInternals> | undefined;

/** Imports a module that sits beside fauxqs's entry file. */
function sibling(path: string): Promise<Record<string, unknown>> {
  return import(new URL(path, import.meta.resolve("fauxqs")).href);
}

/** Loads fauxqs's app builder and stores (cached). */
export function loadFauxqsInternals(): Promise<FauxqsInternals> {
  loaded ??= (async () => {
    const [app, sqs, sns, s3] = await Promise.all([
      import("fauxqs"),
      sibling("./sqs/sqsStore.js"),
      sibling("./sns/snsStore.js"),
      sibling("./s3/s3Store.js"),
    ]);
    return {
      buildApp: app.buildApp as unknown as FauxqsInternals["buildApp"],
      SqsStore: sqs.SqsStore as FauxqsInternals["SqsStore"],
      SnsStore: sns.SnsStore as FauxqsInternals["SnsStore"],
      S3Store: s3.S3Store as FauxqsInternals["S3Store"],
    };
  })();
  return loaded;
}

/** Loads fauxqs's SQLite (`node:sqlite`) persistence manager, needed only when the emulator has a data folder. */
export async function loadFauxqsPersistence(): Promise<new (dataDir: string) => FauxqsPersistence> {
  const persistence = await sibling("./persistence.js");
  return persistence.PersistenceManager as new (dataDir: string) => FauxqsPersistence;
}
