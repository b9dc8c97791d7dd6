/**
 * Decoding an uploaded file as UTF-8, strictly: a byte sequence that is not UTF-8 is an error that says where it is,
 * never silently replaced by U+FFFD (which would store, hash and score text the user never wrote).
 */
import { isUtf8 } from "node:buffer";
import { ValidationError } from "../errors.js";

/** Where the first invalid sequence starts: byte offset, 1-based line and column (in characters before it). */
export function firstInvalidUtf8(bytes: Uint8Array): { byteOffset: number; line: number; column: number } | null {
  if (isUtf8(bytes)) return null;
  let line = 1;
  let column = 1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    let ok = need >= 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    // Overlong three-byte forms, surrogates, and code points past U+10FFFF.
    if (ok && need === 2) ok = !(b === 0xe0 && bytes[i + 1]! < 0xa0) && !(b === 0xed && bytes[i + 1]! >= 0xa0);
    if (ok && need === 3) ok = !(b === 0xf0 && bytes[i + 1]! < 0x90) && !(b === 0xf4 && bytes[i + 1]! >= 0x90);
    if (!ok) return { byteOffset: i, line, column };
    if (b === 0x0a) {
      line++;
      column = 1;
    } else column++;
    i += need + 1;
  }
  return null;
}

/**
 * @example
 * decodeUtf8Strict(new Uint8Array([0x61, 0xff])); // throws: not valid UTF-8 at byte 1 (line 1, column 2)
 */
export function decodeUtf8Strict(bytes: Uint8Array, what = "the upload"): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad) {
    throw new ValidationError(
      `${what} is not valid UTF-8 at byte ${bad.byteOffset} (line ${bad.line}, column ${bad.column}): save the file as UTF-8 and upload it again`,
      bad,
    );
  }
  return new TextDecoder("utf-8").decode(bytes);
}
