/**
 * Single-Task Inference: one call per step, as a chain. From guijinSON/MTI-Bench @ 05ddd6a,
 * inference/STI_Inference_S3T.py (named STI, it writes `…-MTI-…-s1.csv`):
 * - step 1 shows the task's multi-task demonstration (`cot = data[k]["sample"]`, not `step#1`) and only step 1:
 *   `"### Example:\n\n" + "### Instruction: " + cot + "\n\n### Task:\n\n" + "### Instruction: "
 *   + reconstruct_instruction(instance, 1, False) + "\n\n" + "### Answer:\n\n"`;
 * - step k ≥ 2 shows the per-step demonstrations 1..k and chains the earlier calls' outputs (see `chain.ts`).
 */
import type { MtiInstance } from "../../../schemas/mti.js";
import { ValidationError } from "../../errors.js";
import { chainedContent } from "./chain.js";
import { tuluChatTemplate, type MtiChatTemplate } from "./chat-template.js";
import { checkStep, renderStep } from "./render-instance.js";

/** What a Single-Task Inference prompt needs. */
export interface SingleTaskPromptInput {
  /** The task's multi-task demonstration (the file's `sample`), shown at step 1. */
  readonly sample: string;
  /** The task's per-step demonstrations (`step#1`, `step#2`, …), shown from step 2 on; unused at step 1. */
  readonly demos: readonly string[];
  readonly instance: MtiInstance;
  /** 1-based. */
  readonly step: number;
  /** The model's whole outputs for steps 1..step−1 of this instance, in order ([] at step 1). */
  readonly earlier: readonly string[];
}

/**
 * The prompt of one step of an instance under Single-Task Inference.
 *
 * @example
 * singleTaskPrompt({ sample, demos, instance, step: 1, earlier: [] });
 * singleTaskPrompt({ sample, demos, instance, step: 2, earlier: [firstOutput] });
 */
export function singleTaskPrompt(input: SingleTaskPromptInput, template: MtiChatTemplate = tuluChatTemplate): string {
  const { sample, demos, instance, step, earlier } = input;
  checkStep(instance, step);
  if (step === 1) {
    if (earlier.length !== 0) throw new ValidationError(`step 1 chains no earlier outputs; got ${earlier.length}`);
    return template.render(`### Example:\n\n### Instruction: ${sample}\n\n### Task:\n\n### Instruction: ${renderStep(instance, 1)}\n\n### Answer:\n\n`);
  }
  if (demos.length < step) {
    throw new ValidationError(`task ${instance.task}: step ${step} shows the demonstrations step#1..step#${step}; only ${demos.length} found`);
  }
  const queries = Array.from({ length: step }, (_, i) => renderStep(instance, i + 1));
  return template.render(chainedContent({ demos, queries, earlier }));
}
