/**
 * Multi-Task Inference: every step of an instance in one call, after the task's one-shot multi-task demonstration
 * (its `sample`). From guijinSON/MTI-Bench @ 05ddd6a, inference/MTI_Inference_S3T.py (the file names are swapped:
 * this one writes `…-STI-….csv`, yet it is the script that sends `reconstruct_instruction(instance, -1)`, all steps):
 *
 *     "### Example:\n\n" + "### Instruction: " + cot + "\n\n### Task:\n\n" + "### Instruction: "
 *     + reconstruct_instruction(instance, -1) + "\n\n" + "### Answer:\n\n"      # cot = data[k]["sample"]
 */
import type { MtiInstance } from "../../../schemas/mti.js";
import { tuluChatTemplate, type MtiChatTemplate } from "./chat-template.js";
import { renderMultiTask } from "./render-instance.js";

/** What a Multi-Task Inference prompt needs. */
export interface MultiTaskPromptInput {
  /** The task's multi-task demonstration (the file's `sample`). */
  readonly sample: string;
  readonly instance: MtiInstance;
}

/**
 * The one prompt of an instance under Multi-Task Inference.
 *
 * @example
 * multiTaskPrompt({ sample: task.sample, instance }, plainChatTemplate);
 * // "### Example:\n\n### Instruction: <sample>\n\n### Task:\n\n### Instruction: <all steps>\n\n### Answer:\n\n"
 */
export function multiTaskPrompt({ sample, instance }: MultiTaskPromptInput, template: MtiChatTemplate = tuluChatTemplate): string {
  return template.render(`### Example:\n\n### Instruction: ${sample}\n\n### Task:\n\n### Instruction: ${renderMultiTask(instance)}\n\n### Answer:\n\n`);
}
