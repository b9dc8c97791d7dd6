/**
 * Python's `str.strip()` with no argument. It strips every character for which `str.isspace()` is true, which is not
 * the set JavaScript's `trim()` strips: Python also strips U+001C–U+001F and U+0085, and keeps U+FEFF.
 */

// The list printed by `[c for c in map(chr, range(0x110000)) if c.isspace()]` (CPython 3.11); stable since 3.4.
const PYTHON_WHITESPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
  0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** Whether Python's `str.isspace()` holds for this one UTF-16 unit (all of Python's whitespace is in the BMP). */
export function isPythonWhitespace(unit: number): boolean {
  return PYTHON_WHITESPACE.has(unit);
}

/**
 * `text.strip()` as CPython computes it.
 *
 * @example
 * pythonStrip("\u001f 42\n"); // "42" (JavaScript's trim() would keep the U+001F)
 */
export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPythonWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isPythonWhitespace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}
