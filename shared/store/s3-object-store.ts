/**
 * {@link ObjectStore} over the AWS SDK S3 client (the client is injected: real S3 in a deployment, the loopback
 * emulator in local mode and tests). Conditional writes use `IfNoneMatch: "*"` and `IfMatch`; S3 answers a lost
 * race with 412 and a write that collided with another in flight with 409, which is retried.
 */
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { ExponentialBackoff, handleWhen, retry } from "cockatiel";
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
import { s3ErrorKind } from "./s3-errors.js";

/** Options for {@link S3ObjectStore}. */
export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /** Tries of a conditional write that S3 answers with 409 ConditionalRequestConflict. Default 3. */
  conflictRetries?: number;
}

/** Multipart parts: S3's minimum (5 MiB) is the memory a streamed write holds per part in flight. */
const STREAM_PART_BYTES = 5 * 1024 * 1024;
const STREAM_PARTS_IN_FLIGHT = 2;

/** @example const store = new S3ObjectStore({ client: new S3Client({}), bucket: "assay-data" }); */
export class S3ObjectStore extends ObjectStoreBase {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #conflictRetries: number;

  constructor(options: S3ObjectStoreOptions) {
    super();
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#conflictRetries = options.conflictRetries ?? 3;
  }

  async #get(key: string) {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      if (!out.Body) throw new NotFoundError(`object ${key} has no body`, { key });
      return out;
    } catch (error) {
      if (s3ErrorKind(error) === "not-found") throw new NotFoundError(`object ${key} not found`, { key });
      throw error;
    }
  }

  async getBytes(key: string): Promise<StoredBytes> {
    const out = await this.#get(key);
    const body = await out.Body!.transformToByteArray();
    return { body, etag: out.ETag ?? "", ...(out.ContentType ? { contentType: out.ContentType } : {}) };
  }

  async getStream(key: string): Promise<Readable> {
    const body = (await this.#get(key)).Body!;
    if (body instanceof Readable) return body;
    return Readable.fromWeb(body.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0]);
  }

  #put(key: string, body: ObjectBody, options: WriteOptions | undefined, condition: Partial<PutObjectCommandInput>) {
    return this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: body,
        ContentType: options?.contentType ?? "application/octet-stream",
        ...condition,
      }),
    );
  }

  async putBytes(key: string, body: ObjectBody, options?: WriteOptions): Promise<{ etag: string }> {
    const out = await this.#put(key, body, options, {});
    return { etag: out.ETag ?? "" };
  }

  async putStream(key: string, body: StreamBody, options?: WriteOptions): Promise<{ etag: string }> {
    const upload = new Upload({
      client: this.#client,
      params: {
        Bucket: this.#bucket,
        Key: key,
        Body: Readable.from(body),
        ContentType: options?.contentType ?? "application/octet-stream",
      },
      partSize: STREAM_PART_BYTES,
      queueSize: STREAM_PARTS_IN_FLIGHT,
      // A failed part aborts the upload: no orphaned parts billed in the bucket.
      leavePartsOnError: false,
    });
    const out = await upload.done();
    return { etag: out.ETag ?? "" };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return {
        key,
        etag: out.ETag ?? "",
        size: out.ContentLength ?? 0,
        lastModified: out.LastModified ?? new Date(0),
        ...(out.ContentType ? { contentType: out.ContentType } : {}),
      };
    } catch (error) {
      if (s3ErrorKind(error) === "not-found") return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  async *list(prefix: string, options?: { pageSize?: number }): AsyncIterable<ObjectInfo> {
    const pages = paginateListObjectsV2(
      { client: this.#client, ...(options?.pageSize ? { pageSize: options.pageSize } : {}) },
      { Bucket: this.#bucket, Prefix: prefix },
    );
    for await (const page of pages) {
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        yield { key: item.Key, etag: item.ETag ?? "", size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) };
      }
    }
  }

  /**
   * One conditional PUT, retrying 409s (another conditional write to the key was in flight). Returns the new ETag,
   * or null when the precondition did not hold (412, or 404 for If-Match on a vanished key), or when the 409s
   * persist: then another writer is winning, which is the same answer.
   */
  async #conditionalPut(
    key: string,
    body: ObjectBody,
    options: WriteOptions | undefined,
    condition: Partial<PutObjectCommandInput>,
  ): Promise<string | null> {
    // 409: another conditional write to the key was in flight; worth a few short, jittered retries.
    const conflicts = retry(
      handleWhen((error) => s3ErrorKind(error) === "conflict"),
      { maxAttempts: Math.max(0, this.#conflictRetries - 1), backoff: new ExponentialBackoff({ initialDelay: 20, maxDelay: 200 }) },
    );
    try {
      const out = await conflicts.execute(() => this.#put(key, body, options, condition));
      return out.ETag ?? "";
    } catch (error) {
      const kind = s3ErrorKind(error);
      // If-Match on a key that has since been deleted is answered 404: the caller's ETag is stale all the same.
      if (kind === "precondition-failed" || (kind === "not-found" && condition.IfMatch)) return null;
      // 409s that persist: another writer is winning, which is the same answer.
      if (kind === "conflict") return null;
      throw error;
    }
  }

  async createOnce(key: string, body: ObjectBody, options?: WriteOptions): Promise<CreateOnceResult> {
    const etag = await this.#conditionalPut(key, body, options, { IfNoneMatch: "*" });
    return etag === null ? { status: "exists" } : { status: "created", etag };
  }

  async compareAndSwap(
    key: string,
    body: ObjectBody,
    etag: string,
    options?: WriteOptions,
  ): Promise<CompareAndSwapResult> {
    const next = await this.#conditionalPut(key, body, options, { IfMatch: etag });
    return next === null ? { status: "lost-race" } : { status: "updated", etag: next };
  }
}
