/**
 * An in-memory {@link ObjectStore} with S3's conditional-write semantics, for fast unit tests of the domain.
 * It passes the same contract suite as {@link S3ObjectStore}; it is never a default for real work.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { NotFoundError } from "../errors.js";
import { ObjectStoreBase } from "./object-store-base.js";
import type {
  CompareAndSwapResult,
  CreateOnceResult,
  ObjectBody,
  ObjectInfo,
  StoredBytes,
  StreamBody,
  WriteOptions,
} from "./object-store.js";
import { normalizeEtag } from "./etag.js";

interface Entry {
  body: Uint8Array;
  etag: string;
  contentType: string;
  lastModified: Date;
}

const encoder = new TextEncoder();

function toBytes(body: ObjectBody): Uint8Array {
  return typeof body === "string" ? encoder.encode(body) : new Uint8Array(body);
}

/** @example const store = new MemoryObjectStore(); await store.putJson("t/acme/x.json", { a: 1 }); */
export class MemoryObjectStore extends ObjectStoreBase {
  readonly #objects = new Map<string, Entry>();
  /** Every key, sorted, so a listing costs what it returns (plus a binary search), as on S3. */
  readonly #sorted: string[] = [];

  /** Where `key` is or would go in the sorted keys. */
  #position(key: string): number {
    let lo = 0;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#sorted[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #write(key: string, body: ObjectBody, options?: WriteOptions): string {
    const bytes = toBytes(body);
    if (!this.#objects.has(key)) this.#sorted.splice(this.#position(key), 0, key);
    // S3's ETag for a single-part upload is the quoted MD5 of the body; same content, same ETag.
    const etag = `"${createHash("md5").update(bytes).digest("hex")}"`;
    this.#objects.set(key, {
      body: bytes,
      etag,
      contentType: options?.contentType ?? "application/octet-stream",
      lastModified: new Date(),
    });
    return etag;
  }

  #entry(key: string): Entry {
    const entry = this.#objects.get(key);
    if (!entry) throw new NotFoundError(`object ${key} not found`, { key });
    return entry;
  }

  async getBytes(key: string): Promise<StoredBytes> {
    const entry = this.#entry(key);
    return { body: new Uint8Array(entry.body), etag: entry.etag, contentType: entry.contentType };
  }

  async getStream(key: string): Promise<Readable> {
    return Readable.from([Buffer.from(this.#entry(key).body)]);
  }

  async putBytes(key: string, body: ObjectBody, options?: WriteOptions): Promise<{ etag: string }> {
    return { etag: this.#write(key, body, options) };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const entry = this.#objects.get(key);
    if (!entry) return null;
    return {
      key,
      etag: entry.etag,
      size: entry.body.byteLength,
      lastModified: entry.lastModified,
      contentType: entry.contentType,
    };
  }

  async putStream(key: string, body: StreamBody, options?: WriteOptions): Promise<{ etag: string }> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(toBytes(chunk));
    return { etag: this.#write(key, Buffer.concat(chunks), options) };
  }

  async delete(key: string): Promise<void> {
    if (!this.#objects.delete(key)) return;
    this.#sorted.splice(this.#position(key), 1);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Walk the sorted keys from the prefix on; a key deleted meanwhile is skipped, one added may or may not show.
    let last: string | null = null;
    for (let i = this.#position(prefix); ; ) {
      const key = this.#sorted[i];
      if (key === undefined || !key.startsWith(prefix)) return;
      const entry = this.#objects.get(key);
      if (entry) yield { key, etag: entry.etag, size: entry.body.byteLength, lastModified: entry.lastModified };
      last = key;
      // The array may have changed while we yielded: find our place again.
      i = this.#position(last);
      if (this.#sorted[i] === last) i++;
    }
  }

  async createOnce(key: string, body: ObjectBody, options?: WriteOptions): Promise<CreateOnceResult> {
    if (this.#objects.has(key)) return { status: "exists" };
    return { status: "created", etag: this.#write(key, body, options) };
  }

  async compareAndSwap(
    key: string,
    body: ObjectBody,
    etag: string,
    options?: WriteOptions,
  ): Promise<CompareAndSwapResult> {
    const entry = this.#objects.get(key);
    if (!entry || normalizeEtag(entry.etag) !== normalizeEtag(etag)) return { status: "lost-race" };
    return { status: "updated", etag: this.#write(key, body, options) };
  }
}
