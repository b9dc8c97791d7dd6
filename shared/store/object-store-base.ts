/**
 * The parts of {@link ObjectStore} that follow from a few primitives (bytes, streams, conditional writes), written
 * once so every implementation behaves the same: JSON and JSON Lines codecs, line iteration and the
 * read-modify-write loop.
 */
import { createInterface } from "node:readline";
import { ExponentialBackoff, handleType, retry } from "cockatiel";
import type { Readable } from "node:stream";
import type { z } from "zod";
import { ConflictError, NotFoundError } from "../errors.js";
import {
  JSON_CONTENT_TYPE,
  JSONL_CONTENT_TYPE,
  parseJson,
  parseJsonl,
  parseJsonLine,
  serializeJsonl,
  validate,
} from "./json-codec.js";
import type {
  CompareAndSwapResult,
  CreateOnceResult,
  ObjectBody,
  ObjectInfo,
  ObjectStore,
  StoredBytes,
  StreamBody,
  UpdateOptions,
  Versioned,
  WriteOptions,
} from "./object-store.js";

const decoder = new TextDecoder();

/** Thrown inside `update`'s policy when a conditional write lost; never escapes. */
class LostRace extends Error {}

/**
 * Retries of a read-modify-write that lost a race: decorrelated jitter from 10 ms up to 200 ms, so two writers do
 * not collide again in lockstep.
 */
function raceRetry(maxAttempts: number) {
  return retry(handleType(LostRace), {
    maxAttempts: Math.max(0, maxAttempts - 1),
    backoff: new ExponentialBackoff({ initialDelay: 10, maxDelay: 200 }),
  });
}

/** Base for object stores: implement the primitives, inherit the rest. */
export abstract class ObjectStoreBase implements ObjectStore {
  abstract getBytes(key: string): Promise<StoredBytes>;
  abstract getStream(key: string): Promise<Readable>;
  abstract putBytes(key: string, body: ObjectBody, options?: WriteOptions): Promise<{ etag: string }>;
  abstract head(key: string): Promise<ObjectInfo | null>;
  abstract delete(key: string): Promise<void>;
  abstract list(prefix: string, options?: { pageSize?: number }): AsyncIterable<ObjectInfo>;
  abstract putStream(key: string, body: StreamBody, options?: WriteOptions): Promise<{ etag: string }>;
  abstract createOnce(key: string, body: ObjectBody, options?: WriteOptions): Promise<CreateOnceResult>;
  abstract compareAndSwap(
    key: string,
    body: ObjectBody,
    etag: string,
    options?: WriteOptions,
  ): Promise<CompareAndSwapResult>;

  async getJsonVersioned<S extends z.ZodType>(key: string, schema: S): Promise<Versioned<z.infer<S>> | null> {
    let stored: StoredBytes;
    try {
      stored = await this.getBytes(key);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
    return { value: parseJson(key, decoder.decode(stored.body), schema), etag: stored.etag };
  }

  async getJsonOrNull<S extends z.ZodType>(key: string, schema: S): Promise<z.infer<S> | null> {
    return (await this.getJsonVersioned(key, schema))?.value ?? null;
  }

  async getJson<S extends z.ZodType>(key: string, schema: S): Promise<z.infer<S>> {
    const stored = await this.getBytes(key);
    return parseJson(key, decoder.decode(stored.body), schema);
  }

  async putJson<T>(key: string, value: T, schema?: z.ZodType<T>): Promise<{ etag: string }> {
    const checked = schema ? validate(schema, value, { key }) : value;
    return this.putBytes(key, JSON.stringify(checked), { contentType: JSON_CONTENT_TYPE });
  }

  async createOnceJson<T>(key: string, value: T, schema: z.ZodType<T>): Promise<CreateOnceResult> {
    const checked = validate(schema, value, { key });
    return this.createOnce(key, JSON.stringify(checked), { contentType: JSON_CONTENT_TYPE });
  }

  async compareAndSwapJson<T>(key: string, value: T, schema: z.ZodType<T>, etag: string): Promise<CompareAndSwapResult> {
    const checked = validate(schema, value, { key });
    return this.compareAndSwap(key, JSON.stringify(checked), etag, { contentType: JSON_CONTENT_TYPE });
  }

  async getJsonl<S extends z.ZodType>(key: string, schema: S): Promise<z.infer<S>[]> {
    const stored = await this.getBytes(key);
    return parseJsonl(key, decoder.decode(stored.body), schema);
  }

  async *iterateJsonl<S extends z.ZodType>(key: string, schema: S): AsyncIterable<z.infer<S>> {
    let line = 0;
    for await (const text of this.lines(key)) {
      line += 1;
      if (text.trim() !== "") yield parseJsonLine(key, line, text, schema);
    }
  }

  async putJsonl<T>(key: string, rows: readonly T[], schema?: z.ZodType<T>): Promise<{ etag: string }> {
    const checked = schema ? rows.map((row, i) => validate(schema, row, { key, line: i + 1 })) : rows;
    return this.putBytes(key, serializeJsonl(checked), { contentType: JSONL_CONTENT_TYPE });
  }

  async *lines(key: string): AsyncIterable<string> {
    const stream = await this.getStream(key);
    // crlfDelay: Infinity treats \r\n as one break wherever the chunk boundary falls.
    const reader = createInterface({ input: stream, crlfDelay: Infinity });
    try {
      yield* reader;
    } finally {
      reader.close();
      stream.destroy();
    }
  }

  async update<S extends z.ZodType>(
    key: string,
    schema: S,
    fn: (current: z.infer<S> | null) => z.infer<S> | null | Promise<z.infer<S> | null>,
    options: UpdateOptions = {},
  ): Promise<Versioned<z.infer<S>>> {
    const maxAttempts = options.maxAttempts ?? 5;
    try {
      return await raceRetry(maxAttempts).execute(async () => {
        const current = await this.getJsonVersioned(key, schema);
        const proposed = await fn(current?.value ?? null);
        if (proposed === null) {
          if (!options.allowNoChange) throw new TypeError(`update of ${key}: fn returned null without allowNoChange`);
          if (current === null) throw new TypeError(`update of ${key}: nothing stored and no value to create`);
          return current;
        }
        const next = validate(schema, proposed, { key });
        const body = JSON.stringify(next);
        const write = { contentType: JSON_CONTENT_TYPE };
        if (current === null) {
          const created = await this.createOnce(key, body, write);
          if (created.status === "created") return { value: next, etag: created.etag };
        } else {
          const swapped = await this.compareAndSwap(key, body, current.etag, write);
          if (swapped.status === "updated") return { value: next, etag: swapped.etag };
        }
        throw new LostRace();
      });
    } catch (error) {
      if (!(error instanceof LostRace)) throw error;
      throw new ConflictError(`${key} kept changing under us; gave up after ${maxAttempts} attempts`, {
        key,
        attempts: maxAttempts,
      });
    }
  }
}
