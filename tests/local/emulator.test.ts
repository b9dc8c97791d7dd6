import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalAws, type LocalAws, type LocalAwsOptions } from "../../shared/local/emulator.js";

const config = (dataDir?: string): LocalAwsOptions => ({
  bucket: "assay-emulator-test",
  ...(dataDir ? { dataDir } : {}),
  queues: [{ name: "work", visibilityTimeoutSeconds: 5, dlq: { name: "work-dlq", maxReceiveCount: 3 } }],
});

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

describe("startLocalAws", () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws(config());
  });
  afterAll(async () => {
    await aws?.stop();
  });

  it("should listen on loopback only", async () => {
    const url = new URL(aws.endpoint);
    expect(url.hostname).toBe("127.0.0.1");
    expect(await canConnect("127.0.0.1", Number(url.port))).toBe(true);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === "IPv4" && !i.internal);
    if (external) expect(await canConnect(external.address, Number(url.port))).toBe(false);
  });

  it("should create the queues with the DLQ redrive policy and visibility timeout", async () => {
    const out = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: aws.queueUrls.work, AttributeNames: ["All"] }),
    );
    expect(out.Attributes!.VisibilityTimeout).toBe("5");
    expect(JSON.parse(out.Attributes!.RedrivePolicy!)).toEqual({
      deadLetterTargetArn: aws.queueArns["work-dlq"],
      maxReceiveCount: 3,
    });
    expect(aws.queueUrls["work-dlq"]).toMatch(new RegExp(`^${aws.endpoint}/`));
  });

  it("should refuse a PUT with If-None-Match: * over an existing object", async () => {
    const put = (body: string) =>
      aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: "once", Body: body, IfNoneMatch: "*" }));
    await put("first");
    await expect(put("second")).rejects.toMatchObject({ name: "PreconditionFailed", $metadata: { httpStatusCode: 412 } });
    const got = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: "once" }));
    expect(await got.Body!.transformToString()).toBe("first");
  });

  it("should refuse a DELETE whose If-Match ETag is stale", async () => {
    const { ETag } = await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: "del", Body: "v1" }));
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: "del", Body: "v2" }));
    await expect(
      aws.s3.send(new DeleteObjectCommand({ Bucket: aws.bucket, Key: "del", IfMatch: ETag })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    const got = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: "del" }));
    expect(await got.Body!.transformToString()).toBe("v2");
  });
});

describe("startLocalAws with a data folder", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "assay-emulator-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("should keep objects, queues and messages across a restart over the same folder", async () => {
    const first = await startLocalAws(config(dataDir));
    await first.s3.send(new PutObjectCommand({ Bucket: first.bucket, Key: "kept.json", Body: '{"a":1}' }));
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrls.work, MessageBody: "kept" }));
    await first.stop();

    // Same folder, changed queue settings: the start is idempotent and applies the new configuration.
    const second = await startLocalAws({
      ...config(dataDir),
      queues: [{ name: "work", visibilityTimeoutSeconds: 7, dlq: { name: "work-dlq", maxReceiveCount: 4 } }],
    });
    try {
      const got = await second.s3.send(new GetObjectCommand({ Bucket: second.bucket, Key: "kept.json" }));
      expect(await got.Body!.transformToString()).toBe('{"a":1}');
      const received = await second.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: second.queueUrls.work, WaitTimeSeconds: 1 }),
      );
      expect(received.Messages?.map((m) => m.Body)).toEqual(["kept"]);
      const attrs = await second.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: second.queueUrls.work, AttributeNames: ["All"] }),
      );
      expect(attrs.Attributes!.VisibilityTimeout).toBe("7");
      expect(JSON.parse(attrs.Attributes!.RedrivePolicy!).maxReceiveCount).toBe(4);
      expect(second.queueUrls.work).toMatch(new RegExp(`^${second.endpoint}/`));
    } finally {
      await second.stop();
    }
  });

  it("should make messages that were in flight when it stopped visible again at once on restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "assay-emulator-inflight-"));
    try {
      const queues = [{ name: "work", visibilityTimeoutSeconds: 600, dlq: { name: "work-dlq", maxReceiveCount: 3 } }];
      const first = await startLocalAws({ ...config(dir), queues });
      await first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrls.work, MessageBody: "in flight" }));
      // Received and never deleted: its consumer dies with this run, its visibility timeout has 10 minutes to go.
      const taken = await first.sqs.send(new ReceiveMessageCommand({ QueueUrl: first.queueUrls.work, WaitTimeSeconds: 1 }));
      expect(taken.Messages?.map((m) => m.Body)).toEqual(["in flight"]);
      await first.stop();

      const second = await startLocalAws({ ...config(dir), queues });
      try {
        const again = await second.sqs.send(new ReceiveMessageCommand({ QueueUrl: second.queueUrls.work, WaitTimeSeconds: 1 }));
        expect(again.Messages?.map((m) => m.Body)).toEqual(["in flight"]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
