import { describe, expect, it } from "vitest";
import { decodeUtf8Strict, firstInvalidUtf8 } from "../../shared/datasets/utf8.js";

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

describe("strict UTF-8", () => {
  it("should decode valid text, multi-byte characters included", () => {
    expect(decodeUtf8Strict(bytes("café ☕ 𝄞\n"))).toBe("café ☕ 𝄞\n");
    expect(firstInvalidUtf8(bytes("plain"))).toBeNull();
  });

  it.each([
    ["a Latin-1 byte", bytes("ab\ncd", [0xe9], "x"), { byteOffset: 5, line: 2, column: 3 }],
    ["a lone continuation byte", bytes("x", [0x80]), { byteOffset: 1, line: 1, column: 2 }],
    ["a truncated sequence at the end", bytes("x", [0xe2, 0x98]), { byteOffset: 1, line: 1, column: 2 }],
    ["an overlong encoding of '/'", bytes([0xc0, 0xaf]), { byteOffset: 0, line: 1, column: 1 }],
    ["an overlong three-byte form", bytes([0xe0, 0x80, 0xaf]), { byteOffset: 0, line: 1, column: 1 }],
    ["a UTF-16 surrogate", bytes("é", [0xed, 0xa0, 0x80]), { byteOffset: 2, line: 1, column: 2 }],
    ["a code point past U+10FFFF", bytes([0xf4, 0x90, 0x80, 0x80]), { byteOffset: 0, line: 1, column: 1 }],
  ])("should find %s and say where it is", (_name, input, where) => {
    expect(firstInvalidUtf8(input)).toEqual(where);
    expect(() => decodeUtf8Strict(input)).toThrow(`not valid UTF-8 at byte ${where.byteOffset} (line ${where.line}, column ${where.column})`);
  });
});
