/**
 * What a finished sweep reports: the per-(engine, mode) results, the speed ratios between modes and the gate's
 * verdict. Every report file (JSON summary, CSV, Markdown, JUnit XML, SVG charts) is rendered from this one object.
 */
import type { GateResult, MtiMode, MtiModeReport } from "../../../schemas/mti-sweeps.js";
import { latencyRatio } from "./sweep-accumulator.js";

/** The paper's speed comparison for one engine: how many times longer Single-Task Inference takes per instance. */
export interface MtiSpeedRatios {
  readonly engine: string;
  /** Seconds per instance of single / of multi (the paper: 1.46). Null unless both ran. */
  readonly singleOverMulti: number | null;
  /** Seconds per instance of single / of batch (the paper: 2.1). Null unless both ran. */
  readonly singleOverBatch: number | null;
}

/** The inputs of every report renderer. */
export interface MtiSweepReport {
  readonly sweepId: string;
  readonly engines: readonly { readonly name: string; readonly model: string }[];
  readonly modes: readonly MtiMode[];
  readonly runs: number;
  readonly reports: readonly MtiModeReport[];
  readonly speedRatios: readonly MtiSpeedRatios[];
  readonly gate: GateResult | null;
}

/**
 * The speed ratios of every engine in the reports.
 *
 * @example
 * speedRatiosOf(reports); // [{ engine: "local", singleOverMulti: 1.4, singleOverBatch: null }]
 */
export function speedRatiosOf(reports: readonly MtiModeReport[]): MtiSpeedRatios[] {
  return [...new Set(reports.map((r) => r.engine))].map((engine) => ({
    engine,
    singleOverMulti: latencyRatio(reports, engine, "single", "multi"),
    singleOverBatch: latencyRatio(reports, engine, "single", "batch"),
  }));
}
