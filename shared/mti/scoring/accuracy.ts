/**
 * MTI-Bench accuracies over step verdicts (src.py @ 05ddd6a, `calculate_accuracy` and `get_score`): per-step
 * accuracy; conditional accuracy, where a step counts only when every earlier step was right too; and final
 * accuracy, an instance being right when all its scored steps are. The authors score Batch Prompting on step 1 only
 * (`get_batch_score` reads the step-1 generations); which steps are scored is a required argument here, and
 * {@link authorsStepScope} gives the authors' choice for each method.
 */

/** How the instances were run (REFERENCE.md §3). */
export type InferenceMethod = "single-task" | "batch" | "multi-task";

/** Which steps of an instance are scored: only the first, or all of them. */
export type StepScope = "first-step" | "all-steps";

/** One step's verdict as the metrics need it (a `StepMatch` fits). */
export interface StepVerdict {
  readonly match: boolean;
  /** The answer was read through the lenient `</taskN>` closing tag; counted apart, never required. */
  readonly lenientClose?: boolean;
}

/** One instance's scores over its scored steps. */
export interface InstanceScore {
  readonly scope: StepScope;
  /** Per scored step, in step order: right or not. */
  readonly steps: readonly boolean[];
  /** Per scored step: right, and every earlier step right. */
  readonly conditional: readonly boolean[];
  /** Every scored step right. */
  readonly final: boolean;
}

/** Accuracy of one step over the instances that have it. */
export interface StepAccuracy {
  readonly step: number;
  readonly scored: number;
  readonly correct: number;
  /** correct / scored, null when nothing was scored. */
  readonly accuracy: number | null;
  readonly conditionalCorrect: number;
  readonly conditionalAccuracy: number | null;
  /** Correct answers that were read through the lenient closing tag (0 without `--lenient`). */
  readonly correctViaLenientClose: number;
}

/** A plain, JSON-serialisable accuracy report. */
export interface AccuracyReport {
  readonly version: 1;
  readonly scope: StepScope;
  readonly instances: number;
  readonly steps: readonly StepAccuracy[];
  readonly finalCorrect: number;
  /** finalCorrect / instances, null when there are no instances. */
  readonly finalAccuracy: number | null;
}

/**
 * The authors' scope: Batch Prompting on step 1 only, the other methods on every step.
 *
 * @example
 * authorsStepScope("batch"); // "first-step"
 */
export function authorsStepScope(method: InferenceMethod): StepScope {
  return method === "batch" ? "first-step" : "all-steps";
}

function scoredSteps<T>(steps: readonly T[], scope: StepScope): readonly T[] {
  if (steps.length === 0) throw new RangeError("an instance needs at least one step");
  return scope === "first-step" ? steps.slice(0, 1) : steps;
}

/**
 * Scores one instance from its step verdicts (step 1 first).
 *
 * @example
 * scoreInstance([{ match: true }, { match: false }, { match: true }], "all-steps");
 * // { scope: "all-steps", steps: [true, false, true], conditional: [true, false, false], final: false }
 */
export function scoreInstance(verdicts: readonly StepVerdict[], scope: StepScope): InstanceScore {
  const steps = scoredSteps(verdicts, scope).map((v) => v.match);
  let allBefore = true;
  const conditional = steps.map((right) => {
    const counted = allBefore && right;
    allBefore = counted;
    return counted;
  });
  return { scope, steps, conditional, final: steps.every(Boolean) };
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/**
 * Aggregates instances (each a list of step verdicts, step 1 first) into per-step, conditional and final accuracy.
 * Instances may have different step counts (tasks have 2 or 3); each step's accuracy is over the instances that have
 * it, as the authors' per-task averages are.
 *
 * @example
 * aggregateAccuracy([[{ match: true }, { match: true }], [{ match: true }, { match: false }]], "all-steps");
 * // steps: [{ step: 1, accuracy: 1, … }, { step: 2, accuracy: 0.5, … }], finalAccuracy: 0.5
 */
export function aggregateAccuracy(instances: readonly (readonly StepVerdict[])[], scope: StepScope): AccuracyReport {
  const tallies: { scored: number; correct: number; conditionalCorrect: number; correctViaLenientClose: number }[] = [];
  let finalCorrect = 0;
  for (const verdicts of instances) {
    const score = scoreInstance(verdicts, scope);
    score.steps.forEach((right, i) => {
      const tally = (tallies[i] ??= { scored: 0, correct: 0, conditionalCorrect: 0, correctViaLenientClose: 0 });
      tally.scored += 1;
      if (right) tally.correct += 1;
      if (score.conditional[i]) tally.conditionalCorrect += 1;
      if (right && verdicts[i]!.lenientClose === true) tally.correctViaLenientClose += 1;
    });
    if (score.final) finalCorrect += 1;
  }
  return {
    version: 1,
    scope,
    instances: instances.length,
    steps: tallies.map((t, i) => ({
      step: i + 1,
      scored: t.scored,
      correct: t.correct,
      accuracy: ratio(t.correct, t.scored),
      conditionalCorrect: t.conditionalCorrect,
      conditionalAccuracy: ratio(t.conditionalCorrect, t.scored),
      correctViaLenientClose: t.correctViaLenientClose,
    })),
    finalCorrect,
    finalAccuracy: ratio(finalCorrect, instances.length),
  };
}
