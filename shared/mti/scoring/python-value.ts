/**
 * The Python values an MTI-Bench answer can evaluate to, as plain data. Only what `str()` of a literal or of simple
 * arithmetic can produce is modelled; anything else is never evaluated (see `python-evaluator.ts`).
 */

/** A Python `int`; a `bigint` so that results stay exact however large (Python ints are unbounded). */
export interface PyInt {
  readonly kind: "int";
  readonly value: bigint;
}

/** A Python `bool`, kept apart from `int` because `str(True)` is "True" although `True + 1 == 2`. */
export interface PyBool {
  readonly kind: "bool";
  readonly value: boolean;
}

/** A Python `float`: an IEEE double, as in CPython. */
export interface PyFloat {
  readonly kind: "float";
  readonly value: number;
}

/** `None`. */
export interface PyNone {
  readonly kind: "none";
}

/** `...` (`Ellipsis`), which `str()` prints as "Ellipsis". */
export interface PyEllipsis {
  readonly kind: "ellipsis";
}

/** A Python `str`; JavaScript strings hold the same code points (lone surrogates are refused before they get here). */
export interface PyStr {
  readonly kind: "str";
  readonly value: string;
}

/** A `list` or a `tuple`: same data, different brackets in `repr`. */
export interface PySequence {
  readonly kind: "list" | "tuple";
  readonly items: readonly PyValue[];
}

/** A `dict`, in insertion order (Python 3.7+), keys already de-duplicated the way Python does. */
export interface PyDict {
  readonly kind: "dict";
  readonly entries: readonly (readonly [PyValue, PyValue])[];
}

/** A `set`, its items already in the order CPython's `repr` prints them. */
export interface PySet {
  readonly kind: "set";
  readonly items: readonly PyValue[];
}

/** Any value the scorer can build. */
export type PyValue = PyInt | PyBool | PyFloat | PyNone | PyEllipsis | PyStr | PySequence | PyDict | PySet;

/** Builds an `int`. */
export const pyInt = (value: bigint): PyInt => ({ kind: "int", value });
/** Builds a `bool`. */
export const pyBool = (value: boolean): PyBool => ({ kind: "bool", value });
/** Builds a `float`. */
export const pyFloat = (value: number): PyFloat => ({ kind: "float", value });
/** Builds a `str`. */
export const pyStr = (value: string): PyStr => ({ kind: "str", value });
/** `None`. */
export const PY_NONE: PyNone = { kind: "none" };
/** `Ellipsis`. */
export const PY_ELLIPSIS: PyEllipsis = { kind: "ellipsis" };
