/**
 * The chained prompt of step k ≥ 2, shared by Single-Task Inference and Batch Prompting: the per-step demonstrations
 * 1..k, then steps 1..k−1 each followed by the model's own earlier output, then step k waiting for its answer.
 *
 * Transcribed from guijinSON/MTI-Bench @ 05ddd6a, inference/STI_Inference_S3T.py (Single-Task, steps 2 and 3) and
 * inference/Batching_Inference.py (Batch, step 2; the authors never run a batch step 3):
 *
 *     "### Example:\n\n" + "### (1) Instruction: " + s1 + "\n\n### (2) Instruction: " + s2 [+ "\n\n### (3) Instruction: " + s3]
 *     + "\n\n### Task:\n\n" + "### (1) Instruction: " + query1 + "\n\n### Answer:\n\n" + str(gen1)
 *     [+ "\n\n### (2) Instruction: " + query2 + "\n\n### Answer: \n\n" + str(gen2)]
 *     + "\n\n### (k) Instruction: " + queryk + "\n\n### Answer:"
 *
 * Note the step-3 prompt's `"### Answer: \n\n"` after step 2 — a space before the newlines that the step-1 header does
 * not have. It is kept: step 1's answer header is `### Answer:\n\n`, every later one `### Answer: \n\n`. The earlier
 * "answers" are the earlier calls' whole generations (`str(gen1)`), not the text parsed out of their tags.
 */
import { ValidationError } from "../../errors.js";

/** What a chained prompt is made of; all three lists are indexed by step − 1. */
export interface ChainParts {
  /** Per-step demonstrations; the first k are shown. */
  readonly demos: readonly string[];
  /** Each step's rendered task text (the instance's, or the pair's under Batch Prompting), steps 1..k. */
  readonly queries: readonly string[];
  /** The model's outputs for steps 1..k−1. */
  readonly earlier: readonly string[];
}

/**
 * The user content of step k = `queries.length` (k ≥ 2).
 *
 * @example
 * chainedContent({ demos: ["D1", "D2"], queries: ["Q1", "Q2"], earlier: ["G1"] });
 * // "### Example:\n\n### (1) Instruction: D1\n\n### (2) Instruction: D2\n\n### Task:\n\n### (1) Instruction: Q1
 * //  \n\n### Answer:\n\nG1\n\n### (2) Instruction: Q2\n\n### Answer:"
 */
export function chainedContent({ demos, queries, earlier }: ChainParts): string {
  const step = queries.length;
  if (step < 2) throw new ValidationError(`a chained prompt is for step 2 or later; got step ${step}`);
  if (earlier.length !== step - 1) {
    throw new ValidationError(`step ${step} chains the outputs of steps 1..${step - 1}: expected ${step - 1}, got ${earlier.length}`);
  }
  if (demos.length < step) throw new ValidationError(`step ${step} shows demonstrations 1..${step}; only ${demos.length} given`);
  const example = demos
    .slice(0, step)
    .map((demo, i) => `### (${i + 1}) Instruction: ${demo}`)
    .join("\n\n");
  const answered = earlier
    .map((output, i) => `### (${i + 1}) Instruction: ${queries[i]!}\n\n### Answer:${i === 0 ? "" : " "}\n\n${output}\n\n`)
    .join("");
  return `### Example:\n\n${example}\n\n### Task:\n\n${answered}### (${step}) Instruction: ${queries[step - 1]!}\n\n### Answer:`;
}
