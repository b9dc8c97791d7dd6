/**
 * A tokenizer for the part of Python's expression syntax the scorer evaluates, following CPython 3.11's rules for
 * what it accepts: numeric literals with underscores and base prefixes, string literals with escapes and the r/u
 * prefixes, comments, backslash continuations, and newlines that only count outside brackets. Anything else
 * (bytes, f-strings, non-ASCII names, unknown characters) stops tokenizing with a {@link PythonEvaluationError}.
 */
import { raises, unsupported } from "./python-evaluation-error.js";
import { pyFloat, pyInt, type PyFloat, type PyInt } from "./python-value.js";

/** One token. `start` is the offset in the (newline-normalised) source, for messages. */
export type PyToken =
  | { readonly type: "number"; readonly value: PyInt | PyFloat; readonly start: number }
  | { readonly type: "string"; readonly value: string; readonly start: number }
  | { readonly type: "name"; readonly name: string; readonly start: number }
  | { readonly type: "op"; readonly op: string; readonly start: number }
  | { readonly type: "newline"; readonly start: number }
  | { readonly type: "end"; readonly start: number };

/** CPython 3.11+ refuses decimal int literals longer than this (`sys.int_info.default_max_str_digits`). */
export const MAX_INT_STR_DIGITS = 4300;
/** CPython's tokenizer refuses deeper bracket nesting ("too many nested parentheses"). */
const MAX_BRACKET_DEPTH = 200;

const NUMBER = /0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][-+]?[0-9](?:_?[0-9])*)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const OCTAL = /[0-7]{1,3}/y;
const IDENTIFIER_CHAR = /[A-Za-z0-9_]|[^\x00-\x7f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Longest first, so "**" is not read as two "*".
const OPERATORS = [
  "**=", "//=", ">>=", "<<=", "...", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", ":=", "+=", "-=", "*=",
  "/=", "%=", "&=", "|=", "^=", "@=", "+", "-", "*", "/", "%", "@", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]",
  "{", "}", ",", ":", ".", ";", "=",
];
const OPENING = new Set(["(", "[", "{"]);
const CLOSING = new Set([")", "]", "}"]);
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v",
};

function numberToken(text: string, start: number): PyInt | PyFloat {
  if (/[jJ]$/.test(text)) throw unsupported("complex literals are not reproduced");
  const digits = text.replace(/_/g, "");
  if (/^0[xob]/i.test(digits)) return pyInt(BigInt(`0${digits[1]!.toLowerCase()}${digits.slice(2)}`));
  if (/[.eE]/.test(digits)) return pyFloat(Number(digits));
  if (/^0+[1-9]/.test(digits)) throw raises(`leading zeros in decimal integer literal at ${start}`);
  if (digits.length > MAX_INT_STR_DIGITS) throw unsupported(`int literal of ${digits.length} digits (CPython ≥ 3.11 refuses it)`);
  return pyInt(BigInt(digits));
}

/** Decodes the escapes of a non-raw str literal body, as CPython's `_PyUnicode_DecodeUnicodeEscape` does. */
function decodeEscapes(body: string): string {
  let out = "";
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      i += 1;
      continue;
    }
    const next = body[i + 1]!;
    if (next === "\n") {
      i += 2; // a backslash-newline inside a literal joins the lines
    } else if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i += 2;
    } else if (/[0-7]/.test(next)) {
      OCTAL.lastIndex = i + 1;
      const octal = OCTAL.exec(body)![0];
      out += String.fromCodePoint(parseInt(octal, 8));
      i += 1 + octal.length;
    } else if (next === "x" || next === "u" || next === "U") {
      const width = next === "x" ? 2 : next === "u" ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw raises(`truncated \\${next} escape`);
      const codePoint = parseInt(hex, 16);
      if (codePoint > 0x10ffff) throw raises("illegal Unicode character");
      // Python keeps "\ud83d\ude00" as two code points; a JavaScript string would merge them into one.
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) throw unsupported("surrogate escapes are not reproduced");
      out += String.fromCodePoint(codePoint);
      i += 2 + width;
    } else if (next === "N") {
      throw unsupported("\\N{…} escapes need the Unicode name table");
    } else {
      out += "\\"; // an unknown escape keeps its backslash (a warning in Python, not an error)
      i += 1;
    }
  }
  return out;
}

