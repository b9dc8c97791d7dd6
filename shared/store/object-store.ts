/**
 * The object store port: what the domain needs from S3, with the races as typed outcomes rather than exceptions.
 * Implementations: {@link S3ObjectStore} (AWS SDK; the emulator in local mode) and {@link MemoryObjectStore} (tests).
 * Both pass one contract suite (`tests/store/object-store.case.ts`).
 */
import type { Readable } from "node:stream";
import type { z } from "zod";

/** The outcome of {@link ObjectStore.createOnce}. */
export type CreateOnceResult = { status: "created"; etag: string } | { status: "exists" };

/** The outcome of {@link ObjectStore.compareAndSwap}. `lost-race`: the object changed (or vanished) since `etag`. */
export type CompareAndSwapResult = { status: "updated"; etag: string } | { status: "lost-race" };

/** What `head` and `list` report about a stored object. */
export interface ObjectInfo {
  key: string;
  etag: string;
  size: number;
  lastModified: Date;
  contentType?: string;
}

/** Raw bytes as stored. */
export interface StoredBytes {
  body: Uint8Array;
  etag: string;
  contentType?: string;
}

/** A parsed JSON object with the ETag it was read at (the token for a later compare-and-swap). */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/** Bodies the raw writes accept. */
export type ObjectBody = string | Uint8Array;

/** A body written piece by piece (`putStream`): chunks of text or bytes, in order. */
export type StreamBody = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/** Options for raw writes. */
export interface WriteOptions {
  contentType?: string;
}

/** Options for {@link ObjectStore.update}. */
export interface UpdateOptions {
  /** Read-modify-write attempts before giving up with a ConflictError. Default 5. */
  maxAttempts?: number;
  /**
   * Return `null` from `fn` to leave the object as it is (nothing is written). Lets a caller make an update
   * idempotent: a second application of the same change writes nothing.
   */
  allowNoChange?: boolean;
}

/** The object store port. Keys are plain strings (build tenant keys with `tenantKey`). */
export interface ObjectStore {
  /** Reads and validates a JSON object. Throws NotFoundError when absent, ValidationError when malformed. */
  getJson<S extends z.ZodType>(key: string, schema: S): Promise<z.infer<S>>;
  /** Like `getJson`, but `null` when absent. */
  getJsonOrNull<S extends z.ZodType>(key: string, schema: S): Promise<z.infer<S> | null>;
  /** Reads and validates a JSON object with its ETag; `null` when absent. */
  getJsonVersioned<S extends z.ZodType>(key: string, schema: S): Promise<Versioned<z.infer<S>> | null>;
  /** Writes a JSON object (validated first when a schema is given). Returns the new ETag. */
  putJson<T>(key: string, value: T, schema?: z.ZodType<T>): Promise<{ etag: string }>;

  /** Reads a JSON Lines object, validating each line; errors name the line number. Blank lines are skipped. */
  getJsonl<S extends z.ZodType>(key: string, schema: S): Promise<z.infer<S>[]>;
  /** Streams a JSON Lines object record by record (for objects too large to hold), validating as it goes. */
  iterateJsonl<S extends z.ZodType>(key: string, schema: S): AsyncIterable<z.infer<S>>;
  /** Writes records as JSON Lines (validated first when a schema is given). */
  putJsonl<T>(key: string, rows: readonly T[], schema?: z.ZodType<T>): Promise<{ etag: string }>;

  /** Streams an object's bytes. Throws NotFoundError when absent. */
  getStream(key: string): Promise<Readable>;
  /** Iterates an object's text lines without holding the whole object. */
  lines(key: string): AsyncIterable<string>;

  /** Reads raw bytes. Throws NotFoundError when absent. */
  getBytes(key: string): Promise<StoredBytes>;
  /** Writes raw bytes. */
  putBytes(key: string, body: ObjectBody, options?: WriteOptions): Promise<{ etag: string }>;

  /** An object's metadata, or `null` when absent. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Deletes an object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every object under a prefix, in key order, across all pages. */
  list(prefix: string, options?: { pageSize?: number }): AsyncIterable<ObjectInfo>;

  /**
   * Writes a body of any length without holding it: S3 gets a multipart upload (parts of a few MiB, so memory does
   * not grow with the object), the memory store concatenates. Overwrites like `putBytes`.
   */
  putStream(key: string, body: StreamBody, options?: WriteOptions): Promise<{ etag: string }>;

  /** Writes only if nothing is stored at the key. */
  createOnce(key: string, body: ObjectBody, options?: WriteOptions): Promise<CreateOnceResult>;
  /** `createOnce` of a JSON object, validated against its schema first (every stored JSON record goes through one). */
  createOnceJson<T>(key: string, value: T, schema: z.ZodType<T>): Promise<CreateOnceResult>;
  /** Writes only if the stored object still has `etag`. */
  compareAndSwap(key: string, body: ObjectBody, etag: string, options?: WriteOptions): Promise<CompareAndSwapResult>;
  /** `compareAndSwap` of a JSON object, validated against its schema first. */
  compareAndSwapJson<T>(key: string, value: T, schema: z.ZodType<T>, etag: string): Promise<CompareAndSwapResult>;
  /**
   * Read-modify-write of a JSON object with compare-and-swap retries: `fn` gets the current value (`null` when
   * absent, then the write is create-once) and returns the next one. `fn` may run several times; keep it pure.
   * Throws ConflictError after `maxAttempts` lost races.
   */
  update<S extends z.ZodType>(
    key: string,
    schema: S,
    fn: (current: z.infer<S> | null) => z.infer<S> | null | Promise<z.infer<S> | null>,
    options?: UpdateOptions,
  ): Promise<Versioned<z.infer<S>>>;
}
