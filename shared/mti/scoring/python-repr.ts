/**
 * `repr()` and `str()` of the values in `python-value.ts`, as CPython 3 prints them. A container's `str` is its
 * `repr`, which uses `repr` of its items (so strings inside a list are quoted); only a bare str prints unquoted.
 */
import { pythonFloatRepr } from "./python-float-repr.js";
import { pythonStringRepr } from "./python-string-repr.js";
import type { PyValue } from "./python-value.js";

/**
 * `repr(value)`.
 *
 * @example
 * pythonRepr({ kind: "tuple", items: [{ kind: "int", value: 1n }] }); // "(1,)"
 */
export function pythonRepr(value: PyValue): string {
  switch (value.kind) {
    case "int":
      return value.value.toString();
    case "bool":
      return value.value ? "True" : "False";
    case "float":
      return pythonFloatRepr(value.value);
    case "none":
      return "None";
    case "ellipsis":
      return "Ellipsis";
    case "str":
      return pythonStringRepr(value.value);
    case "list":
      return `[${value.items.map(pythonRepr).join(", ")}]`;
    case "tuple":
      return value.items.length === 1 ? `(${pythonRepr(value.items[0]!)},)` : `(${value.items.map(pythonRepr).join(", ")})`;
    case "dict":
      return `{${value.entries.map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(", ")}}`;
    case "set":
      // An empty set prints as "set()", but no literal can make one.
      return value.items.length === 0 ? "set()" : `{${value.items.map(pythonRepr).join(", ")}}`;
  }
}

/**
 * `str(value)`: the text itself for a str, `repr` for everything else.
 *
 * @example
 * pythonStr({ kind: "str", value: "E" }); // "E"
 * pythonStr({ kind: "list", items: [{ kind: "str", value: "E" }] }); // "['E']"
 */
export function pythonStr(value: PyValue): string {
  return value.kind === "str" ? value.value : pythonRepr(value);
}
