/**
 * The first call of every unit of a dataset under one mode, as `assay mti prompts` prints them: an instance's only
 * call (multi), its step-1 call (single), a pair's step-1 call (batch; a lone instance's own step-1 call). Later
 * calls need the model's earlier outputs, so they are not known without a model.
 */
import type { MtiDataset, MtiDemos, MtiMode, MtiPromptLine } from "../../../schemas/mti.js";
import { ValidationError } from "../../errors.js";
import { pairInstances, pairUid } from "./batch-pairs.js";
import { batchPrompt, loneBatchPrompt } from "./batch-prompt.js";
import type { MtiChatTemplate } from "./chat-template.js";
import { multiTaskPrompt } from "./multi-task-prompt.js";
import { singleTaskPrompt } from "./single-task-prompt.js";

/**
 * One line per unit, tasks and instances in file order.
 *
 * @example
 * firstCallPrompts(dataset, demos, "batch", tuluChatTemplate)[0]!.uid; // "001_384,001_491"
 */
export function firstCallPrompts(dataset: MtiDataset, demos: MtiDemos, mode: MtiMode, template: MtiChatTemplate): MtiPromptLine[] {
  const lines: MtiPromptLine[] = [];
  for (const task of dataset.tasks) {
    const first = { sample: task.sample, demos: demos[task.task] ?? [], step: 1, earlier: [] };
    if (mode === "multi") {
      for (const instance of task.instances) lines.push({ uid: instance.uid, mode, prompt: multiTaskPrompt({ sample: task.sample, instance }, template) });
    } else if (mode === "single") {
      for (const instance of task.instances) lines.push({ uid: instance.uid, mode, prompt: singleTaskPrompt({ ...first, instance }, template) });
    } else {
      if (!Object.hasOwn(demos, task.task)) throw new ValidationError(`the demonstrations have no row for task ${task.task}`, { task: task.task });
      const { pairs, lone } = pairInstances(task.instances);
      for (const pair of pairs) lines.push({ uid: pairUid(pair), mode, prompt: batchPrompt({ ...first, pair }, template) });
      if (lone) lines.push({ uid: lone.uid, mode, prompt: loneBatchPrompt({ ...first, instance: lone }, template) });
    }
  }
  return lines;
}
