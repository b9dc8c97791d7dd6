/**
 * Gold answers as the authors compare them: `str(answer)` of the value `json.load` read from MTI_BENCH.json
 * (`answers = [str(_) for _ in _["answers"]]` in src.py @ 05ddd6a). The gold is taken as raw JSON text, not as an
 * already-parsed JavaScript value, because `JSON.parse` would lose what `str` shows: `1.0` and `1` are different
 * golds in Python ("1.0" against "1"), and ints past 2^53 must stay exact.
 */
import { ValidationError } from "../../errors.js";
import { pythonStr } from "./python-repr.js";
import { parsePythonJson, PythonJsonError } from "./python-json.js";

/**
 * `str(json.loads(raw))`.
 *
 * @throws ValidationError when `json.loads` would refuse the text.
 * @example
 * goldAnswerToPythonStr("1.0"); // "1.0"
 * goldAnswerToPythonStr("1E-5"); // "1e-05"
 * goldAnswerToPythonStr('{"a": [1.5, "x"], "b": null}'); // "{'a': [1.5, 'x'], 'b': None}"
 */
export function goldAnswerToPythonStr(raw: string): string {
  try {
    return pythonStr(parsePythonJson(raw));
  } catch (error) {
    if (error instanceof PythonJsonError) {
      throw new ValidationError(`gold is not JSON that Python's json.loads reads: ${error.message}`, { position: error.position });
    }
    throw error;
  }
}
