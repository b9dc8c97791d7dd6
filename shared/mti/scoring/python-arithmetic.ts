/**
 * Python's unary and binary operators over the values in `python-value.ts`: `bool` is an `int` in arithmetic
 * (`True + 1 == 2`) but `&`, `|`, `^` of two bools stay bool; ints are exact (BigInt) with floor semantics for `//`
 * and `%`; an int meeting a float is converted first (OverflowError when too large); `int / int` is correctly rounded
 * (CPython's `long_true_divide`); str, list and tuple concatenate and repeat. Combinations Python supports but this
 * does not reproduce (`str % x` formatting, set and dict operators) are `unsupported`; the rest raise like Python.
 */
import { bitLength, roundRational } from "./exact-double.js";
import type { PyBinaryOperator, PyUnaryOperator } from "./python-ast.js";
import { raises, unsupported } from "./python-evaluation-error.js";
import { pythonFloatFloorDiv, pythonFloatMod } from "./python-float-division.js";
import { pythonFloatPow } from "./python-float-pow.js";
import { pyBool, pyFloat, pyInt, pyStr, type PyValue } from "./python-value.js";

/** Ints larger than this are not computed (Python would; their `str` would fail past 4,300 digits anyway). */
export const MAX_INT_BITS = 1 << 20;
/** Repetitions longer than this are not built. */
const MAX_REPEATED_LENGTH = 1 << 20;

type PyNumber = { readonly kind: "int"; readonly value: bigint } | { readonly kind: "float"; readonly value: number };

function asNumber(value: PyValue): PyNumber | null {
  if (value.kind === "int" || value.kind === "float") return value;
  if (value.kind === "bool") return { kind: "int", value: value.value ? 1n : 0n };
  return null;
}

/** Python's int → float conversion: correctly rounded, OverflowError past the largest double. */
function toFloat(n: PyNumber): number {
  if (n.kind === "float") return n.value;
  const x = Number(n.value); // ECMAScript rounds BigInt → Number to nearest, ties to even, like PyLong_AsDouble
  if (!Number.isFinite(x)) throw raises("OverflowError: int too large to convert to float");
  return x;
}

