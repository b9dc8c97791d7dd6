/**
 * Counting object-store requests. On the emulator the S3 client counts what it really sends (a middleware on every
 * command); the memory store is wrapped and charged as S3 would charge: a listing one request per 1000 keys, a
 * streamed write one request per 5 MiB part plus the two that start and finish a multipart upload.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { ObjectStore } from "../../shared/store/object-store.js";

/** Requests by operation name. */
export type RequestCounts = Record<string, number>;

export const totalOf = (counts: RequestCounts): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** Counts every command the client sends, by command name. */
export function countS3Requests(client: S3Client): { counts: RequestCounts; reset(): void } {
  const counts: RequestCounts = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? "unknown").replace(/Command$/, "");
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: "initialize", name: "assayRequestCounter" },
  );
  return { counts, reset: () => Object.keys(counts).forEach((k) => delete counts[k]) };
}

const PAGE = 1000;
const PART = 5 * 1024 * 1024;

/** A memory store that counts the S3 requests each call would make. */
export function countingStore(store: ObjectStore): { store: ObjectStore; counts: RequestCounts; reset(): void } {
  const counts: RequestCounts = {};
  const add = (name: string, n = 1) => (counts[name] = (counts[name] ?? 0) + n);
  // Methods built on others (getJson → getBytes, update → get + createOnce/compareAndSwap…) are counted where they
  // land, so each is charged once.
  const primitives: Record<string, string> = {
    getBytes: "GetObject",
    getStream: "GetObject",
    putBytes: "PutObject",
    createOnce: "PutObject",
    compareAndSwap: "PutObject",
    head: "HeadObject",
    delete: "DeleteObject",
  };
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      const name = String(prop);
      if (name === "list") {
        return async function* (prefix: string, options?: { pageSize?: number }) {
          let n = 0;
          for await (const item of (value as ObjectStore["list"]).call(target, prefix, options)) {
            if (n % PAGE === 0) add("ListObjectsV2");
            n++;
            yield item;
          }
          if (n === 0) add("ListObjectsV2");
        };
      }
      if (name === "putStream") {
        return async (key: string, body: AsyncIterable<string | Uint8Array>, options?: unknown) => {
          let bytes = 0;
          async function* measured() {
            for await (const chunk of body) {
              bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
              yield chunk;
            }
          }
          const out = await (value as ObjectStore["putStream"]).call(target, key, measured(), options as never);
          if (bytes < PART) add("PutObject");
          else add("MultipartUpload", 2 + Math.ceil(bytes / PART));
          return out;
        };
      }
      const op = primitives[name];
      if (!op) return (value as (...a: unknown[]) => unknown).bind(receiver);
      return (...args: unknown[]) => {
        add(op);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, counts, reset: () => Object.keys(counts).forEach((k) => delete counts[k]) };
}
