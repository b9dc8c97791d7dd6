import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { recordsToDelete, toSqsRecord } from "../../shared/local/sqs-event.js";

const arn = "arn:aws:sqs:eu-west-1:000000000000:work";

describe("toSqsRecord", () => {
  it("should map a received message to Lambda's record shape", () => {
    const record = toSqsRecord(
      {
        MessageId: "m1",
        ReceiptHandle: "rh",
        Body: "{}",
        MD5OfBody: "md5",
        Attributes: { ApproximateReceiveCount: "3", SentTimestamp: "10", SenderId: "s", ApproximateFirstReceiveTimestamp: "11" },
        MessageAttributes: {
          kind: { DataType: "String", StringValue: "shard" },
          blob: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2]) },
        },
      },
      arn,
    );
    expect(record).toEqual({
      messageId: "m1",
      receiptHandle: "rh",
      body: "{}",
      md5OfBody: "md5",
      attributes: { ApproximateReceiveCount: "3", SentTimestamp: "10", SenderId: "s", ApproximateFirstReceiveTimestamp: "11" },
      messageAttributes: {
        kind: { dataType: "String", stringValue: "shard", stringListValues: [], binaryListValues: [] },
        blob: { dataType: "Binary", binaryValue: "AQI=", stringListValues: [], binaryListValues: [] },
      },
      eventSource: "aws:sqs",
      eventSourceARN: arn,
      awsRegion: "eu-west-1",
    });
  });
});

describe("recordsToDelete", () => {
  const records = ["a", "b", "c"].map((messageId) => ({ messageId }) as SQSRecord);

  it("should delete every record not reported as failed", () => {
    expect(recordsToDelete(records, [{ itemIdentifier: "b" }]).map((r) => r.messageId)).toEqual(["a", "c"]);
    expect(recordsToDelete(records, []).map((r) => r.messageId)).toEqual(["a", "b", "c"]);
  });

  it("should keep the whole batch when a failure names no record, as Lambda does", () => {
    expect(recordsToDelete(records, [{ itemIdentifier: "zzz" }])).toEqual([]);
    expect(recordsToDelete(records, [{ itemIdentifier: "" }])).toEqual([]);
  });
});
