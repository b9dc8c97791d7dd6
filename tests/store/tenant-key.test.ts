import { describe, expect, it } from "vitest";
import { ValidationError } from "../../shared/errors.js";
import { tenantKey } from "../../shared/store/tenant-key.js";

describe("tenantKey", () => {
  it("should build a key under the tenant prefix", () => {
    expect(tenantKey("acme", "jobs", "j1", "manifest.json")).toBe("t/acme/jobs/j1/manifest.json");
    expect(tenantKey("a.b_c-9", "sessions/s1/state")).toBe("t/a.b_c-9/sessions/s1/state");
  });

  it.each(["", "..", ".", "a/b", "a b", "ä", "acme\n"])("should reject the tenant id %j", (tenant) => {
    expect(() => tenantKey(tenant, "jobs")).toThrow(ValidationError);
  });

  it.each([[""], [".."], ["jobs/../other"], ["jobs//x"], ["/abs"], ["trailing/"], ["."]])(
    "should reject the part %j",
    (part) => {
      expect(() => tenantKey("acme", part)).toThrow(ValidationError);
    },
  );

  it("should require at least one part after the tenant", () => {
    expect(() => tenantKey("acme")).toThrow(ValidationError);
  });
});
