import { describe, expect, it } from "vitest";
import { s3ErrorKind } from "../../shared/store/s3-errors.js";

const err = (name: string, status?: number) => ({ name, $metadata: { httpStatusCode: status } });

describe("s3ErrorKind", () => {
  it("should classify the conditional-write answers", () => {
    expect(s3ErrorKind(err("PreconditionFailed", 412))).toBe("precondition-failed");
    expect(s3ErrorKind(err("ConditionalRequestConflict", 409))).toBe("conflict");
    expect(s3ErrorKind(err("NoSuchKey", 404))).toBe("not-found");
  });

  it("should classify a body-less HEAD 404 by status", () => {
    expect(s3ErrorKind(err("UnknownError", 404))).toBe("not-found");
  });

  it("should not mistake a missing bucket or anything else for an outcome", () => {
    expect(s3ErrorKind(err("NoSuchBucket", 404))).toBe("other");
    expect(s3ErrorKind(err("AccessDenied", 403))).toBe("other");
    expect(s3ErrorKind(new Error("socket hang up"))).toBe("other");
    expect(s3ErrorKind(undefined)).toBe("other");
  });
});
