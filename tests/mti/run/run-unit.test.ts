import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { MtiInstance } from "../../../schemas/mti.js";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { parseMtiBench } from "../../../shared/mti/dataset/parse-bench.js";
import { parseMtiDemos } from "../../../shared/mti/dataset/parse-demos.js";
import { tuluChatTemplate } from "../../../shared/mti/prompts/chat-template.js";
import { authorsAnswerScorer, nthTaskAnswer } from "../../../shared/mti/run/answer-scorer.js";
import { callSeed, type MtiGenerate } from "../../../shared/mti/run/engine-call.js";
import { runMtiUnit, type MtiRunSettings } from "../../../shared/mti/run/run-unit.js";
import type { MtiTaskPrompts } from "../../../shared/mti/run/unit-work.js";

const dataset = parseMtiBench(readFileSync(sharedFile("data/mti_bench/mti_bench_slice.json"), "utf8"));
const demos = parseMtiDemos(readFileSync(sharedFile("data/mti_bench/cot_breakdown.json"), "utf8"));
const task013 = dataset.tasks.find((t) => t.task === "013")!; // 2 steps
const task012 = dataset.tasks.find((t) => t.task === "012")!; // 3 steps
const prompts = (t: typeof task013): MtiTaskPrompts => ({ task: t.task, sample: t.sample, demos: demos[t.task]! });

/** A generator that answers from a script and records every prompt and seed. */
function scripted(outputs: string[], seconds = 1): { generate: MtiGenerate; calls: { prompt: string; seed: number }[] } {
  const calls: { prompt: string; seed: number }[] = [];
  return {
    calls,
    generate: async (prompt, seed) => {
      calls.push({ prompt, seed });
      const text = outputs.shift();
      if (text === undefined) throw new Error("script ran out");
      return { text, seconds, promptTokens: 100, outputTokens: 10, capped: false };
    },
  };
}

const settings: MtiRunSettings = { template: tuluChatTemplate, lenient: false, batchScoring: "step1", seed: 0, run: 0, score: authorsAnswerScorer };
const gold = (i: MtiInstance, k: number) => i.answers[k - 1]!.raw.replace(/^"|"$/g, "");

