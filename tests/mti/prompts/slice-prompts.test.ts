/**
 * Every prompt builder against prompts written out by hand from REFERENCE.md §3 and the authors' scripts, for one
 * 2-step pair (013_1769, 013_1100) and one 3-step pair (012_316, 012_209) of the shared slice. Only the long one-shot
 * demonstrations (the task's `sample`, the `step#k` cells) are spliced in, read straight from the JSON files; every
 * header, separator and instance text below is typed out.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { MtiDemos, MtiInstance, MtiTask } from "../../../schemas/mti.js";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { parseMtiBench } from "../../../shared/mti/dataset/parse-bench.js";
import { parseMtiDemos } from "../../../shared/mti/dataset/parse-demos.js";
import { pairInstances } from "../../../shared/mti/prompts/batch-pairs.js";
import { batchPrompt } from "../../../shared/mti/prompts/batch-prompt.js";
import { plainChatTemplate } from "../../../shared/mti/prompts/chat-template.js";
import { multiTaskPrompt } from "../../../shared/mti/prompts/multi-task-prompt.js";
import { singleTaskPrompt } from "../../../shared/mti/prompts/single-task-prompt.js";

const benchText = readFileSync(sharedFile("data/mti_bench/mti_bench_slice.json"), "utf8");
const demosText = readFileSync(sharedFile("data/mti_bench/cot_breakdown.json"), "utf8");

// The long demonstrations, straight from the files (not through the loaders under test).
const rawBench = JSON.parse(benchText) as Record<string, { sample: string }>;
const rawRows = (JSON.parse(demosText) as { rows: Record<string, string>[] }).rows;
const sample = (task: string) => rawBench[task]!.sample;
const demo = (task: string, step: number) => rawRows.find((r) => r.tuid === task)![`step#${step}`]!;

// Instance texts, copied from mti_bench_slice.json.
const QUERY = "Read the following passage, and follow the given steps.";
const T013_I1 = "Choose the correct instruction for solving the given task. Return the answer in <task1>N<task1/> format.";
// Task 013's step 2 asks for <task1> tags, like task 011's (REFERENCE.md §3): kept as the data has it.
const T013_I2 =
  "Choose the best incorrect instruction for solving the given task. Add the answer number of the answer with the answer for step#1. Return the answer in <task1>N<task1/> format.";
const T013_1769_C10 =
  "###List of Instructions\n(1) Rinse with a one fourth cup of white vinegar after normal shampoo.\n(2) Pour boiling water over weeds.\n(3) Pour cold water over weeds.\n(4) Soak a cotton ball with water than place on tick.\n(5) Apply toothpaste on spot and rub with steel wool.";
const T013_1769_C21 = "###Task\nRemove weeds from garden.";
const T013_1100_C10 =
  "###List of Instructions\n(1) throw everything into one trashbag.\n(2) place one foot in front of the other very fast.\n(3) lay completely straight across two separate things, with most of your body exposed to the air.\n(4) watch it on your tv.\n(5) watch it over the internet.";
const T013_1100_C21 = "###Task\nhow do you stream a movie?";

const T012_I1 = "Reorder the given sentences to its original order. Return the answer in <task1>(1)-(2)-(3)-(4)<task1/> format.";
const T012_I2 = "Go through the provided list of questions and choose the one that is answerable given the context. Return the answer in <task2>N<task2/> format.";
const T012_I3 = "Solve the question you have chose from step#2. Extract the answer from the passage of step#1. Return the answer in <task3>N<task3/> format.";
const T012_316_C10 =
  '###List of Sentences\n(1) I have built, demonstrated and used it.\n(2) Only a little time will pass before I can give it to the world.\n(3) " His records indicate that the device is based on a narrow stream of small tungsten pellets that are accelerated via high voltage (by means akin to his magnifying transformer).\n(4) In 1937, at a luncheon in his honor concerning the death ray, Tesla stated, "But it is not an experiment.';
const T012_316_C20 =
  "###List of Questions\n(1) What was the occasion when he claimed he'd made the death ray?\n(2) name an occasion when men buy roses.\n(3) is playstation 3 blu ray?\n(4) What powers Megamind's death ray?\n(5) How old was Schwarzenegger when he started hoping he'd move to America?";
const T012_209_C10 =
  "###List of Sentences\n(1) After a few months with no success by the French, he added other aircraft to drop napalm for clearing purposes.\n(2) When the French fortress of Dien Bien Phu fell to the Vietnamese Communists in May 1954, Eisenhower refused to intervene despite urgings from the Chairman of the Joint Chiefs, the Vice President and the head of NCS.\n(3) Eisenhower did provide France with bombers and non-combat personnel.\n(4) Further requests for assistance from the French were agreed to but only on conditions Eisenhower knew were impossible to meet – allied participation and congressional approval.";
const T012_209_C20 =
  "###List of Questions\n(1) How many bombers hit Plymouth on Hitler's birthday?\n(2) when did us drop a bomb on hiroshima?\n(3) At what altitude did the American dive bombers commence their attck on the Japanese carriers?\n(4) What year did American forces start being stationed in Vietnam?\n(5) What did American bombers drop on Vietnam?";

// Earlier outputs fed into chained calls (the authors chain the whole generation, tags and all).
const GEN1 = "The correct one is (2).\n<task1>2<task1/>";
const GEN2 = "The answerable question is (1). <task2>1<task2/>";

let tasks: Map<string, MtiTask>;
let demos: MtiDemos;
let i013_1769: MtiInstance, i013_1100: MtiInstance, i012_316: MtiInstance, i012_209: MtiInstance;

beforeAll(() => {
  tasks = new Map(parseMtiBench(benchText).tasks.map((t) => [t.task, t]));
  demos = parseMtiDemos(demosText);
  const find = (task: string, uid: string) => tasks.get(task)!.instances.find((i) => i.uid === uid)!;
  i013_1769 = find("013", "013_1769");
  i013_1100 = find("013", "013_1100");
  i012_316 = find("012", "012_316");
  i012_209 = find("012", "012_209");
});

describe("Multi-Task Inference prompts", () => {
  it("should reproduce the hand-written prompt of a 2-step instance (013_1769)", () => {
    const expected =
      "<|user|>\n" +
      `### Example:\n\n### Instruction: ${sample("013")}\n\n### Task:\n\n### Instruction: ` +
      `Read the following passage, and follow the given steps.\n#1: ${T013_I1}\n#2: ${T013_I2}\n\n` +
      `${T013_1769_C10}\n${T013_1769_C21}` +
      "\n\n### Answer:\n\n" +
      "\n<|assistant|>\n";
    expect(multiTaskPrompt({ sample: sample("013"), instance: i013_1769 })).toBe(expected);
  });

  it("should reproduce the hand-written prompt of a 3-step instance (012_316), its step 3 without contexts", () => {
    const expected =
      "<|user|>\n" +
      `### Example:\n\n### Instruction: ${sample("012")}\n\n### Task:\n\n### Instruction: ` +
      `${QUERY}\n#1: ${T012_I1}\n#2: ${T012_I2}\n#3: ${T012_I3}\n\n${T012_316_C10}\n${T012_316_C20}` +
      "\n\n### Answer:\n\n" +
      "\n<|assistant|>\n";
    expect(multiTaskPrompt({ sample: sample("012"), instance: i012_316 })).toBe(expected);
  });

  it("should give the bare content under the `none` template", () => {
    const content = multiTaskPrompt({ sample: sample("013"), instance: i013_1769 }, plainChatTemplate);
    expect(content.startsWith(`### Example:\n\n### Instruction: ${sample("013")}\n\n### Task:\n\n### Instruction: ${QUERY}\n#1: `)).toBe(true);
    expect(content.endsWith(`${T013_1769_C21}\n\n### Answer:\n\n`)).toBe(true);
    expect(multiTaskPrompt({ sample: sample("013"), instance: i013_1769 })).toBe(`<|user|>\n${content}\n<|assistant|>\n`);
  });
});

describe("Single-Task Inference prompts", () => {
  it("should show the task's multi-task sample and step 1 alone at step 1 (013_1769)", () => {
    const expected =
      "<|user|>\n" +
      `### Example:\n\n### Instruction: ${sample("013")}\n\n### Task:\n\n### Instruction: ` +
      `${T013_I1}\n\n${T013_1769_C10}` +
      "\n\n### Answer:\n\n" +
      "\n<|assistant|>\n";
    const input = { sample: sample("013"), demos: demos["013"]!, instance: i013_1769, step: 1, earlier: [] };
    expect(singleTaskPrompt(input)).toBe(expected);
  });

  it("should chain step 1's output into step 2, under the per-step demonstrations (013_1769)", () => {
    const expected =
      "<|user|>\n" +
      `### Example:\n\n### (1) Instruction: ${demo("013", 1)}\n\n### (2) Instruction: ${demo("013", 2)}\n\n### Task:\n\n` +
      `### (1) Instruction: ${T013_I1}\n\n${T013_1769_C10}\n\n### Answer:\n\n${GEN1}\n\n` +
      `### (2) Instruction: ${T013_I2}\n\n${T013_1769_C21}\n\n### Answer:` +
      "\n<|assistant|>\n";
    const input = { sample: sample("013"), demos: demos["013"]!, instance: i013_1769, step: 2, earlier: [GEN1] };
    expect(singleTaskPrompt(input)).toBe(expected);
  });

  it("should render step 1 of a 3-step instance (012_316)", () => {
    const expected =
      "<|user|>\n" +
      `### Example:\n\n### Instruction: ${sample("012")}\n\n### Task:\n\n### Instruction: ${T012_I1}\n\n${T012_316_C10}\n\n### Answer:\n\n` +
      "\n<|assistant|>\n";
    expect(singleTaskPrompt({ sample: sample("012"), demos: demos["012"]!, instance: i012_316, step: 1, earlier: [] })).toBe(expected);
  });

  it("should chain step 1 into step 2 of a 3-step instance, showing only demonstrations 1 and 2 (012_316)", () => {
    const expected =
      "<|user|>\n" +
      `### Example:\n\n### (1) Instruction: ${demo("012", 1)}\n\n### (2) Instruction: ${demo("012", 2)}\n\n### Task:\n\n` +
      `### (1) Instruction: ${T012_I1}\n\n${T012_316_C10}\n\n### Answer:\n\n${GEN1}\n\n` +
      `### (2) Instruction: ${T012_I2}\n\n${T012_316_C20}\n\n### Answer:` +
      "\n<|assistant|>\n";
    expect(singleTaskPrompt({ sample: sample("012"), demos: demos["012"]!, instance: i012_316, step: 2, earlier: [GEN1] })).toBe(expected);
  });

  it("should chain both outputs into step 3 with the authors' `### Answer: ` (trailing space) after step 2 (012_316)", () => {
    const expected =
      "<|user|>\n" +
      `### Example:\n\n### (1) Instruction: ${demo("012", 1)}\n\n### (2) Instruction: ${demo("012", 2)}\n\n### (3) Instruction: ${demo("012", 3)}\n\n### Task:\n\n` +
      `### (1) Instruction: ${T012_I1}\n\n${T012_316_C10}\n\n### Answer:\n\n${GEN1}\n\n` +
      `### (2) Instruction: ${T012_I2}\n\n${T012_316_C20}\n\n### Answer: \n\n${GEN2}\n\n` +
      // Step 3 has no contexts: its text is the instruction and an empty "\n".join(), i.e. it ends in "\n\n".
      `### (3) Instruction: ${T012_I3}\n\n\n\n### Answer:` +
      "\n<|assistant|>\n";
    const input = { sample: sample("012"), demos: demos["012"]!, instance: i012_316, step: 3, earlier: [GEN1, GEN2] };
    expect(singleTaskPrompt(input)).toBe(expected);
  });
});

describe("Batch Prompting prompts", () => {
  it("should pair the slice's instances in file order", () => {
    const plan013 = pairInstances(tasks.get("013")!.instances);
    expect(plan013.pairs.map(([a, b]) => [a.uid, b.uid])).toEqual([["013_1522", "013_722"], ["013_1769", "013_1100"]]);
    expect(plan013.lone).toBeNull();
    expect(pairInstances(tasks.get("012")!.instances).pairs[0]!.map((i) => i.uid)).toEqual(["012_316", "012_209"]);
  });

  it("should reproduce step 1 of a 2-step pair, the second instance's <task1> tags renamed <task2> (013_1769, 013_1100)", () => {
    const expected =
      "<|user|>\n" +
      `### Example:\n\n### Instruction: ${demo("013", 1)}\n\n### Task:\n\n` +
      "Read the following passage, and solve both of the instructions provided.\n" +
      `### Instruction 1: ${T013_I1}\n\n${T013_1769_C10}\n\n` +
      "### Instruction 2: Choose the correct instruction for solving the given task. Return the answer in <task2>N<task2/> format." +
      `\n\n${T013_1100_C10}` +
      "\n\n### Answer:\n\n" +
      "\n<|assistant|>\n";
    expect(batchPrompt({ demos: demos["013"]!, pair: [i013_1769, i013_1100], step: 1, earlier: [] })).toBe(expected);
  });

  it("should chain the pair's step-1 output into step 2, renaming the data's <task1> of step 2 in the second instance", () => {
    const batch1 =
      "Read the following passage, and solve both of the instructions provided.\n" +
      `### Instruction 1: ${T013_I1}\n\n${T013_1769_C10}\n\n` +
      "### Instruction 2: Choose the correct instruction for solving the given task. Return the answer in <task2>N<task2/> format." +
      `\n\n${T013_1100_C10}`;
    const batch2 =
      "Read the following passage, and solve both of the instructions provided.\n" +
      `### Instruction 1: ${T013_I2}\n\n${T013_1769_C21}\n\n` +
      "### Instruction 2: Choose the best incorrect instruction for solving the given task. Add the answer number of the answer with the answer for step#1. Return the answer in <task2>N<task2/> format." +
      `\n\n${T013_1100_C21}`;
    const expected =
      "<|user|>\n" +
      `### Example:\n\n### (1) Instruction: ${demo("013", 1)}\n\n### (2) Instruction: ${demo("013", 2)}\n\n### Task:\n\n` +
      `### (1) Instruction: ${batch1}\n\n### Answer:\n\n${GEN1}\n\n### (2) Instruction: ${batch2}\n\n### Answer:` +
      "\n<|assistant|>\n";
    expect(batchPrompt({ demos: demos["013"]!, pair: [i013_1769, i013_1100], step: 2, earlier: [GEN1] })).toBe(expected);
  });

  it("should reproduce step 1 of a 3-step pair, renaming opening and closing tags (012_316, 012_209)", () => {
    const expected =
      "<|user|>\n" +
      `### Example:\n\n### Instruction: ${demo("012", 1)}\n\n### Task:\n\n` +
      "Read the following passage, and solve both of the instructions provided.\n" +
      `### Instruction 1: ${T012_I1}\n\n${T012_316_C10}\n\n` +
      "### Instruction 2: Reorder the given sentences to its original order. Return the answer in <task2>(1)-(2)-(3)-(4)<task2/> format." +
      `\n\n${T012_209_C10}` +
      "\n\n### Answer:\n\n" +
      "\n<|assistant|>\n";
    expect(batchPrompt({ demos: demos["012"]!, pair: [i012_316, i012_209], step: 1, earlier: [] })).toBe(expected);
  });

  it("should chain a 3-step pair's step 2, where the instructions already say <task2> and nothing is renamed", () => {
    const batch1 =
      "Read the following passage, and solve both of the instructions provided.\n" +
      `### Instruction 1: ${T012_I1}\n\n${T012_316_C10}\n\n` +
      "### Instruction 2: Reorder the given sentences to its original order. Return the answer in <task2>(1)-(2)-(3)-(4)<task2/> format." +
      `\n\n${T012_209_C10}`;
    const batch2 =
      "Read the following passage, and solve both of the instructions provided.\n" +
      `### Instruction 1: ${T012_I2}\n\n${T012_316_C20}\n\n### Instruction 2: ${T012_I2}\n\n${T012_209_C20}`;
    const expected =
      "<|user|>\n" +
      `### Example:\n\n### (1) Instruction: ${demo("012", 1)}\n\n### (2) Instruction: ${demo("012", 2)}\n\n### Task:\n\n` +
      `### (1) Instruction: ${batch1}\n\n### Answer:\n\n${GEN1}\n\n### (2) Instruction: ${batch2}\n\n### Answer:` +
      "\n<|assistant|>\n";
    expect(batchPrompt({ demos: demos["012"]!, pair: [i012_316, i012_209], step: 2, earlier: [GEN1] })).toBe(expected);
  });
});
