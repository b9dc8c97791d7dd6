/**
 * Batch Prompting: two instances of a task share each step's call. From guijinSON/MTI-Bench @ 05ddd6a:
 * - src.py `reconstruct_batch_instruction`, per step k:
 *   `f"Read the following passage, and solve both of the instructions provided.\n### Instruction 1: {u0}\n\n### Instruction 2: {u1}"`
 *   with u = `reconstruct_instruction(data[uid], k, False)` and, in the second instance's text only,
 *   `.replace("<task1>","<task2>").replace("<task1/>","<task2/>")` — opening and closing tags, every occurrence, in
 *   the instruction and the contexts alike. So the tag number names the instance, not the step; at step 2 the
 *   instructions already say `<task2>` and nothing is renamed, except where the data itself asks for `<task1>` at
 *   step 2 (tasks 011 and 013), which the second instance then reads as `<task2>`. The data is kept as it is.
 * - inference/Batching_Inference.py, step 1: `"### Example:\n\n" + "### Instruction: " + s1 + "\n\n### Task:\n\n" + inst
 *   + "\n\n" + "### Answer:\n\n"` — the example is the per-step demonstration `step#1` (not the task's `sample`), and
 *   the task part has no `### Instruction: ` of its own; step 2 chains like Single-Task Inference with the pair's texts
 *   (see `chain.ts`). The authors stop at step 2; a step 3 here follows the same chain.
 */
import type { MtiInstance } from "../../../schemas/mti.js";
import { ValidationError } from "../../errors.js";
import { chainedContent } from "./chain.js";
import { tuluChatTemplate, type MtiChatTemplate } from "./chat-template.js";
import { renderStep } from "./render-instance.js";
import { singleTaskPrompt, type SingleTaskPromptInput } from "./single-task-prompt.js";

/**
 * Step k of a pair as one task text, the second instance's `<task1>`/`<task1/>` renamed `<task2>`/`<task2/>`.
 *
 * @example
 * renderBatchStep([a, b], 1);
 * // "Read the following passage, and solve both of the instructions provided.\n### Instruction 1: …\n\n### Instruction 2: …"
 */
export function renderBatchStep(pair: readonly [MtiInstance, MtiInstance], step: number): string {
  const first = renderStep(pair[0], step);
  const second = renderStep(pair[1], step).replaceAll("<task1>", "<task2>").replaceAll("<task1/>", "<task2/>");
  return `Read the following passage, and solve both of the instructions provided.\n### Instruction 1: ${first}\n\n### Instruction 2: ${second}`;
}

/** What a Batch Prompting prompt needs. */
export interface BatchPromptInput {
  /** The task's per-step demonstrations (`step#1`, `step#2`, …). */
  readonly demos: readonly string[];
  readonly pair: readonly [MtiInstance, MtiInstance];
  /** 1-based. */
  readonly step: number;
  /** The model's whole outputs for the pair's steps 1..step−1, in order ([] at step 1). */
  readonly earlier: readonly string[];
}

/**
 * The prompt of one step of a pair under Batch Prompting.
 *
 * @example
 * batchPrompt({ demos, pair: [a, b], step: 1, earlier: [] });
 */
export function batchPrompt(input: BatchPromptInput, template: MtiChatTemplate = tuluChatTemplate): string {
  const { demos, pair, step, earlier } = input;
  if (pair[0].instructions.length !== pair[1].instructions.length) {
    throw new ValidationError(`a batch pairs instances with the same steps; ${pair[0].uid} and ${pair[1].uid} differ`);
  }
  const queries = Array.from({ length: step }, (_, i) => renderBatchStep(pair, i + 1));
  if (step === 1) {
    if (earlier.length !== 0) throw new ValidationError(`step 1 chains no earlier outputs; got ${earlier.length}`);
    const demo = demos[0];
    if (demo === undefined) throw new ValidationError(`task ${pair[0].task}: batch prompting shows the step#1 demonstration; none found`);
    return template.render(`### Example:\n\n### Instruction: ${demo}\n\n### Task:\n\n${queries[0]!}\n\n### Answer:\n\n`);
  }
  return template.render(chainedContent({ demos, queries, earlier }));
}

/**
 * The prompt of a lone instance (the last of an odd count, which the authors drop): a batch of one is a Single-Task
 * Inference call, so it gets exactly that prompt — the authors' own one-instance format, no invented wording, its
 * tags left `<taskk>`. Its outputs are then scored like Single-Task Inference's.
 *
 * @example
 * loneBatchPrompt({ sample, demos, instance: lone, step: 1, earlier: [] });
 */
export function loneBatchPrompt(input: SingleTaskPromptInput, template: MtiChatTemplate = tuluChatTemplate): string {
  return singleTaskPrompt(input, template);
}
