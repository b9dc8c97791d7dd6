import { describe, expect, it } from "vitest";
import { pythonFloatRepr } from "../../../shared/mti/scoring/python-float-repr.js";
import { pythonRepr, pythonStr } from "../../../shared/mti/scoring/python-repr.js";
import { pythonStringRepr } from "../../../shared/mti/scoring/python-string-repr.js";
import { pyFloat, pyInt, pyStr } from "../../../shared/mti/scoring/python-value.js";

describe("pythonFloatRepr", () => {
  it.each([
    [1, "1.0"],
    [1.5, "1.5"],
    [-0, "-0.0"],
    [0, "0.0"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [1e16, "1e+16"],
    [1e15, "1000000000000000.0"],
    [123456789012345678, "1.2345678901234568e+17"],
    [1e22, "1e+22"],
    [1.5e300, "1.5e+300"],
    [1e-7, "1e-07"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [-0.19999999999999996, "-0.19999999999999996"],
    [0.1 + 0.2, "0.30000000000000004"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "nan"],
  ])("should print %d as Python's repr does (%s)", (x, expected) => {
    expect(pythonFloatRepr(x)).toBe(expected);
  });
});

describe("pythonStringRepr", () => {
  it.each([
    ["E", "'E'"],
    ["it's", `"it's"`],
    [`a"b`, `'a"b'`],
    [`a"b'c`, `'a"b\\'c'`],
    ["\t\n\r\x00\\", "'\\t\\n\\r\\x00\\\\'"],
    ["\x7f\x80\xa0\xad", "'\\x7f\\x80\\xa0\\xad'"],
    ["é😀", "'é😀'"],
    ["\u2028\u0378\ufeff", "'\\u2028\\u0378\\ufeff'"],
    ["\u{e0001}", "'\\U000e0001'"],
    ["a b", "'a b'"],
  ])("should quote %j as Python's repr does", (text, expected) => {
    expect(pythonStringRepr(text)).toBe(expected);
  });
});

describe("pythonStr", () => {
  it("should print a bare str unquoted and a str inside a container quoted", () => {
    expect(pythonStr(pyStr("E"))).toBe("E");
    expect(pythonStr({ kind: "list", items: [pyStr("E")] })).toBe("['E']");
  });

  it("should print one-element tuples with a trailing comma and dicts with reprs", () => {
    expect(pythonRepr({ kind: "tuple", items: [pyInt(1n)] })).toBe("(1,)");
    expect(pythonRepr({ kind: "tuple", items: [] })).toBe("()");
    expect(pythonRepr({ kind: "dict", entries: [[pyStr("a"), pyFloat(1)]] })).toBe("{'a': 1.0}");
  });
});
