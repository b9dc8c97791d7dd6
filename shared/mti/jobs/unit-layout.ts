/**
 * How a sweep's cells become numbered units (pure): for each engine, each run, each mode (in the request's order),
 * the mode's slots — one per instance under Multi-Task and Single-Task Inference; under Batch Prompting one per pair of
 * consecutive instances of a task, then the task's lone last instance when the count is odd. Unit i is found by
 * arithmetic, so nothing per unit is stored.
 */
import type { MtiMode } from "../../../schemas/mti-sweeps.js";

/** What prepare fixes: the engines, modes, runs, and each task's chosen instances in file order. */
export interface MtiLayout {
  readonly engines: readonly string[];
  readonly modes: readonly MtiMode[];
  readonly runs: number;
  readonly tasks: readonly { readonly task: string; readonly uids: readonly string[] }[];
}

/** A slot: a task (by position in the layout) and one or two of its instances (by position in its uids). */
export interface MtiSlot {
  readonly task: number;
  readonly instances: readonly [number] | readonly [number, number];
}

/** One unit: which engine, run and mode, and what it answers. */
export interface MtiUnitAddress {
  readonly engine: string;
  readonly run: number;
  readonly mode: MtiMode;
  readonly slot: MtiSlot;
}

/**
 * The slots of one mode.
 *
 * @example
 * slotsOf("batch", [{ task: "001", uids: ["a", "b", "c"] }]); // [{task: 0, instances: [0, 1]}, {task: 0, instances: [2]}]
 */
export function slotsOf(mode: MtiMode, tasks: MtiLayout["tasks"]): MtiSlot[] {
  return tasks.flatMap((t, task): MtiSlot[] => {
    const n = t.uids.length;
    if (mode !== "batch") return Array.from({ length: n }, (_, i) => ({ task, instances: [i] as const }));
    const slots: MtiSlot[] = [];
    for (let i = 0; i + 1 < n; i += 2) slots.push({ task, instances: [i, i + 1] as const });
    if (n % 2 === 1) slots.push({ task, instances: [n - 1] as const });
    return slots;
  });
}

/** The layout with each mode's slots computed once (what a worker keeps in memory). */
export class MtiUnits {
  private readonly slots: ReadonlyMap<MtiMode, MtiSlot[]>;
  /** Units per (engine, run). */
  private readonly perRun: number;
  readonly count: number;

  constructor(readonly layout: MtiLayout) {
    this.slots = new Map(layout.modes.map((m) => [m, slotsOf(m, layout.tasks)]));
    this.perRun = layout.modes.reduce((s, m) => s + this.slots.get(m)!.length, 0);
    this.count = layout.engines.length * layout.runs * this.perRun;
  }

  /** Unit `index` (0 ≤ index < count). */
  at(index: number): MtiUnitAddress {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) throw new RangeError(`unit ${index} is outside 0..${this.count - 1}`);
    const perEngine = this.layout.runs * this.perRun;
    const engine = this.layout.engines[Math.floor(index / perEngine)]!;
    const inEngine = index % perEngine;
    const run = Math.floor(inEngine / this.perRun);
    let rest = inEngine % this.perRun;
    for (const mode of this.layout.modes) {
      const slots = this.slots.get(mode)!;
      if (rest < slots.length) return { engine, run, mode, slot: slots[rest]! };
      rest -= slots.length;
    }
    throw new Error(`unit ${index} fell outside the layout`);
  }

  /** Units of one mode per (engine, run). */
  slotsPerRun(mode: MtiMode): number {
    return this.slots.get(mode)?.length ?? 0;
  }
}
