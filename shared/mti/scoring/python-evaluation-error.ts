/**
 * Why a text was not turned into a Python value. Both reasons end the same way (the authors' `except:` keeps the
 * text), but they are told apart so tests and reports can say whether Python itself would have failed.
 */

/** `raises`: CPython would raise too; `unsupported`: CPython might succeed, but this scorer does not reproduce it. */
export type EvaluationFailureReason = "raises" | "unsupported";

/**
 * Thrown inside the tokenizer, parser and evaluator; caught by `evaluatePythonExpression`, never seen by callers.
 *
 * @example
 * throw new PythonEvaluationError("raises", "ZeroDivisionError: division by zero");
 */
export class PythonEvaluationError extends Error {
  readonly reason: EvaluationFailureReason;

  constructor(reason: EvaluationFailureReason, message: string) {
    super(message);
    this.name = "PythonEvaluationError";
    this.reason = reason;
  }
}

/** Shorthand for "CPython raises here". */
export function raises(message: string): PythonEvaluationError {
  return new PythonEvaluationError("raises", message);
}

/** Shorthand for "not reproduced here; the text is kept". */
export function unsupported(message: string): PythonEvaluationError {
  return new PythonEvaluationError("unsupported", message);
}
