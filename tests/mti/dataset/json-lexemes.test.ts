import { describe, expect, it } from "vitest";
import { parseJsonLexemes, rawJsonText } from "../../../shared/mti/dataset/json-lexemes.js";

describe("parseJsonLexemes", () => {
  it("should replace every primitive by its source text and keep the shape", () => {
    expect(parseJsonLexemes('{"a": [1.0, 1e-05, 1E+2, true, null, "E", "\\u00e9"], "b": {"c": -0}}')).toEqual({
      a: ["1.0", "1e-05", "1E+2", "true", "null", '"E"', '"\\u00e9"'],
      b: { c: "-0" },
    });
    expect(parseJsonLexemes("  12.50 ")).toBe("12.50");
  });

  it("should throw JSON.parse's SyntaxError on bad JSON", () => {
    expect(() => parseJsonLexemes("[1,")).toThrow(SyntaxError);
  });
});

describe("rawJsonText", () => {
  it("should rebuild containers from exact lexemes with json.dump's separators", () => {
    expect(rawJsonText(parseJsonLexemes("[1,2,  4]"))).toBe("[1, 2, 4]");
    expect(rawJsonText(parseJsonLexemes('[[], [1.0, "x"], {"k":2.50}]'))).toBe('[[], [1.0, "x"], {"k": 2.50}]');
    expect(rawJsonText(parseJsonLexemes("1e-05"))).toBe("1e-05");
  });
});
