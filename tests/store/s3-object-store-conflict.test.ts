/**
 * S3's 409 ConditionalRequestConflict (two conditional writes in flight at once) cannot be provoked on the
 * emulator, which serialises writes per key; this checks the store's retry policy with a scripted client.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { S3ObjectStore } from "../../shared/store/s3-object-store.js";

function scriptedClient(answers: Array<"conflict" | "ok" | "precondition">) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: { input: unknown }) => {
      sent.push(command.input);
      const answer = answers.shift();
      if (answer === "ok") return { ETag: '"new"' };
      const [name, status] = answer === "conflict" ? ["ConditionalRequestConflict", 409] : ["PreconditionFailed", 412];
      throw Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    },
  } as unknown as S3Client;
  return { client, sent };
}

describe("S3ObjectStore conditional-write conflicts", () => {
  it("should retry a 409 and report the write that then succeeds", async () => {
    const { client, sent } = scriptedClient(["conflict", "ok"]);
    const store = new S3ObjectStore({ client, bucket: "b" });
    expect(await store.compareAndSwap("k", "v", '"old"')).toEqual({ status: "updated", etag: '"new"' });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ Bucket: "b", Key: "k", IfMatch: '"old"' });
  });

  it("should report lost-race when the 409s persist", async () => {
    const { client, sent } = scriptedClient(["conflict", "conflict", "conflict"]);
    const store = new S3ObjectStore({ client, bucket: "b", conflictRetries: 3 });
    expect(await store.compareAndSwap("k", "v", '"old"')).toEqual({ status: "lost-race" });
    expect(sent).toHaveLength(3);
  });

  it("should report exists when a retried create-once then meets a 412", async () => {
    const { client, sent } = scriptedClient(["conflict", "precondition"]);
    const store = new S3ObjectStore({ client, bucket: "b" });
    expect(await store.createOnce("k", "v")).toEqual({ status: "exists" });
    expect(sent[0]).toMatchObject({ IfNoneMatch: "*" });
  });
});
