/**
 * Makes the emulator honour S3 conditional writes (`If-None-Match: *`, `If-Match`), which fauxqs ignores.
 *
 * Every write to an object key (PUT, CompleteMultipartUpload, DELETE) takes a per-key lock before its preconditions
 * are checked and holds it until the response is sent, so a check and the write it guards cannot interleave with
 * another writer's: two concurrent compare-and-swaps really do produce one winner and one 412, as on S3.
 */
import type { FauxqsApp, FauxqsS3Store } from "./fauxqs-internals.js";
import { evaluateWritePreconditions, preconditionErrorXml } from "./write-preconditions.js";

type Query = Record<string, unknown>;

/** Which object writes the hook guards: PUT (not a part upload or rename), multipart completion and DELETE. */
function isGuardedObjectWrite(method: string, key: string, query: Query): boolean {
  if (!key) return false;
  if (method === "PUT") return !("renameObject" in query) && !(query.uploadId && query.partNumber);
  if (method === "POST") return Boolean(query.uploadId);
  if (method === "DELETE") return !query.uploadId;
  return false;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

function currentEtag(store: FauxqsS3Store, bucket: string, key: string): string | null {
  try {
    return store.headObject(bucket, key).etag;
  } catch {
    return null; // NoSuchKey / NoSuchBucket: nothing stored there; the route itself reports a missing bucket.
  }
}

/** Installs the precondition hook on a fauxqs app built over `store`. Call before the app listens. */
export function enforceConditionalWrites(app: FauxqsApp, store: FauxqsS3Store): void {
  const tails = new Map<string, Promise<void>>();
  const releases = new WeakMap<object, () => void>();

  const lock = async (lockKey: string): Promise<() => void> => {
    const previous = tails.get(lockKey) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    tails.set(lockKey, tail);
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (tails.get(lockKey) === tail) tails.delete(lockKey);
    };
  };

  app.addHook("preHandler", async (request, reply) => {
    if (request.routeOptions.url !== "/:bucket/*") return;
    const params = request.params as { bucket: string; "*"?: string };
    const key = params["*"] ?? "";
    const query = (request.query ?? {}) as Query;
    if (!isGuardedObjectWrite(request.method, key, query)) return;

    const release = await lock(`${params.bucket}/${key}`);
    releases.set(request, release);
    const ifMatch = header(request.headers["if-match"]);
    const ifNoneMatch = request.method === "DELETE" ? undefined : header(request.headers["if-none-match"]);
    if (ifMatch === undefined && ifNoneMatch === undefined) return;

    const verdict = evaluateWritePreconditions({
      ifMatch,
      ifNoneMatch,
      currentEtag: currentEtag(store, params.bucket, key),
    });
    if (verdict.ok) return;
    reply
      .status(verdict.status)
      .header("content-type", "application/xml")
      .send(preconditionErrorXml(verdict, `/${params.bucket}/${key}`));
    return reply;
  });

  const unlock = async (request: object) => {
    releases.get(request)?.();
    releases.delete(request);
  };
  app.addHook("onResponse", async (request) => unlock(request));
  app.addHook("onRequestAbort", async (request) => unlock(request));
}
