/**
 * The MTI bench's workload: tasks of the shared MTI-Bench slice with their first instances in file order, and each
 * mode's units for a task — exactly the units a sweep would run (`shared/mti/jobs/unit-layout.ts`): one per instance
 * under Multi-Task and Single-Task Inference; under Batch Prompting one per pair of consecutive instances
 * (`pairInstances`), then the lone last instance of an odd count.
 */
import type { MtiDataset, MtiDemos, MtiInstance } from "../schemas/mti.js";
import type { MtiMode } from "../schemas/mti-sweeps.js";
import { pairInstances } from "../shared/mti/prompts/batch-pairs.js";
import type { MtiTaskPrompts, MtiUnitWork } from "../shared/mti/run/unit-work.js";

/** One task as the bench runs it. */
export interface MtiBenchTask {
  readonly prompts: MtiTaskPrompts;
  readonly instances: readonly MtiInstance[];
  /** Steps (instructions) per instance: 2 or 3 in MTI-Bench. */
  readonly steps: number;
}

/**
 * The chosen tasks (in the order asked for, or the file's when `tasks` is null), each with its first `instances`.
 * An unknown task id fails with the list of those in the file.
 *
 * @example
 * chooseMtiTasks(dataset, demos, ["021", "022"], 2).map((t) => t.prompts.task); // ["021", "022"]
 */
export function chooseMtiTasks(dataset: MtiDataset, demos: MtiDemos, tasks: readonly string[] | null, instances: number): MtiBenchTask[] {
  const byId = new Map(dataset.tasks.map((t) => [t.task, t]));
  const ids = tasks ?? dataset.tasks.map((t) => t.task);
  return ids.map((id) => {
    const t = byId.get(id);
    if (t === undefined) throw new RangeError(`task ${id} is not in the slice; it has ${[...byId.keys()].join(", ")}`);
    const chosen = t.instances.slice(0, instances);
    return {
      prompts: { task: t.task, sample: t.sample, demos: demos[t.task] ?? [] },
      instances: chosen,
      steps: Math.max(...chosen.map((i) => i.instructions.length)),
    };
  });
}

/**
 * The units of one mode for one task, in the order a sweep numbers them.
 *
 * @example
 * unitsOf("batch", task).length; // 2 for 4 instances (two pairs), 2 for 3 (a pair and a lone instance)
 */
export function unitsOf(mode: MtiMode, task: MtiBenchTask): MtiUnitWork[] {
  const { prompts } = task;
  if (mode !== "batch") return task.instances.map((instance) => ({ mode, task: prompts, instance }));
  const plan = pairInstances(task.instances);
  const units: MtiUnitWork[] = plan.pairs.map((pair) => ({ mode, task: prompts, pair }));
  if (plan.lone !== null) units.push({ mode, task: prompts, lone: plan.lone });
  return units;
}
