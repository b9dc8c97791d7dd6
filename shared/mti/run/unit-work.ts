/**
 * What one unit of a sweep does: one instance under Multi-Task or Single-Task Inference, or a pair (or the lone last
 * instance of an odd count) under Batch Prompting.
 */
import type { MtiInstance } from "../../../schemas/mti.js";

/** A task as a unit needs it: its multi-task demonstration and its per-step demonstrations. */
export interface MtiTaskPrompts {
  readonly task: string;
  readonly sample: string;
  /** `step#1`, `step#2`, … (index k − 1). */
  readonly demos: readonly string[];
}

export type MtiUnitWork =
  | { readonly mode: "multi" | "single"; readonly task: MtiTaskPrompts; readonly instance: MtiInstance }
  | { readonly mode: "batch"; readonly task: MtiTaskPrompts; readonly pair: readonly [MtiInstance, MtiInstance] }
  | { readonly mode: "batch"; readonly task: MtiTaskPrompts; readonly lone: MtiInstance };

/** The instances a unit answers, in order. */
export function instancesOf(work: MtiUnitWork): MtiInstance[] {
  if ("instance" in work) return [work.instance];
  if ("pair" in work) return [...work.pair];
  return [work.lone];
}
