/**
 * `repr(str)` as CPython 3 writes it (`unicode_repr` in Objects/unicodeobject.c): single quotes unless the text holds
 * a single quote and no double quote; backslash, the chosen quote, \t \n \r escaped; other C0 controls and DEL as
 * \xHH; non-ASCII kept when printable, else \xHH, \uHHHH or \UHHHHHHHH.
 *
 * "Printable" is Python's `str.isprintable()`: not in categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (space excepted).
 * The categories come from this JavaScript engine's Unicode tables, which may be newer than the authors' Python's; a
 * code point assigned in between (Cn there, a letter here) would be written differently. Answers are not expected to
 * hold such characters.
 */

const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

function hex(codePoint: number, width: number): string {
  return codePoint.toString(16).padStart(width, "0");
}

/**
 * `repr(text)` of a Python str.
 *
 * @example
 * pythonStringRepr("E"); // "'E'"
 * pythonStringRepr("it's"); // "\"it's\""
 * pythonStringRepr("a\"b'c"); // "'a\"b\\'c'"
 */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x7f || !NOT_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}
