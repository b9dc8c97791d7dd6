import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ValidationError } from "../../shared/errors.js";
import { parseJson, parseJsonl, serializeJsonl } from "../../shared/store/json-codec.js";

const Row = z.object({ id: z.number() });

describe("json codec", () => {
  it("should parse and validate a JSON document", () => {
    expect(parseJson("k", '{"id":1,"extra":true}', Row)).toEqual({ id: 1 });
  });

  it("should report invalid JSON with the key", () => {
    expect(() => parseJson("k.json", "{oops", Row)).toThrow(/k\.json is not valid JSON/);
  });

  it("should parse JSON Lines with CRLF endings and blank lines, counting lines from 1", () => {
    expect(parseJsonl("k", '{"id":1}\r\n\r\n{"id":2}\r\n', Row)).toEqual([{ id: 1 }, { id: 2 }]);
    try {
      parseJsonl("k", '{"id":1}\n\n{"id":"two"}\n', Row);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toBe("k line 3 does not match its schema");
      expect((error as ValidationError).details).toMatchObject({ key: "k", line: 3, issues: [{ path: "id" }] });
    }
  });

  it("should serialise records one per line with a trailing newline, and nothing for no records", () => {
    expect(serializeJsonl([{ id: 1 }, { id: 2 }])).toBe('{"id":1}\n{"id":2}\n');
    expect(serializeJsonl([])).toBe("");
    expect(parseJsonl("k", serializeJsonl([{ id: 1 }]), Row)).toEqual([{ id: 1 }]);
  });
});
