/**
 * The characters Python's `str.isspace()` accepts. JavaScript's `trim()` differs at the edges (it strips U+FEFF and
 * keeps U+001C–U+001F and U+0085), and the reference code for `tulu` and `llama-2` calls Python's `strip()`.
 */
const PYTHON_WHITESPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const EDGES = new RegExp(`^[${PYTHON_WHITESPACE}]+|[${PYTHON_WHITESPACE}]+$`, "g");

/**
 * Python's `str.strip()` with no argument.
 *
 * @example
 * pythonStrip(" \u0085answer\n"); // "answer"
 */
export function pythonStrip(text: string): string {
  return text.replace(EDGES, "");
}
