/**
 * Python's `json.loads`, producing {@link PyValue}s, so a gold answer prints as `str(json.loads(raw))` would: JSON
 * numbers with a fraction or exponent are floats (`1.0` stays a float and prints "1.0"; `1E-5` prints "1e-05"),
 * others are exact ints; `true`/`null` become True/None; `NaN`, `Infinity` and `-Infinity` are accepted, as Python
 * accepts them; an object keeps its first key position and its last value for a repeated key. Strictness follows the
 * C scanner: no control characters in strings, no trailing commas, no BOM, no extra data.
 */
import { MAX_INT_STR_DIGITS } from "./python-tokenizer.js";
import { PY_NONE, pyBool, pyFloat, pyInt, pyStr, type PyValue } from "./python-value.js";
import { buildDict } from "./python-containers.js";

/** A text `json.loads` would refuse, with the offset it gives up at. */
export class PythonJsonError extends Error {
  readonly position: number;

  constructor(message: string, position: number) {
    super(`${message} (char ${position})`);
    this.name = "PythonJsonError";
    this.position = position;
  }
}

const NUMBER = /(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

class JsonReader {
  position = 0;

  constructor(private readonly text: string) {}

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.position;
    this.position += WHITESPACE.exec(this.text)![0].length;
  }

  value(): PyValue {
    const t = this.text;
    const at = this.position;
    const c = t[at];
    if (c === '"') return pyStr(this.string());
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    for (const [word, value] of [
      ["null", PY_NONE],
      ["true", pyBool(true)],
      ["false", pyBool(false)],
      ["NaN", pyFloat(NaN)],
      ["Infinity", pyFloat(Infinity)],
      ["-Infinity", pyFloat(-Infinity)],
    ] as const) {
      if (t.startsWith(word, at)) {
        this.position += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = at;
    const number = NUMBER.exec(t);
    if (!number) throw new PythonJsonError("Expecting value", at);
    this.position += number[0].length;
    if (number[2] !== undefined || number[3] !== undefined) return pyFloat(Number(number[0]));
    if (number[1]!.replace("-", "").length > MAX_INT_STR_DIGITS) {
      throw new PythonJsonError(`int of more than ${MAX_INT_STR_DIGITS} digits (CPython ≥ 3.11 refuses it)`, at);
    }
    return pyInt(BigInt(number[1]!));
  }

  private string(): string {
    const t = this.text;
    let out = "";
    let i = this.position + 1;
    for (;;) {
      if (i >= t.length) throw new PythonJsonError("Unterminated string starting at", this.position);
      const c = t[i]!;
      if (c === '"') break;
      if (c.charCodeAt(0) < 0x20) throw new PythonJsonError("Invalid control character at", i);
      if (c !== "\\") {
        out += c;
        i += 1;
        continue;
      }
      const e = t[i + 1];
      if (e === undefined) throw new PythonJsonError("Unterminated string starting at", this.position);
      if (e in ESCAPES) {
        out += ESCAPES[e];
        i += 2;
        continue;
      }
      if (e !== "u") throw new PythonJsonError("Invalid \\escape", i);
      const unit = this.hex4(i + 2, i);
      i += 6;
      // A high surrogate followed by an escaped low one is one character; any other surrogate stays alone.
      if (unit >= 0xd800 && unit <= 0xdbff && t.startsWith("\\u", i)) {
        const low = this.hex4(i + 2, i);
        if (low >= 0xdc00 && low <= 0xdfff) {
          out += String.fromCodePoint(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
          i += 6;
          continue;
        }
      }
      out += String.fromCharCode(unit);
    }
    this.position = i + 1;
    return out;
  }

  private hex4(at: number, escapeAt: number): number {
    const hex = this.text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PythonJsonError("Invalid \\uXXXX escape", escapeAt);
    return parseInt(hex, 16);
  }

  private object(): PyValue {
    const entries: [PyValue, PyValue][] = [];
    this.position += 1;
    this.skipWhitespace();
    if (this.text[this.position] === "}") {
      this.position += 1;
      return buildDict(entries);
    }
    for (;;) {
      if (this.text[this.position] !== '"') throw new PythonJsonError("Expecting property name enclosed in double quotes", this.position);
      const key = pyStr(this.string());
      this.skipWhitespace();
      if (this.text[this.position] !== ":") throw new PythonJsonError("Expecting ':' delimiter", this.position);
      this.position += 1;
      this.skipWhitespace();
      entries.push([key, this.value()]);
      this.skipWhitespace();
      const c = this.text[this.position];
      this.position += 1;
      if (c === "}") return buildDict(entries);
      if (c !== ",") throw new PythonJsonError("Expecting ',' delimiter", this.position - 1);
      this.skipWhitespace();
    }
  }

  private array(): PyValue {
    const items: PyValue[] = [];
    this.position += 1;
    this.skipWhitespace();
    if (this.text[this.position] === "]") {
      this.position += 1;
      return { kind: "list", items };
    }
    for (;;) {
      items.push(this.value());
      this.skipWhitespace();
      const c = this.text[this.position];
      this.position += 1;
      if (c === "]") return { kind: "list", items };
      if (c !== ",") throw new PythonJsonError("Expecting ',' delimiter", this.position - 1);
      this.skipWhitespace();
    }
  }
}

/**
 * `json.loads(text)` as a {@link PyValue}.
 *
 * @throws PythonJsonError where `json.loads` raises.
 * @example
 * parsePythonJson("[1.0, 1e-05, true]"); // list of float 1, float 1e-5, bool True
 */
export function parsePythonJson(text: string): PyValue {
  if (text.startsWith("\ufeff")) throw new PythonJsonError("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
  // A file the authors' json.load read was UTF-8, which cannot hold a lone surrogate.
  if (LONE_SURROGATE.test(text)) throw new PythonJsonError("lone surrogate in the text", text.search(LONE_SURROGATE));
  const reader = new JsonReader(text);
  reader.skipWhitespace();
  const value = reader.value();
  reader.skipWhitespace();
  if (reader.position !== text.length) throw new PythonJsonError("Extra data", reader.position);
  return value;
}