/** Reads a string literal starting at the quote `at`; returns its value and the offset after it. */
function readString(source: string, at: number, raw: boolean): { value: string; end: number } {
  const quote = source[at]!;
  const triple = source.startsWith(quote.repeat(3), at);
  const open = triple ? 3 : 1;
  let j = at + open;
  for (;;) {
    if (j >= source.length) throw raises("unterminated string literal");
    const ch = source[j]!;
    if (ch === "\\") {
      if (j + 1 >= source.length) throw raises("unterminated string literal");
      j += 2;
      continue;
    }
    if (!triple && ch === "\n") throw raises("unterminated string literal");
    if (triple ? source.startsWith(quote.repeat(3), j) : ch === quote) break;
    j += 1;
  }
  const body = source.slice(at + open, j);
  return { value: raw ? body : decodeEscapes(body), end: j + open };
}

/**
 * Splits Python source into tokens, ending with an `end` token.
 *
 * @throws PythonEvaluationError for anything outside the supported subset or that CPython's tokenizer rejects.
 * @example
 * tokenizePython("[1, 'a']").map((t) => t.type); // ["op", "number", "op", "string", "op", "end"]
 */
export function tokenizePython(input: string): PyToken[] {
  // Python's string compile translates \r\n and \r to \n, refuses NULs, and needs encodable (UTF-8) text.
  const source = input.replace(/\r\n?/g, "\n");
  if (source.includes("\0")) throw raises("source code string cannot contain null bytes");
  if (LONE_SURROGATE.test(source)) throw raises("lone surrogate cannot be encoded as UTF-8");
  const tokens: PyToken[] = [];
  let i = 0;
  while (source[i] === " " || source[i] === "\t") i += 1; // eval() strips leading spaces and tabs
  let depth = 0;
  let lineHasToken = false;
  let lineIndented = false;
  while (i < source.length) {
    const c = source[i]!;
    if (c === " " || c === "\t" || c === "\f") {
      if (!lineHasToken && depth === 0) lineIndented = true;
      i += 1;
      continue;
    }
    if (c === "#") {
      while (i < source.length && source[i] !== "\n") i += 1;
      continue;
    }
    if (c === "\\") {
      if (source[i + 1] !== "\n") throw unsupported(`unexpected character after line continuation at ${i}`);
      i += 2;
      continue;
    }
    if (c === "\n") {
      i += 1;
      if (depth > 0) continue;
      if (lineHasToken) tokens.push({ type: "newline", start: i - 1 });
      lineHasToken = false;
      lineIndented = false;
      continue;
    }
    if (depth === 0 && !lineHasToken && lineIndented) throw raises("unexpected indent");
    lineHasToken = true;
    const start = i;

    NUMBER.lastIndex = i;
    const number = /[0-9]/.test(c) || (c === "." && /[0-9]/.test(source[i + 1] ?? "")) ? NUMBER.exec(source) : null;
    if (number) {
      let end = i + number[0].length;
      const imaginary = /[jJ]/.test(source[end] ?? "");
      if (imaginary) end += 1;
      if (IDENTIFIER_CHAR.test(source[end] ?? "")) throw unsupported(`a literal runs into a name at ${start}`);
      tokens.push({ type: "number", value: numberToken(source.slice(i, end), start), start });
      i = end;
      continue;
    }

    NAME.lastIndex = i;
    const name = NAME.exec(source);
    if (name) {
      const end = i + name[0].length;
      const after = source[end] ?? "";
      if (after === "'" || after === '"') {
        const prefix = name[0].toLowerCase();
        if (!["r", "u", "b", "br", "rb", "f", "fr", "rf"].includes(prefix)) throw raises(`invalid string prefix at ${start}`);
        if (prefix.includes("b") || prefix.includes("f")) throw unsupported("bytes and f-strings are not reproduced");
        const literal = readString(source, end, prefix === "r");
        tokens.push({ type: "string", value: literal.value, start });
        i = literal.end;
        continue;
      }
      if (/[^\x00-\x7f]/.test(after)) throw unsupported("non-ASCII names are not reproduced");
      tokens.push({ type: "name", name: name[0], start });
      i = end;
      continue;
    }

    if (c === "'" || c === '"') {
      const literal = readString(source, i, false);
      tokens.push({ type: "string", value: literal.value, start });
      i = literal.end;
      continue;
    }

    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) throw unsupported(`character ${JSON.stringify(c)} at ${i} is not reproduced`);
    if (OPENING.has(op)) {
      depth += 1;
      if (depth > MAX_BRACKET_DEPTH) throw raises("too many nested parentheses");
    } else if (CLOSING.has(op)) {
      if (depth === 0) throw raises(`unmatched '${op}'`);
      depth -= 1;
    }
    tokens.push({ type: "op", op, start });
    i += op.length;
  }
  if (depth > 0) throw raises("unexpected EOF: a bracket is never closed");
  tokens.push({ type: "end", start: source.length });
  return tokens;
}

