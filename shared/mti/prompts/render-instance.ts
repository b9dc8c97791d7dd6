/**
 * An instance as text (REFERENCE.md §3), following the authors' `reconstruct_instruction` (src.py of
 * guijinSON/MTI-Bench @ 05ddd6a) character for character; nothing is stripped:
 * - all steps (`full=True`): `query + "\n" + "\n".join(f"#{i}: {instruction[i]}") + "\n\n" + "\n".join(contexts)`,
 *   the contexts taken step by step (1..n) and, within a step, in the dict's (the file's) order;
 * - one step k (`full=False`): `instruction[k] + "\n\n" + "\n".join(contexts of step k)` — a step without contexts
 *   leaves the text ending in "\n\n".
 * The authors pick a step's contexts with `k.startswith(str(i))`; assay goes by REFERENCE's "s_j belongs to step s",
 * which is the same for every step below 10 (MTI-Bench has at most 3).
 */
import type { MtiInstance } from "../../../schemas/mti.js";
import { ValidationError } from "../../errors.js";

/**
 * The texts of step k's contexts, in file order.
 *
 * @example
 * contextsOfStep(instance002, 3); // ["###Question\nIs OTHER wrong in the post ? "]
 */
export function contextsOfStep(instance: MtiInstance, step: number): string[] {
  return instance.contexts.filter((c) => c.step === step).map((c) => c.text);
}

/**
 * Step k's instruction, or a ValidationError when the instance has no step k.
 *
 * @example
 * instructionOf(instance, 1); // the "1" instruction
 */
export function instructionOf(instance: MtiInstance, step: number): string {
  checkStep(instance, step);
  return instance.instructions[step - 1]!;
}

/** Throws a ValidationError unless `step` is one of the instance's steps (1-based). */
export function checkStep(instance: MtiInstance, step: number): void {
  const steps = instance.instructions.length;
  if (!Number.isInteger(step) || step < 1 || step > steps) {
    throw new ValidationError(`instance ${instance.uid} has steps 1..${steps}; there is no step ${step}`, { uid: instance.uid, step });
  }
}

/**
 * All steps in one text (Multi-Task Inference's task part).
 *
 * @example
 * renderMultiTask(instance); // "Read the following passage, …\n#1: …\n#2: …\n\n###Context\n…"
 */
export function renderMultiTask(instance: MtiInstance): string {
  const steps = instance.instructions.length;
  const instructions = instance.instructions.map((text, i) => `#${i + 1}: ${text}`).join("\n");
  const contexts = Array.from({ length: steps }, (_, i) => contextsOfStep(instance, i + 1)).flat().join("\n");
  return `${instance.query}\n${instructions}\n\n${contexts}`;
}

/**
 * Step k alone (Single-Task Inference and Batch Prompting): its instruction, a blank line, its contexts.
 *
 * @example
 * renderStep(instance, 2); // "<instruction 2>\n\n<2_0>\n<2_1>"
 */
export function renderStep(instance: MtiInstance, step: number): string {
  return `${instructionOf(instance, step)}\n\n${contextsOfStep(instance, step).join("\n")}`;
}
