/**
 * Runs one unit of a sweep against a generator and scores what comes back (REFERENCE.md §3):
 * - Multi-Task Inference: one call; step k's answer is the first `<taskk>…<taskk/>` of the output.
 * - Single-Task Inference: one call per step, each chaining the earlier calls' whole outputs; step k's answer is read
 *   from the k-th call's output.
 * - Batch Prompting: one call per step for the pair, chained the same way. At step 1 the tag names the instance
 *   (`<task1>` the first, `<task2>` the second, as the authors rename it). At later steps both instructions ask for
 *   `<taskk>`; under `batchScoring: "all"` the first occurrence is the first instance's and the second the second's
 *   (assay's reading — the authors score step 1 only, the default, and such steps are recorded `scored: false`).
 *   Each call's time and tokens are split evenly between the two instances. A lone instance runs as Single-Task.
 * Every step of every mode runs, whatever is scored, so latency compares complete solutions.
 */
import type { MtiGold } from "../../../schemas/mti.js";
import type { MtiCallRecord, MtiInstanceResult, MtiStepResult } from "../../../schemas/mti-sweeps.js";
import { batchPrompt, loneBatchPrompt } from "../prompts/batch-prompt.js";
import type { MtiChatTemplate } from "../prompts/chat-template.js";
import { multiTaskPrompt } from "../prompts/multi-task-prompt.js";
import { singleTaskPrompt } from "../prompts/single-task-prompt.js";
import { callSeed, type MtiCallResult, type MtiGenerate } from "./engine-call.js";
import type { MtiUnitWork } from "./unit-work.js";

/** Where in a call's output one answer is: the tag it is asked in, and what the call answered. */
export interface MtiAnswerLocation {
  /** The step the answer is for (1-based). */
  readonly step: number;
  /** The `N` of `<taskN>` the answer is asked in, and which occurrence of it (0-based) belongs to this instance. */
  readonly tag: number;
  readonly occurrence: number;
  /** What the call answered: this step alone, every step of the instance, or one step of a pair (`slot` 0 or 1). */
  readonly call: { readonly kind: "one-step" } | { readonly kind: "all-steps"; readonly steps: number } | { readonly kind: "pair"; readonly slot: 0 | 1 };
}

/** Scores one answer of an output against its gold. */
export type MtiAnswerScorer = (
  output: string,
  at: MtiAnswerLocation,
  gold: MtiGold,
  lenient: boolean,
) => Pick<MtiStepResult, "parsed" | "normalised" | "gold" | "match" | "lenient" | "rougeL">;

export interface MtiRunSettings {
  readonly template: MtiChatTemplate;
  readonly lenient: boolean;
  readonly batchScoring: "step1" | "all";
  /** The sweep's base seed and this unit's run, for {@link callSeed}. */
  readonly seed: number;
  readonly run: number;
  readonly score: MtiAnswerScorer;
}

interface Tally {
  seconds: number;
  promptTokens: number;
  outputTokens: number;
  calls: number;
  log: MtiCallRecord[];
}

const tally = (): Tally => ({ seconds: 0, promptTokens: 0, outputTokens: 0, calls: 0, log: [] });

/** Counts a call towards an instance: `share` of its cost (½ for each instance of a batch pair), all of its record. */
const add = (t: Tally, r: MtiCallResult, step: number, share = 1) => {
  t.seconds += r.seconds * share;
  t.promptTokens += r.promptTokens * share;
  t.outputTokens += r.outputTokens * share;
  t.calls += 1;
  t.log.push({ step, seconds: r.seconds, promptTokens: r.promptTokens, outputTokens: r.outputTokens, capped: r.capped });
};

/**
 * @example
 * const results = await runMtiUnit({ mode: "multi", task, instance }, engineGenerate(engine, decoding), settings);
 */
export async function runMtiUnit(work: MtiUnitWork, generate: MtiGenerate, settings: MtiRunSettings): Promise<MtiInstanceResult[]> {
  const { template, lenient, score, seed, run } = settings;
  const step = (output: string, at: MtiAnswerLocation, gold: MtiGold, scored = true): MtiStepResult => ({
    step: at.step,
    ...score(output, at, gold, lenient),
    scored,
  });
  const ONE = { kind: "one-step" } as const;
  const finish = (uid: string, steps: MtiStepResult[], t: Tally): MtiInstanceResult => ({
    uid,
    task: work.task.task,
    steps,
    seconds: t.seconds,
    promptTokens: Math.round(t.promptTokens),
    outputTokens: Math.round(t.outputTokens),
    calls: t.calls,
    callLog: t.log,
  });

  if (work.mode === "multi") {
    const { instance } = work;
    const t = tally();
    const r = await generate(multiTaskPrompt({ sample: work.task.sample, instance }, template), callSeed(seed, run, "multi", instance.uid, 0));
    add(t, r, 0);
    const call = { kind: "all-steps", steps: instance.answers.length } as const;
    return [finish(instance.uid, instance.answers.map((gold, i) => step(r.text, { step: i + 1, tag: i + 1, occurrence: 0, call }, gold)), t)];
  }

  const chainAlone = async (mode: "single" | "batch") => {
    const instance = "instance" in work ? work.instance : "lone" in work ? work.lone : null;
    if (instance === null) throw new Error("a chained single-instance unit needs an instance");
    const t = tally();
    const earlier: string[] = [];
    const steps: MtiStepResult[] = [];
    for (let k = 1; k <= instance.instructions.length; k++) {
      const input = { sample: work.task.sample, demos: work.task.demos, instance, step: k, earlier };
      const prompt = mode === "single" ? singleTaskPrompt(input, template) : loneBatchPrompt(input, template);
      const r = await generate(prompt, callSeed(seed, run, mode, instance.uid, k));
      add(t, r, k);
      steps.push(step(r.text, { step: k, tag: k, occurrence: 0, call: ONE }, instance.answers[k - 1]!));
      earlier.push(r.text);
    }
    return [finish(instance.uid, steps, t)];
  };

  if (work.mode === "single") return chainAlone("single");
  if (!("pair" in work)) return chainAlone("batch");

  const [a, b] = work.pair;
  const ta = tally();
  const tb = tally();
  const stepsA: MtiStepResult[] = [];
  const stepsB: MtiStepResult[] = [];
  const earlier: string[] = [];
  for (let k = 1; k <= a.instructions.length; k++) {
    const prompt = batchPrompt({ demos: work.task.demos, pair: work.pair, step: k, earlier }, template);
    const r = await generate(prompt, callSeed(seed, run, "batch", `${a.uid},${b.uid}`, k));
    add(ta, r, k, 0.5);
    add(tb, r, k, 0.5);
    const scored = k === 1 || settings.batchScoring === "all";
    stepsA.push(step(r.text, { step: k, tag: k, occurrence: 0, call: { kind: "pair", slot: 0 } }, a.answers[k - 1]!, scored));
    stepsB.push(step(r.text, { step: k, tag: k === 1 ? 2 : k, occurrence: k === 1 ? 0 : 1, call: { kind: "pair", slot: 1 } }, b.answers[k - 1]!, scored));
    earlier.push(r.text);
  }
  return [finish(a.uid, stepsA, ta), finish(b.uid, stepsB, tb)];
}
