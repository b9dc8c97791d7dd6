/**
 * What running an evaluation's units needs in memory, and unit i of it as its result line. The job kind's shards and
 * `assay sirllm eval` both go through {@link evalUnitLine}, so a unit computes the same line in either.
 */
import type { SirllmEvalLayout, SirllmEvalSpec, SirllmEvalUnitLine } from "../../../schemas/sirllm-eval-jobs.js";
import type { Engine } from "../../engines/engine.js";
import { failedUnit } from "../eval/score-unit.js";
import { runEvalUnit, unitFailure } from "../eval/run-eval-unit.js";
import type { UnitScript } from "../eval/script-turn.js";
import type { MemoryDriver } from "../turns/memory-driver.js";
import { memoryDriverFor } from "../turns/select-driver.js";
import { SirllmEvalUnits } from "./eval-plan.js";

/** An evaluation ready to run units. */
export interface SirllmEvalRun {
  readonly spec: SirllmEvalSpec;
  readonly units: SirllmEvalUnits;
  /** Per task (spec order), its units' scripts. */
  readonly scripts: readonly (readonly UnitScript[])[];
  readonly engine: Engine;
  /** Null when no driver could be had for the engine (`driverError` says why; every unit then fails with it). */
  readonly driver: MemoryDriver | null;
  readonly driverError: string | null;
  /** Prefix of every unit's session owner (`eval:{jobId}`), so a KV-level driver tells units apart. */
  readonly ownerPrefix: string;
}

/**
 * The run of a resolved evaluation on `engine`. The scripts must be those the layout names, in its order (a data file
 * that changed since the job was accepted is refused rather than evaluated on other units).
 *
 * @example
 * const run = await sirllmEvalRun(spec, layout, scripts, engine, "eval:cli");
 */
export async function sirllmEvalRun(
  spec: SirllmEvalSpec,
  layout: SirllmEvalLayout,
  scripts: readonly (readonly UnitScript[])[],
  engine: Engine,
  ownerPrefix: string,
): Promise<SirllmEvalRun> {
  layout.tasks.forEach((t, i) => {
    const ids = (scripts[i] ?? []).map((s) => s.unit);
    if (ids.length !== t.units.length || ids.some((id, k) => id !== t.units[k])) {
      throw new Error(`the ${t.task} units are not those the evaluation was prepared with (the data changed?): ${t.units.length} prepared, ${ids.length} now`);
    }
  });
  let driver: MemoryDriver | null = null;
  let driverError: string | null = null;
  try {
    driver = memoryDriverFor(engine, spec.memoryLevel, spec.entropy);
  } catch (error) {
    const reason = unitFailure(error);
    if (reason === null) throw error;
    driverError = reason;
  }
  return { spec, units: new SirllmEvalUnits(layout), scripts, engine, driver, driverError, ownerPrefix };
}

/**
 * Unit `index` run to its result line. Throws only what a retry may fix (see `runEvalUnit`).
 *
 * @example
 * const line = await evalUnitLine(run, 0); // { version: 1, task, unit, policy, result, index: 0, engine, entropy, memoryLevel, work }
 */
export async function evalUnitLine(run: SirllmEvalRun, index: number): Promise<SirllmEvalUnitLine> {
  const { taskIndex, unitIndex, policy } = run.units.at(index);
  const script = run.scripts[taskIndex]![unitIndex]!;
  const task = run.spec.evaluations[taskIndex]!;
  const head = { index, engine: run.spec.engine.name, entropy: run.spec.entropy, memoryLevel: run.spec.memoryLevel };
  if (run.driver === null) {
    return { ...failedUnit(script, policy, run.driverError ?? "no memory driver"), ...head, work: { turns: 0, tokens: 0, evictions: 0, evictedTokens: 0 } };
  }
  const { outcome, work } = await runEvalUnit(script, policy, {
    driver: run.driver,
    entropy: run.spec.entropy,
    settings: { cacheSize: task.cacheSize, sinks: task.sinks, decay: task.decay, seed: run.spec.seed },
    owner: `${run.ownerPrefix}:${task.task}:${script.unit}:${policy}`,
  });
  return { ...outcome, ...head, work: { ...work } };
}