function checkedInt(value: bigint): PyValue {
  if (bitLength(value) > MAX_INT_BITS) throw unsupported("int result too large to evaluate");
  return pyInt(value);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function floorMod(a: bigint, b: bigint): bigint {
  const r = a % b;
  return r !== 0n && r < 0n !== b < 0n ? r + b : r;
}

function intPow(base: bigint, exponent: bigint): PyValue {
  if (base === 0n || base === 1n) return pyInt(exponent === 0n ? 1n : base);
  if (base === -1n) return pyInt(exponent % 2n === 0n ? 1n : -1n);
  if (exponent * BigInt(bitLength(base)) > BigInt(MAX_INT_BITS)) throw unsupported("int power too large to evaluate");
  return pyInt(base ** exponent);
}

function repeat(value: PyValue, times: bigint): PyValue {
  // The count must fit CPython's Py_ssize_t, even when the sequence is empty or the count negative.
  if (times < -(2n ** 63n) || times >= 2n ** 63n) throw raises("OverflowError: cannot fit 'int' into an index-sized integer");
  const n = times < 0n ? 0n : times;
  const length = value.kind === "str" ? value.value.length : value.kind === "list" || value.kind === "tuple" ? value.items.length : 0;
  if (length > 0 && BigInt(length) * n > BigInt(MAX_REPEATED_LENGTH)) throw unsupported("repetition too long to build");
  const count = length === 0 ? 0 : Number(n);
  if (value.kind === "str") return pyStr(value.value.repeat(count));
  if (value.kind === "list" || value.kind === "tuple") {
    return { kind: value.kind, items: Array.from({ length: count }, () => value.items).flat() };
  }
  throw raises("TypeError: can't multiply sequence by non-int");
}

function isSequence(value: PyValue): boolean {
  return value.kind === "str" || value.kind === "list" || value.kind === "tuple";
}

function typeError(operator: string, left: PyValue, right: PyValue): Error {
  // Operators Python defines on these types (set algebra, dict merge, printf-style formatting) are not reproduced.
  const defined = left.kind === "set" || left.kind === "dict" || (left.kind === "str" && operator === "%");
  const message = `unsupported operand types for ${operator}: ${left.kind} and ${right.kind}`;
  return defined ? unsupported(message) : raises(`TypeError: ${message}`);
}

function numericOperation(operator: PyBinaryOperator, a: PyNumber, b: PyNumber): PyValue {
  if (a.kind === "int" && b.kind === "int") {
    const x = a.value;
    const y = b.value;
    switch (operator) {
      case "+":
        return checkedInt(x + y);
      case "-":
        return checkedInt(x - y);
      case "*":
        if (bitLength(x) + bitLength(y) > MAX_INT_BITS) throw unsupported("int product too large to evaluate");
        return pyInt(x * y);
      case "/": {
        if (y === 0n) throw raises("ZeroDivisionError: division by zero");
        const quotient = roundRational(x, y).value;
        if (!Number.isFinite(quotient)) throw raises("OverflowError: integer division result too large for a float");
        return pyFloat(quotient);
      }
      case "//":
        if (y === 0n) throw raises("ZeroDivisionError: integer division or modulo by zero");
        return pyInt(floorDiv(x, y));
      case "%":
        if (y === 0n) throw raises("ZeroDivisionError: integer modulo by zero");
        return pyInt(floorMod(x, y));
      case "**":
        return y < 0n ? pyFloat(pythonFloatPow(toFloat(a), toFloat(b))) : intPow(x, y);
      case "<<":
        if (y < 0n) throw raises("ValueError: negative shift count");
        if (x === 0n) return pyInt(0n);
        if (y + BigInt(bitLength(x)) > BigInt(MAX_INT_BITS)) throw unsupported("shift result too large to evaluate");
        return pyInt(x << y);
      case ">>":
        if (y < 0n) throw raises("ValueError: negative shift count");
        // BigInt's >> rounds toward -infinity like Python's.
        return pyInt(y > BigInt(bitLength(x)) ? (x < 0n ? -1n : 0n) : x >> y);
      case "&":
        return pyInt(x & y);
      case "|":
        return pyInt(x | y);
      case "^":
        return pyInt(x ^ y);
    }
  }
  if (operator === "<<" || operator === ">>" || operator === "&" || operator === "|" || operator === "^") {
    throw raises(`TypeError: unsupported operand type(s) for ${operator}: float`);
  }
  const x = toFloat(a);
  const y = toFloat(b);
  switch (operator) {
    case "+":
      return pyFloat(x + y);
    case "-":
      return pyFloat(x - y);
    case "*":
      return pyFloat(x * y);
    case "/":
      if (y === 0) throw raises("ZeroDivisionError: float division by zero");
      return pyFloat(x / y);
    case "//":
      return pyFloat(pythonFloatFloorDiv(x, y));
    case "%":
      return pyFloat(pythonFloatMod(x, y));
    case "**":
      return pyFloat(pythonFloatPow(x, y));
  }
}

/**
 * `left <operator> right` with Python's semantics.
 *
 * @throws PythonEvaluationError where Python raises, or where the result is not reproduced.
 * @example
 * binaryOperation("//", pyInt(-7n), pyInt(2n)); // int -4
 */
export function binaryOperation(operator: PyBinaryOperator, left: PyValue, right: PyValue): PyValue {
  if (left.kind === "bool" && right.kind === "bool" && (operator === "&" || operator === "|" || operator === "^")) {
    const result = operator === "&" ? left.value && right.value : operator === "|" ? left.value || right.value : left.value !== right.value;
    return pyBool(result);
  }
  const a = asNumber(left);
  const b = asNumber(right);
  if (a && b) return numericOperation(operator, a, b);
  if (operator === "+" && left.kind === right.kind) {
    if (left.kind === "str" && right.kind === "str") {
      if (left.value.length + right.value.length > MAX_REPEATED_LENGTH) throw unsupported("string too long to build");
      return pyStr(left.value + right.value);
    }
    if ((left.kind === "list" || left.kind === "tuple") && (right.kind === "list" || right.kind === "tuple")) {
      return { kind: left.kind, items: [...left.items, ...right.items] };
    }
  }
  if (operator === "*") {
    if (isSequence(left) && b?.kind === "int") return repeat(left, b.value);
    if (isSequence(right) && a?.kind === "int") return repeat(right, a.value);
  }
  throw typeError(operator, left, right);
}

/**
 * Python's truth value.
 *
 * @example
 * pyTruthy(pyStr("")); // false
 */
export function pyTruthy(value: PyValue): boolean {
  switch (value.kind) {
    case "int":
      return value.value !== 0n;
    case "bool":
      return value.value;
    case "float":
      return value.value !== 0; // NaN is true in Python, and NaN !== 0
    case "none":
      return false;
    case "ellipsis":
      return true;
    case "str":
      return value.value.length > 0;
    case "list":
    case "tuple":
    case "set":
      return value.items.length > 0;
    case "dict":
      return value.entries.length > 0;
  }
}

/**
 * `-x`, `+x`, `~x` or `not x` with Python's semantics (`-True == -1`, `~True == -2`, `+True == 1`).
 *
 * @example
 * unaryOperation("~", pyBool(true)); // int -2
 */
export function unaryOperation(operator: PyUnaryOperator, operand: PyValue): PyValue {
  if (operator === "not") return pyBool(!pyTruthy(operand));
  const n = asNumber(operand);
  if (!n) throw raises(`TypeError: bad operand type for unary ${operator}: '${operand.kind}'`);
  if (n.kind === "int") return pyInt(operator === "-" ? -n.value : operator === "~" ? ~n.value : n.value);
  if (operator === "~") throw raises("TypeError: bad operand type for unary ~: 'float'");
  return pyFloat(operator === "-" ? -n.value : n.value);
}
