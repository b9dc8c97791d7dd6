/**
 * Per-step demonstrations (`cot_breakdown.json`): what Single-Task Inference from step 2 on, and Batch Prompting,
 * show as their example — `step#k` is the one-shot demonstration of step k (REFERENCE.md §3). The authors read them
 * with `_, s1, s2, s3 = CoT[CoT["tuid"] == int(k)].values[0]`.
 */
import { MtiCotBreakdownFileSchema, type MtiDemos } from "../../../schemas/mti.js";
import { ValidationError } from "../../errors.js";
import { describeDemosPath, fileProblemsError, parseJsonText, problemsOf, type FileProblem } from "./file-problems.js";

const WHAT = "demonstrations file";

/**
 * Parse `cot_breakdown.json` into task id → demonstrations by step. A task's empty trailing cells (step#3 of a 2-step
 * task) are dropped; an empty cell followed by a filled one, or a task listed twice, is a problem (the authors' lookup
 * would silently take the first row).
 *
 * @example
 * parseMtiDemos(readFileSync("cot_breakdown.json", "utf8"))["012"]!.length; // 3
 */
export function parseMtiDemos(text: string): MtiDemos {
  const { value } = parseJsonText(text, WHAT);
  const parsed = MtiCotBreakdownFileSchema.safeParse(value);
  if (!parsed.success) {
    const rows = (value as { rows?: unknown } | null)?.rows;
    const tuids = Array.isArray(rows) ? rows.map((r) => (typeof r?.tuid === "string" ? (r.tuid as string) : undefined)) : [];
    throw fileProblemsError(WHAT, problemsOf(parsed.error, (path) => describeDemosPath(path, tuids)));
  }

  const demos: MtiDemos = {};
  const problems: FileProblem[] = [];
  parsed.data.rows.forEach((row, i) => {
    const where = `rows[${i}] (task ${row.tuid})`;
    if (Object.hasOwn(demos, row.tuid)) {
      problems.push({ where, message: `task ${row.tuid} is listed twice` });
      return;
    }
    const cells = [row["step#1"], row["step#2"], row["step#3"]].map((c) => c ?? "");
    const steps = cells.length - [...cells].reverse().findIndex((c) => c !== "");
    const gap = cells.slice(0, steps).findIndex((c) => c === "");
    if (gap >= 0) problems.push({ where, message: `step#${gap + 1} is empty but a later step is not` });
    demos[row.tuid] = cells.slice(0, steps);
  });
  if (problems.length > 0) throw fileProblemsError(WHAT, problems);
  return demos;
}

/**
 * Step k's demonstration of a task, or a ValidationError that names the task and step.
 *
 * @example
 * demoFor(demos, "012", 3); // the step#3 cell of task 012
 */
export function demoFor(demos: MtiDemos, task: string, step: number): string {
  const demo = demos[task]?.[step - 1];
  if (demo === undefined) {
    throw new ValidationError(
      Object.hasOwn(demos, task)
        ? `the demonstrations have no step#${step} for task ${task} (it has ${demos[task]!.length})`
        : `the demonstrations have no row for task ${task}`,
      { task, step },
    );
  }
  return demo;
}
