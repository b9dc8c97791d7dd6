/**
 * Building dicts and sets the way CPython does: keys must be hashable; equal keys (1, 1.0 and True are equal) keep
 * the first key object and, in a dict, the last value; a dict keeps insertion order. A set's `repr` order is the
 * order of its hash table, so it is reproduced only where that order is certain: one element, or at most four
 * distinct ints in [0, 8), which sit in their own slots of the 8-slot table and print in ascending order (the table
 * is not resized below five entries, whether the display is built item by item or, since 3.9, from a frozenset
 * constant). Other sets, and NaN keys (whose identity CPython's constant folding may or may not share), are not
 * evaluated.
 */
import { raises, unsupported } from "./python-evaluation-error.js";
import type { PyDict, PySet, PyValue } from "./python-value.js";

function numericValue(value: PyValue): bigint | number | null {
  if (value.kind === "int") return value.value;
  if (value.kind === "bool") return value.value ? 1n : 0n;
  if (value.kind === "float") return value.value;
  return null;
}

/** Python's `==` between two hashable values, which is what dict and set membership uses. */
export function keysEqual(a: PyValue, b: PyValue): boolean {
  const x = numericValue(a);
  const y = numericValue(b);
  if (x !== null && y !== null) {
    if (typeof x === "bigint" && typeof y === "bigint") return x === y;
    if (typeof x === "number" && typeof y === "number") return x === y;
    const [i, f] = typeof x === "bigint" ? [x, y as number] : [y as bigint, x];
    return Number.isInteger(f) && BigInt(f) === i; // exact, as Python compares int with float
  }
  if (a.kind === "str" && b.kind === "str") return a.value === b.value;
  if ((a.kind === "none" && b.kind === "none") || (a.kind === "ellipsis" && b.kind === "ellipsis")) return true;
  if (a.kind === "tuple" && b.kind === "tuple") {
    return a.items.length === b.items.length && a.items.every((item, i) => keysEqual(item, b.items[i]!));
  }
  return false;
}

/** Throws as Python does for an unhashable key, and refuses NaN keys. */
function checkKey(value: PyValue): void {
  if (value.kind === "list" || value.kind === "dict" || value.kind === "set") throw raises(`TypeError: unhashable type: '${value.kind}'`);
  if (value.kind === "float" && Number.isNaN(value.value)) throw unsupported("NaN keys depend on object identity");
  if (value.kind === "tuple") value.items.forEach(checkKey);
}

/**
 * A dict display's value from its evaluated entries.
 *
 * @example
 * buildDict([[pyInt(1n), pyStr("a")], [pyBool(true), pyStr("b")]]); // {1: 'b'}
 */
export function buildDict(entries: readonly (readonly [PyValue, PyValue])[]): PyDict {
  const out: [PyValue, PyValue][] = [];
  for (const [key, value] of entries) {
    checkKey(key);
    const existing = out.find(([k]) => keysEqual(k, key));
    if (existing) existing[1] = value;
    else out.push([key, value]);
  }
  return { kind: "dict", entries: out };
}

/**
 * A set display's value, its items in CPython's `repr` order.
 *
 * @throws PythonEvaluationError (`unsupported`) where that order is not certain.
 * @example
 * buildSet([pyInt(3n), pyInt(1n), pyInt(2n)]); // {1, 2, 3}
 */
export function buildSet(items: readonly PyValue[]): PySet {
  const unique: PyValue[] = [];
  for (const item of items) {
    checkKey(item);
    if (!unique.some((u) => keysEqual(u, item))) unique.push(item);
  }
  if (unique.length <= 1) return { kind: "set", items: unique };
  const small = unique.every((u) => {
    const n = numericValue(u);
    return (u.kind === "int" || u.kind === "bool") && typeof n === "bigint" && n >= 0n && n < 8n;
  });
  if (!small || unique.length > 4) throw unsupported("set order depends on CPython's hash table");
  const sorted = [...unique].sort((a, b) => Number(numericValue(a)) - Number(numericValue(b)));
  return { kind: "set", items: sorted };
}
