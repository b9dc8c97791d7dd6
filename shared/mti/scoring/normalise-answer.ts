/**
 * The authors' answer normalisation, `norm_text` (src.py @ 05ddd6a), followed by the `str()` their scorer applies:
 *
 *     def norm_text(text):
 *         if "/" in text: return text
 *         if text.startswith("("): return text
 *         try: return eval(text)
 *         except: return text
 *     ...  predict = [str(norm_text(parse_answer(row.generation, idx+1))) ...]
 *
 * So "3/4" and "10//3" stay text (they hold a "/"), "(1)-(4)-(3)-(2)" stays text (it starts with "("), "[1,2,4]"
 * becomes "[1, 2, 4]", "'E'" becomes "E" and "1-4-3-2" becomes "-8". There is no lower-casing and no further strip
 * (the parser already stripped). `eval` is reproduced by `evaluatePythonExpression` without executing anything; where
 * it cannot reproduce the result, the text is kept, as the authors' bare `except:` keeps it when eval raises.
 */
import { evaluatePythonExpression } from "./python-evaluator.js";
import { pythonStr } from "./python-repr.js";

/**
 * `str(norm_text(text))`.
 *
 * @example
 * normaliseAnswer("[1,2,4]"); // "[1, 2, 4]"
 * normaliseAnswer("3/4"); // "3/4"
 * normaliseAnswer("Westgate"); // "Westgate" (a NameError in Python, so kept)
 */
export function normaliseAnswer(text: string): string {
  if (text.includes("/") || text.startsWith("(")) return text;
  const evaluation = evaluatePythonExpression(text);
  return evaluation.ok ? pythonStr(evaluation.value) : text;
}
