/**
 * The syntax tree of the Python expressions the scorer evaluates: literals, displays and arithmetic. Building a tree
 * before evaluating mirrors CPython (compile, then run), so a syntax error anywhere keeps the text even when an
 * earlier part would have raised at run time; either way the outcome is the same.
 */
import type { PyValue } from "./python-value.js";

/** The binary operators evaluated, with Python's meaning. */
export type PyBinaryOperator = "+" | "-" | "*" | "/" | "//" | "%" | "**" | "<<" | ">>" | "&" | "|" | "^";

/** The unary operators evaluated: `-x`, `+x`, `~x`, `not x`. */
export type PyUnaryOperator = "-" | "+" | "~" | "not";

/** A node of the tree. */
export type PyNode =
  | { readonly type: "literal"; readonly value: PyValue }
  | { readonly type: "list" | "tuple" | "set"; readonly items: readonly PyNode[] }
  | { readonly type: "dict"; readonly entries: readonly (readonly [PyNode, PyNode])[] }
  | { readonly type: "unary"; readonly operator: PyUnaryOperator; readonly operand: PyNode }
  | { readonly type: "binary"; readonly operator: PyBinaryOperator; readonly left: PyNode; readonly right: PyNode };
