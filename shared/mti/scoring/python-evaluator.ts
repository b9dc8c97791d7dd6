/**
 * Evaluating a text as CPython's `eval` would, without executing anything: the text is tokenized and parsed into a
 * {@link PyNode} tree (literals, displays, arithmetic), which is then evaluated over plain data. Nothing here calls
 * `eval`, `Function`, `vm` or another process; a name, call, attribute or anything else outside that subset is never
 * looked up, so `__import__('os').system(…)` and `open(…)` stay text.
 */
import { binaryOperation, unaryOperation } from "./python-arithmetic.js";
import type { PyNode } from "./python-ast.js";
import { buildDict, buildSet } from "./python-containers.js";
import { bitLength } from "./exact-double.js";
import { PythonEvaluationError, unsupported, type EvaluationFailureReason } from "./python-evaluation-error.js";
import { parsePythonExpression } from "./python-parser.js";
import { MAX_INT_STR_DIGITS } from "./python-tokenizer.js";
import type { PyValue } from "./python-value.js";

/** The outcome of {@link evaluatePythonExpression}: a value, or why there is none. */
export type PythonEvaluation =
  | { readonly ok: true; readonly value: PyValue }
  | { readonly ok: false; readonly reason: EvaluationFailureReason; readonly message: string };

function evaluateNode(node: PyNode): PyValue {
  switch (node.type) {
    case "literal":
      return node.value;
    case "list":
    case "tuple":
      return { kind: node.type, items: node.items.map(evaluateNode) };
    case "set":
      return buildSet(node.items.map(evaluateNode));
    case "dict":
      return buildDict(node.entries.map(([k, v]) => [evaluateNode(k), evaluateNode(v)] as const));
    case "unary":
      return unaryOperation(node.operator, evaluateNode(node.operand));
    case "binary":
      return binaryOperation(node.operator, evaluateNode(node.left), evaluateNode(node.right));
  }
}

/** CPython ≥ 3.11 raises in `str()` of an int with more than 4,300 digits; such results are not reproduced. */
function checkPrintable(value: PyValue): void {
  if (value.kind === "int") {
    const bits = bitLength(value.value);
    // 2^14200 < 10^4300 < 2^14300: only the band in between needs the digits counted.
    if (bits > 14300 || (bits > 14200 && (value.value < 0n ? -value.value : value.value).toString().length > MAX_INT_STR_DIGITS)) {
      throw unsupported(`int of more than ${MAX_INT_STR_DIGITS} digits cannot be printed by CPython ≥ 3.11`);
    }
  } else if (value.kind === "list" || value.kind === "tuple" || value.kind === "set") {
    value.items.forEach(checkPrintable);
  } else if (value.kind === "dict") {
    value.entries.forEach(([k, v]) => {
      checkPrintable(k);
      checkPrintable(v);
    });
  }
}

/**
 * What `eval(text)` returns, where that can be reproduced exactly; otherwise why not.
 *
 * @example
 * evaluatePythonExpression("1-4-3-2"); // { ok: true, value: { kind: "int", value: -8n } }
 * evaluatePythonExpression("1//0"); // { ok: false, reason: "raises", … }
 * evaluatePythonExpression("open('x')"); // { ok: false, reason: "unsupported", … }
 */
export function evaluatePythonExpression(text: string): PythonEvaluation {
  try {
    const value = evaluateNode(parsePythonExpression(text));
    checkPrintable(value);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof PythonEvaluationError) return { ok: false, reason: error.reason, message: error.message };
    if (error instanceof RangeError) return { ok: false, reason: "unsupported", message: error.message }; // e.g. stack depth
    throw error;
  }
}
