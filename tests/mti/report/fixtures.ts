/** Hand-built unit lines for the report tests. */
import type { MtiInstanceResult, MtiMode, MtiUnitLine } from "../../../schemas/mti-sweeps.js";

/** An instance whose steps are right where `rights` says. */
export function instance(uid: string, task: string, rights: readonly boolean[], seconds = 1, scoredSteps = rights.length): MtiInstanceResult {
  return {
    uid,
    task,
    steps: rights.map((match, i) => ({ step: i + 1, parsed: match ? "x" : "y", normalised: match ? "x" : "y", gold: "x", match, lenient: false, scored: i < scoredSteps })),
    seconds,
    promptTokens: 100,
    outputTokens: 10 * rights.length,
    calls: 1,
    callLog: [{ step: 0, seconds, promptTokens: 100, outputTokens: 10 * rights.length, capped: false }],
  };
}

export function line(unit: number, mode: MtiMode, run: number, instances: MtiInstanceResult[], engine = "local"): MtiUnitLine {
  return { unit, engine, mode, run, instances };
}
