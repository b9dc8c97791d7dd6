/**
 * Little-endian byte writing and reading for the state codec: unsigned LEB128 varints (small numbers in one byte),
 * float32 and float64. The reader throws a {@link MemoryStateDecodeError} instead of reading past the end.
 */
import { MemoryStateDecodeError } from "./memory-errors.js";

/** A growing byte buffer. */
export class ByteWriter {
  #bytes = new Uint8Array(256);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;

  /** Room for `n` more bytes, doubling so a long state costs O(length) copies. */
  #reserve(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  /** One byte, 0–255. */
  u8(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }

  /** Bytes as they are. */
  raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** An unsigned safe integer, 7 bits a byte; arithmetic rather than bit operations so values past 2^31 survive. */
  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint needs an unsigned safe integer, got ${value}`);
    while (value >= 0x80) {
      this.u8((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.u8(value);
  }

  /** An unsigned 32-bit integer, 4 bytes. */
  u32(value: number): void {
    this.#reserve(4);
    this.#view.setUint32(this.#length, value, true);
    this.#length += 4;
  }

  /** A float32, 4 bytes: `value` must already be a float32 value to round-trip exactly. */
  f32(value: number): void {
    this.#reserve(4);
    this.#view.setFloat32(this.#length, value, true);
    this.#length += 4;
  }

  /** A float64, 8 bytes. */
  f64(value: number): void {
    this.#reserve(8);
    this.#view.setFloat64(this.#length, value, true);
    this.#length += 8;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** A copy of what was written. */
  bytes(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

/** Reads what a {@link ByteWriter} wrote, in the same order. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  #need(n: number, what: string): void {
    if (this.#offset + n > this.#bytes.length) {
      throw new MemoryStateDecodeError("truncated", `${this.#bytes.length} bytes end inside ${what} at byte ${this.#offset}`);
    }
  }

  /** One byte; `what` names the field in the error if the bytes end first (so do the others). */
  u8(what: string): number {
    this.#need(1, what);
    return this.#bytes[this.#offset++]!;
  }

  /** `n` bytes, a view (no copy). */
  raw(n: number, what: string): Uint8Array {
    this.#need(n, what);
    const out = this.#bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  /** An unsigned LEB128 integer; one past 2^53 is invalid rather than silently rounded. */
  varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8(what);
      value += (byte & 0x7f) * scale;
      if (!Number.isSafeInteger(value)) throw new MemoryStateDecodeError("invalid", `${what} does not fit a safe integer`);
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  }

  /** An unsigned 32-bit integer. */
  u32(what: string): number {
    this.#need(4, what);
    const v = this.#view.getUint32(this.#offset, true);
    this.#offset += 4;
    return v;
  }

  /** A float32. */
  f32(what: string): number {
    this.#need(4, what);
    const v = this.#view.getFloat32(this.#offset, true);
    this.#offset += 4;
    return v;
  }

  /** A float64. */
  f64(what: string): number {
    this.#need(8, what);
    const v = this.#view.getFloat64(this.#offset, true);
    this.#offset += 8;
    return v;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }
}
