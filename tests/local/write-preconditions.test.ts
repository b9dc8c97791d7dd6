import { describe, expect, it } from "vitest";
import { evaluateWritePreconditions, preconditionErrorXml } from "../../shared/local/write-preconditions.js";

describe("evaluateWritePreconditions", () => {
  it("should allow an unconditional write whatever is stored", () => {
    expect(evaluateWritePreconditions({ currentEtag: null })).toEqual({ ok: true });
    expect(evaluateWritePreconditions({ currentEtag: '"a"' })).toEqual({ ok: true });
  });

  it("should fail If-None-Match: * only when an object exists", () => {
    expect(evaluateWritePreconditions({ ifNoneMatch: "*", currentEtag: null })).toEqual({ ok: true });
    expect(evaluateWritePreconditions({ ifNoneMatch: "*", currentEtag: '"a"' })).toMatchObject({
      ok: false,
      status: 412,
      condition: "If-None-Match",
    });
  });

  it("should compare If-Match ETags ignoring quotes and weak prefixes", () => {
    expect(evaluateWritePreconditions({ ifMatch: "a", currentEtag: '"a"' })).toEqual({ ok: true });
    expect(evaluateWritePreconditions({ ifMatch: 'W/"a"', currentEtag: '"a"' })).toEqual({ ok: true });
    expect(evaluateWritePreconditions({ ifMatch: '"b"', currentEtag: '"a"' })).toMatchObject({ status: 412 });
  });

  it("should answer If-Match on a missing object with 404 NoSuchKey", () => {
    expect(evaluateWritePreconditions({ ifMatch: '"a"', currentEtag: null })).toMatchObject({
      ok: false,
      status: 404,
      code: "NoSuchKey",
    });
  });

  it("should render an S3 error document the SDK can read", () => {
    const xml = preconditionErrorXml(
      { ok: false, status: 412, code: "PreconditionFailed", condition: "If-Match" },
      "/b/k&<",
    );
    expect(xml).toContain("<Code>PreconditionFailed</Code>");
    expect(xml).toContain("<Resource>/b/k&amp;&lt;</Resource>");
  });
});
