/**
 * The task → subset map (MULTI-STEP / MULTI-PART). The paper reports the two groups separately but the data does not
 * label them, so whoever runs a sweep supplies the map; results are grouped by it and a task it does not name is in
 * no subset.
 */
import { MtiSubsetMapSchema, type MtiSubset, type MtiSubsetMap } from "../../../schemas/mti.js";
import { fileProblemsError, parseJsonText, problemsOf } from "./file-problems.js";

const WHAT = "subset map";

/**
 * Parse a subset map file: a JSON object of task id → "MULTI-STEP" | "MULTI-PART".
 *
 * @example
 * parseMtiSubsetMap('{"001": "MULTI-STEP", "003": "MULTI-PART"}');
 */
export function parseMtiSubsetMap(text: string): MtiSubsetMap {
  const { value } = parseJsonText(text, WHAT);
  const parsed = MtiSubsetMapSchema.safeParse(value);
  if (!parsed.success) {
    throw fileProblemsError(WHAT, problemsOf(parsed.error, (path) => (path.length === 0 ? "the file" : `task ${String(path[0])}`)));
  }
  return parsed.data;
}

/**
 * The subset a task belongs to, or null when the map does not name it.
 *
 * @example
 * subsetOf({ "001": "MULTI-STEP" }, "002"); // null
 */
export function subsetOf(map: MtiSubsetMap, task: string): MtiSubset | null {
  return Object.hasOwn(map, task) ? map[task]! : null;
}
