import { describe, expect, it } from "vitest";
import type { MtiInstance } from "../../../schemas/mti.js";
import { ValidationError } from "../../../shared/errors.js";
import { pairInstances, pairUid } from "../../../shared/mti/prompts/batch-pairs.js";
import { batchPrompt, loneBatchPrompt, renderBatchStep } from "../../../shared/mti/prompts/batch-prompt.js";
import { plainChatTemplate } from "../../../shared/mti/prompts/chat-template.js";
import { singleTaskPrompt } from "../../../shared/mti/prompts/single-task-prompt.js";

function instance(uid: string, contexts: [string, string][] = [], steps = 2): MtiInstance {
  return {
    uid,
    task: uid.slice(0, 3),
    query: "Q",
    instructions: Array.from({ length: steps }, (_, i) => `Step ${i + 1}: answer in <task${i + 1}>N<task${i + 1}/>.`),
    contexts: contexts.map(([key, text]) => ({ key, step: Number(key.split("_")[0]), text })),
    answers: Array.from({ length: steps }, () => ({ raw: "1", value: 1 })),
  };
}

describe("pairInstances", () => {
  it("should pair in order and keep the last of an odd count as lone", () => {
    const [a, b, c, d, e] = ["001_1", "001_2", "001_3", "001_4", "001_5"].map((u) => instance(u));
    const plan = pairInstances([a!, b!, c!, d!, e!]);
    expect(plan.pairs.map(pairUid)).toEqual(["001_1,001_2", "001_3,001_4"]);
    expect(plan.lone?.uid).toBe("001_5");
    expect(pairInstances([a!, b!]).lone).toBeNull();
    expect(pairInstances([a!])).toEqual({ pairs: [], lone: a });
    expect(pairInstances([])).toEqual({ pairs: [], lone: null });
  });
});

describe("renderBatchStep", () => {
  it("should rename every <task1> and <task1/> of the second instance, contexts included, and nothing in the first", () => {
    const first = instance("001_1", [["1_0", "see <task1>x<task1/>"]]);
    const second = instance("001_2", [["1_0", "see <task1>y<task1/> and <task1>z<task1/>"]]);
    expect(renderBatchStep([first, second], 1)).toBe(
      "Read the following passage, and solve both of the instructions provided.\n" +
        "### Instruction 1: Step 1: answer in <task1>N<task1/>.\n\nsee <task1>x<task1/>\n\n" +
        "### Instruction 2: Step 1: answer in <task2>N<task2/>.\n\nsee <task2>y<task2/> and <task2>z<task2/>",
    );
  });
});

describe("batchPrompt", () => {
  const demos = ["D1", "D2", "D3"];
  const pair = [instance("002_1", [], 3), instance("002_2", [], 3)] as const;

  it("should chain a step 3 like Single-Task Inference, with the pair's texts", () => {
    const q = (step: number, second: number) =>
      `Read the following passage, and solve both of the instructions provided.\n### Instruction 1: Step ${step}: answer in <task${step}>N<task${step}/>.\n\n\n\n` +
      `### Instruction 2: Step ${step}: answer in <task${second}>N<task${second}/>.\n\n`;
    expect(batchPrompt({ demos, pair, step: 3, earlier: ["G1", "G2"] }, plainChatTemplate)).toBe(
      "### Example:\n\n### (1) Instruction: D1\n\n### (2) Instruction: D2\n\n### (3) Instruction: D3\n\n### Task:\n\n" +
        `### (1) Instruction: ${q(1, 2)}\n\n### Answer:\n\nG1\n\n### (2) Instruction: ${q(2, 2)}\n\n### Answer: \n\nG2\n\n` +
        `### (3) Instruction: ${q(3, 3)}\n\n### Answer:`,
    );
  });

  it("should refuse earlier outputs at step 1, missing demonstrations and pairs with different steps", () => {
    expect(() => batchPrompt({ demos, pair, step: 1, earlier: ["G"] })).toThrow(ValidationError);
    expect(() => batchPrompt({ demos: [], pair, step: 1, earlier: [] })).toThrow("task 002: batch prompting shows the step#1 demonstration; none found");
    expect(() => batchPrompt({ demos, pair: [instance("002_1", [], 3), instance("002_2")], step: 1, earlier: [] })).toThrow(
      "a batch pairs instances with the same steps; 002_1 and 002_2 differ",
    );
  });
});

describe("loneBatchPrompt", () => {
  it("should prompt a lone instance exactly as Single-Task Inference does, tags unrenamed", () => {
    const lone = instance("001_5", [["1_0", "C"]]);
    const input = { sample: "S", demos: ["D1", "D2"], instance: lone, step: 1, earlier: [] };
    expect(loneBatchPrompt(input)).toBe(singleTaskPrompt(input));
    expect(loneBatchPrompt(input, plainChatTemplate)).toBe(
      "### Example:\n\n### Instruction: S\n\n### Task:\n\n### Instruction: Step 1: answer in <task1>N<task1/>.\n\nC\n\n### Answer:\n\n",
    );
    expect(loneBatchPrompt({ ...input, step: 2, earlier: ["G1"] })).toBe(singleTaskPrompt({ ...input, step: 2, earlier: ["G1"] }));
  });
});