describe("runMtiUnit", () => {
  it("should answer every step of a multi-task instance from one call", async () => {
    const inst = task012.instances[0]!;
    const { generate, calls } = scripted([`<task1>${gold(inst, 1)}<task1/> <task2>nope<task2/> <task3>${gold(inst, 3)}<task3/>`]);
    const [r] = await runMtiUnit({ mode: "multi", task: prompts(task012), instance: inst }, generate, settings);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.prompt.startsWith("<|user|>\n### Example:\n\n### Instruction: ")).toBe(true);
    expect(r!.steps.map((s) => s.match)).toEqual([true, false, true]);
    expect(r!.steps[1]).toMatchObject({ parsed: "nope", normalised: "nope", scored: true });
    expect(r!.calls).toBe(1);
    expect(r!.seconds).toBe(1);
  });

  it("should chain single-task steps on the earlier calls' whole outputs and read step k from call k", async () => {
    const inst = task013.instances[0]!;
    const out1 = `thinking… <task1>${gold(inst, 1)}<task1/>`;
    const { generate, calls } = scripted([out1, `<task2>${gold(inst, 2)}<task2/>`]);
    const [r] = await runMtiUnit({ mode: "single", task: prompts(task013), instance: inst }, generate, settings);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.prompt).toContain(`### Answer:\n\n${out1}\n\n### (2) Instruction: `);
    expect(r!.steps.map((s) => s.match)).toEqual([true, true]);
    expect(r!.calls).toBe(2);
    expect(r!.seconds).toBe(2);
    expect(calls.map((c) => c.seed)).toEqual([callSeed(0, 0, "single", inst.uid, 1), callSeed(0, 0, "single", inst.uid, 2)]);
    expect(r!.callLog).toEqual([
      { step: 1, seconds: 1, promptTokens: 100, outputTokens: 10, capped: false },
      { step: 2, seconds: 1, promptTokens: 100, outputTokens: 10, capped: false },
    ]);
  });

  it("should score a batch pair's step 1 from <task1> and <task2>, split the time, and leave later steps unscored by default", async () => {
    const [a, b] = [task013.instances[0]!, task013.instances[1]!];
    const { generate, calls } = scripted([`<task1>${gold(a, 1)}<task1/><task2>${gold(b, 1)}<task2/>`, `<task2>${gold(a, 2)}<task2/><task2>wrong<task2/>`]);
    const [ra, rb] = await runMtiUnit({ mode: "batch", task: prompts(task013), pair: [a, b] }, generate, settings);
    expect(calls[0]!.prompt).toContain("Read the following passage, and solve both of the instructions provided.");
    expect(ra!.steps.map((s) => [s.match, s.scored])).toEqual([[true, true], [true, false]]);
    expect(rb!.steps.map((s) => [s.match, s.scored])).toEqual([[true, true], [false, false]]);
    expect(ra!.seconds).toBe(1);
    expect(rb!.seconds).toBe(1);
    expect(ra!.calls).toBe(2);
    // Each instance lists the whole of both shared calls; only its half counts towards its seconds and tokens.
    expect(ra!.callLog.map((c) => [c.step, c.seconds])).toEqual([[1, 1], [2, 1]]);
    expect(rb!.callLog).toEqual(ra!.callLog);
    expect(ra!.promptTokens).toBe(100);
  });

  it("should score every batch step under batchScoring all, the second instance from the second occurrence", async () => {
    const [a, b] = [task013.instances[0]!, task013.instances[1]!];
    const { generate } = scripted([`<task1>x<task1/><task2>${gold(b, 1)}<task2/>`, `<task2>${gold(a, 2)}<task2/> then <task2>${gold(b, 2)}<task2/>`]);
    const [ra, rb] = await runMtiUnit({ mode: "batch", task: prompts(task013), pair: [a, b] }, generate, { ...settings, batchScoring: "all" });
    expect(ra!.steps.map((s) => [s.match, s.scored])).toEqual([[false, true], [true, true]]);
    expect(rb!.steps.map((s) => [s.match, s.scored])).toEqual([[true, true], [true, true]]);
  });

  it("should prompt a lone batch instance as single-task inference", async () => {
    const inst = task013.instances[2]!;
    const { generate, calls } = scripted(["<task1>a<task1/>", "<task2>b<task2/>"]);
    const [r] = await runMtiUnit({ mode: "batch", task: prompts(task013), lone: inst }, generate, settings);
    const single = scripted(["<task1>a<task1/>", "<task2>b<task2/>"]);
    await runMtiUnit({ mode: "single", task: prompts(task013), instance: inst }, single.generate, settings);
    expect(calls.map((c) => c.prompt)).toEqual(single.calls.map((c) => c.prompt));
    expect(r!.steps.every((s) => s.scored)).toBe(true);
  });

  it("should record a missing tag as parsed null, never equal to the gold", async () => {
    const inst = task013.instances[0]!;
    const { generate } = scripted([`no tags here ${gold(inst, 1)}`]);
    const [r] = await runMtiUnit({ mode: "multi", task: prompts(task013), instance: inst }, generate, settings);
    expect(r!.steps[0]).toMatchObject({ parsed: null, normalised: null, match: false });
  });

  it("should count an answer closed with </taskN> only when lenient, and mark it", async () => {
    const inst = task013.instances[0]!;
    const out = `<task1>${gold(inst, 1)}</task1>`;
    const strict = await runMtiUnit({ mode: "multi", task: prompts(task013), instance: inst }, scripted([out]).generate, settings);
    const lenient = await runMtiUnit({ mode: "multi", task: prompts(task013), instance: inst }, scripted([out]).generate, { ...settings, lenient: true });
    expect(strict[0]!.steps[0]).toMatchObject({ parsed: null, match: false, lenient: false });
    expect(lenient[0]!.steps[0]).toMatchObject({ match: true, lenient: true });
  });
});

describe("nthTaskAnswer", () => {
  it("should find the first, second and a missing occurrence", () => {
    const out = "<task2> a <task2/> x <task2>b<task2/>";
    expect(nthTaskAnswer(out, 2, 0, false)?.text).toBe("a");
    expect(nthTaskAnswer(out, 2, 1, false)?.text).toBe("b");
    expect(nthTaskAnswer(out, 2, 2, false)).toBeNull();
  });
});

describe("callSeed", () => {
  it("should be stable, non-negative and differ between calls", () => {
    expect(callSeed(0, 0, "single", "013_1", 1)).toBe(callSeed(0, 0, "single", "013_1", 1));
    const seeds = new Set([callSeed(0, 0, "single", "013_1", 1), callSeed(0, 0, "single", "013_1", 2), callSeed(0, 1, "single", "013_1", 1), callSeed(1, 0, "single", "013_1", 1)]);
    expect(seeds.size).toBe(4);
    for (const s of seeds) expect(s).toBeGreaterThanOrEqual(0);
  });
});
