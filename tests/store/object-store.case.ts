/**
 * The object store contract: one suite, run against every {@link ObjectStore} implementation
 * (`memory-object-store.test.ts`, `s3-object-store.test.ts` on the local emulator).
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConflictError, NotFoundError, ValidationError } from "../../shared/errors.js";
import type { ObjectStore } from "../../shared/store/object-store.js";

const Counter = z.object({ version: z.literal(1), count: z.number().int(), writers: z.array(z.string()) });
const Row = z.object({ id: z.number().int(), text: z.string() });
const Schema = z.object({ n: z.number().int() });

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** Registers the contract tests for the store that `getStore` returns (called inside each test). */
export function describeObjectStoreContract(name: string, getStore: () => ObjectStore): void {
  describe(`ObjectStore contract: ${name}`, () => {
    // Each test writes under its own prefix, so the suite can share one store (and one emulator).
    const prefix = () => `contract/${randomUUID()}/`;

    describe("JSON", () => {
      it("should round-trip a JSON object through putJson and getJson", async () => {
        const store = getStore();
        const key = `${prefix()}a.json`;
        await store.putJson(key, { version: 1, count: 3, writers: ["x"] }, Counter);
        expect(await store.getJson(key, Counter)).toEqual({ version: 1, count: 3, writers: ["x"] });
      });

      it("should throw NotFoundError for a missing key and return null from getJsonOrNull", async () => {
        const store = getStore();
        const key = `${prefix()}missing.json`;
        await expect(store.getJson(key, Counter)).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.getJsonOrNull(key, Counter)).toBeNull();
        expect(await store.getJsonVersioned(key, Counter)).toBeNull();
      });

      it("should reject a stored object that does not match the schema", async () => {
        const store = getStore();
        const key = `${prefix()}bad.json`;
        await store.putBytes(key, JSON.stringify({ version: 1, count: "three", writers: [] }));
        const error = await store.getJson(key, Counter).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).details).toMatchObject({ key, issues: [{ path: "count" }] });
      });

      it("should refuse to write a value that fails the schema", async () => {
        const store = getStore();
        const key = `${prefix()}refused.json`;
        await expect(store.putJson(key, { version: 2 } as never, Counter)).rejects.toBeInstanceOf(ValidationError);
        expect(await store.head(key)).toBeNull();
      });
    });

    describe("JSON Lines", () => {
      it("should round-trip records and skip blank lines", async () => {
        const store = getStore();
        const key = `${prefix()}rows.jsonl`;
        await store.putJsonl(key, [{ id: 1, text: "a" }, { id: 2, text: "b" }], Row);
        expect(await store.getJsonl(key, Row)).toEqual([{ id: 1, text: "a" }, { id: 2, text: "b" }]);
        await store.putBytes(key, '{"id":1,"text":"a"}\n\n{"id":2,"text":"b"}\n');
        expect(await store.getJsonl(key, Row)).toHaveLength(2);
      });

      it("should name the failing line number when a record is invalid", async () => {
        const store = getStore();
        const key = `${prefix()}rows.jsonl`;
        await store.putBytes(key, '{"id":1,"text":"a"}\n\n{"id":"x","text":"b"}\n');
        const error = await store.getJsonl(key, Row).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).details).toMatchObject({ key, line: 3 });
        await store.putBytes(key, '{"id":1,"text":"a"}\n{not json\n');
        const streamed = await collect(store.iterateJsonl(key, Row)).catch((e: unknown) => e);
        expect(streamed).toBeInstanceOf(ValidationError);
        expect((streamed as ValidationError).details).toMatchObject({ key, line: 2 });
      });

      it("should stream a large JSON Lines object record by record", async () => {
        const store = getStore();
        const key = `${prefix()}big.jsonl`;
        const rows = Array.from({ length: 5000 }, (_, id) => ({ id, text: `row ${id} ${"x".repeat(40)}` }));
        await store.putJsonl(key, rows, Row);
        let count = 0;
        for await (const row of store.iterateJsonl(key, Row)) {
          expect(row.id).toBe(count);
          count += 1;
        }
        expect(count).toBe(5000);
      });
    });

    describe("bytes, streams, head, delete", () => {
      it("should store raw bytes with their content type", async () => {
        const store = getStore();
        const key = `${prefix()}blob.bin`;
        const body = new Uint8Array([0, 1, 2, 255]);
        const { etag } = await store.putBytes(key, body, { contentType: "application/x-test" });
        const got = await store.getBytes(key);
        expect([...got.body]).toEqual([0, 1, 2, 255]);
        expect(got.contentType).toBe("application/x-test");
        expect(got.etag).toBe(etag);
        const info = await store.head(key);
        expect(info).toMatchObject({ key, etag, size: 4, contentType: "application/x-test" });
      });

      it("should stream an object and iterate its lines", async () => {
        const store = getStore();
        const key = `${prefix()}text.txt`;
        await store.putBytes(key, "one\r\ntwo\nthree");
        expect(await readAll(await store.getStream(key))).toBe("one\r\ntwo\nthree");
        expect(await collect(store.lines(key))).toEqual(["one", "two", "three"]);
        await expect(store.getStream(`${prefix()}nope`)).rejects.toBeInstanceOf(NotFoundError);
      });

      it("should write a streamed body of several 5 MiB parts, byte for byte, and small ones in one piece", async () => {
        const store = getStore();
        const key = `${prefix()}big.jsonl`;
        // 12 MiB in 64 KiB chunks of text: three multipart parts on S3, more than one request body may carry.
        const chunk = `${"x".repeat(64 * 1024 - 1)}\n`;
        async function* body() {
          for (let i = 0; i < 192; i++) yield i % 2 === 0 ? chunk : new TextEncoder().encode(chunk);
        }
        await store.putStream(key, body(), { contentType: "application/x-ndjson" });
        const info = await store.head(key);
        expect(info?.size).toBe(192 * chunk.length);
        let lines = 0;
        for await (const line of store.lines(key)) {
          expect(line.length).toBe(chunk.length - 1);
          lines++;
        }
        expect(lines).toBe(192);
        const small = `${prefix()}small.txt`;
        await store.putStream(small, ["a", "b"], { contentType: "text/plain" });
        expect(new TextDecoder().decode((await store.getBytes(small)).body)).toBe("ab");
      }, 60_000);

      it("should validate a JSON record before a create-once or compare-and-swap write", async () => {
        const store = getStore();
        const key = `${prefix()}checked.json`;
        await expect(store.createOnceJson(key, { n: "one" } as never, Schema)).rejects.toBeInstanceOf(ValidationError);
        expect(await store.head(key)).toBeNull();
        const created = await store.createOnceJson(key, { n: 1 }, Schema);
        expect(created.status).toBe("created");
        expect((await store.createOnceJson(key, { n: 2 }, Schema)).status).toBe("exists");
        const etag = (created as { etag: string }).etag;
        await expect(store.compareAndSwapJson(key, { n: "two" } as never, Schema, etag)).rejects.toBeInstanceOf(ValidationError);
        expect((await store.compareAndSwapJson(key, { n: 3 }, Schema, etag)).status).toBe("updated");
        expect(await store.getJson(key, Schema)).toEqual({ n: 3 });
      });

      it("should delete an object, and deleting a missing key should not fail", async () => {
        const store = getStore();
        const key = `${prefix()}gone.txt`;
        await store.putBytes(key, "x");
        await store.delete(key);
        expect(await store.head(key)).toBeNull();
        await expect(store.delete(key)).resolves.toBeUndefined();
      });
    });

    describe("list", () => {
      it("should list every object under a prefix across pages, in key order", async () => {
        const store = getStore();
        const base = prefix();
        const keys = Array.from({ length: 7 }, (_, i) => `${base}in/${String(i).padStart(2, "0")}.json`);
        await Promise.all(keys.map((key) => store.putBytes(key, "{}")));
        await store.putBytes(`${base}out/other.json`, "{}");
        const listed = await collect(store.list(`${base}in/`, { pageSize: 2 }));
        expect(listed.map((info) => info.key)).toEqual(keys);
        expect(listed[0]).toMatchObject({ size: 2 });
        expect(listed[0]!.etag).not.toBe("");
      });
    });

    describe("conditional writes", () => {
      it("should create once and report exists the second time", async () => {
        const store = getStore();
        const key = `${prefix()}once.json`;
        const first = await store.createOnce(key, "1");
        expect(first.status).toBe("created");
        expect(await store.createOnce(key, "2")).toEqual({ status: "exists" });
        expect(new TextDecoder().decode((await store.getBytes(key)).body)).toBe("1");
      });

      it("should let exactly one of two concurrent createOnce callers win", async () => {
        const store = getStore();
        const key = `${prefix()}race.json`;
        const results = await Promise.all([store.createOnce(key, "A"), store.createOnce(key, "B")]);
        const winners = results.filter((r) => r.status === "created");
        expect(winners).toHaveLength(1);
        expect(results.filter((r) => r.status === "exists")).toHaveLength(1);
        const stored = new TextDecoder().decode((await store.getBytes(key)).body);
        expect(stored).toBe(results[0]!.status === "created" ? "A" : "B");
      });

      it("should swap on a matching ETag and lose the race on a stale one", async () => {
        const store = getStore();
        const key = `${prefix()}cas.json`;
        const { etag: v1 } = await store.putBytes(key, "v1");
        const swapped = await store.compareAndSwap(key, "v2", v1);
        expect(swapped.status).toBe("updated");
        expect(await store.compareAndSwap(key, "v3", v1)).toEqual({ status: "lost-race" });
        expect(new TextDecoder().decode((await store.getBytes(key)).body)).toBe("v2");
        if (swapped.status === "updated") expect((await store.head(key))!.etag).toBe(swapped.etag);
      });

      it("should let exactly one of two concurrent compare-and-swap writers win", async () => {
        const store = getStore();
        const key = `${prefix()}cas-race.json`;
        const { etag } = await store.putBytes(key, "base");
        const results = await Promise.all([
          store.compareAndSwap(key, "writer-A", etag),
          store.compareAndSwap(key, "writer-B", etag),
        ]);
        expect(results.filter((r) => r.status === "updated")).toHaveLength(1);
        expect(results.filter((r) => r.status === "lost-race")).toHaveLength(1);
        const stored = new TextDecoder().decode((await store.getBytes(key)).body);
        expect(stored).toBe(results[0]!.status === "updated" ? "writer-A" : "writer-B");
      });

      it("should report lost-race when the object was deleted since it was read", async () => {
        const store = getStore();
        const key = `${prefix()}cas-gone.json`;
        const { etag } = await store.putBytes(key, "v1");
        await store.delete(key);
        expect(await store.compareAndSwap(key, "v2", etag)).toEqual({ status: "lost-race" });
        expect(await store.head(key)).toBeNull();
      });
    });

    describe("update", () => {
      it("should create the object when absent and modify it when present", async () => {
        const store = getStore();
        const key = `${prefix()}counter.json`;
        const bump = (writer: string) => (c: z.infer<typeof Counter> | null) => ({
          version: 1 as const,
          count: (c?.count ?? 0) + 1,
          writers: [...(c?.writers ?? []), writer],
        });
        const created = await store.update(key, Counter, bump("a"));
        expect(created.value).toEqual({ version: 1, count: 1, writers: ["a"] });
        const updated = await store.update(key, Counter, bump("b"));
        expect(updated.value.count).toBe(2);
        expect(updated.etag).toBe((await store.head(key))!.etag);
        expect(await store.getJson(key, Counter)).toEqual({ version: 1, count: 2, writers: ["a", "b"] });
      });

      it("should count every one of several concurrent updates", async () => {
        const store = getStore();
        const key = `${prefix()}concurrent.json`;
        const writers = ["w1", "w2", "w3", "w4"];
        await Promise.all(
          writers.map((w) =>
            store.update(
              key,
              Counter,
              (c) => ({ version: 1 as const, count: (c?.count ?? 0) + 1, writers: [...(c?.writers ?? []), w] }),
              { maxAttempts: 30 },
            ),
          ),
        );
        const final = await store.getJson(key, Counter);
        expect(final.count).toBe(4);
        expect([...final.writers].sort()).toEqual(writers);
      });

      it("should give up with ConflictError when every attempt loses the race", async () => {
        const store = getStore();
        const key = `${prefix()}contended.json`;
        await store.putJson(key, { version: 1, count: 0, writers: [] }, Counter);
        let calls = 0;
        const error = await store
          .update(
            key,
            Counter,
            async (c) => {
              calls += 1;
              // Another writer slips in between our read and our write, every time.
              await store.putJson(key, { version: 1, count: 100 + calls, writers: ["intruder"] }, Counter);
              return { version: 1 as const, count: (c?.count ?? 0) + 1, writers: ["me"] };
            },
            { maxAttempts: 3 },
          )
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConflictError);
        expect(calls).toBe(3);
        expect((await store.getJson(key, Counter)).writers).toEqual(["intruder"]);
      });
    });
  });
}
