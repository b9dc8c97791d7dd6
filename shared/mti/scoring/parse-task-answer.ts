/**
 * Finding a step's answer in a model output: the authors' `parse_answer` (src.py @ 05ddd6a):
 *
 *     pattern = f'<task{N}>(.*?)<task{N}/>'
 *     match = re.search(pattern, str(s), re.DOTALL)
 *     return match.group(1).strip() if match else "-1210"
 *
 * `re.DOTALL` is passed, so `.` matches newlines and an answer spread over several lines is found. The closing tag is
 * `<taskN/>` (what the prompts ask for), not `</taskN>`. Their miss sentinel "-1210" would itself normalise to
 * "-1210" and so equal a gold answer of -1210; a miss here is `null`, which equals nothing.
 */
import { pythonStrip } from "./python-strip.js";

/** A step's answer as found in an output. */
export interface ParsedTaskAnswer {
  /** The tag's content, stripped as Python's `str.strip()` strips. */
  readonly text: string;
  /**
   * True when only the lenient `</taskN>` closing tag was found; such answers are not counted by the authors'
   * scorer, so a report can give them separately.
   */
  readonly lenientClose: boolean;
}

/** Options of {@link parseTaskAnswer}. */
export interface ParseTaskAnswerOptions {
  /**
   * Also accept `</taskN>` as the closing tag, but only when the authors' `<taskN/>` form finds nothing, so a lenient
   * parse never changes an answer the authors' scorer would have read.
   */
  readonly lenient?: boolean;
}

/**
 * The first `<taskN>…<taskN/>` of an output (N = the step), its content stripped; `null` when there is none.
 *
 * @example
 * parseTaskAnswer("so <task2> [1, 2] <task2/>", 2); // { text: "[1, 2]", lenientClose: false }
 * parseTaskAnswer("<task1>B</task1>", 1); // null
 * parseTaskAnswer("<task1>B</task1>", 1, { lenient: true }); // { text: "B", lenientClose: true }
 */
export function parseTaskAnswer(output: string, step: number, options: ParseTaskAnswerOptions = {}): ParsedTaskAnswer | null {
  if (!Number.isSafeInteger(step) || step < 1) throw new RangeError(`step must be a positive integer, got ${step}`);
  // [\s\S] is re.DOTALL's `.`; the lazy group and leftmost search are re.search's.
  const strict = new RegExp(`<task${step}>([\\s\\S]*?)<task${step}/>`).exec(output);
  if (strict) return { text: pythonStrip(strict[1]!), lenientClose: false };
  if (!options.lenient) return null;
  const lenient = new RegExp(`<task${step}>([\\s\\S]*?)</task${step}>`).exec(output);
  return lenient ? { text: pythonStrip(lenient[1]!), lenientClose: true } : null;
}
