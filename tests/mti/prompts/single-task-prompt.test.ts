import { describe, expect, it } from "vitest";
import type { MtiInstance } from "../../../schemas/mti.js";
import { ValidationError } from "../../../shared/errors.js";
import { singleTaskPrompt } from "../../../shared/mti/prompts/single-task-prompt.js";

const instance: MtiInstance = {
  uid: "002_9",
  task: "002",
  query: "Q",
  instructions: ["I1", "I2", "I3"],
  contexts: [{ key: "2_0", step: 2, text: "C20" }],
  answers: [1, 2, 3].map((n) => ({ raw: String(n), value: n })),
};

describe("singleTaskPrompt", () => {
  it("should refuse a step the instance does not have", () => {
    expect(() => singleTaskPrompt({ sample: "S", demos: ["D1"], instance, step: 4, earlier: ["a", "b", "c"] })).toThrow(
      "instance 002_9 has steps 1..3; there is no step 4",
    );
  });

  it("should refuse earlier outputs that do not match the step", () => {
    expect(() => singleTaskPrompt({ sample: "S", demos: ["D1", "D2"], instance, step: 1, earlier: ["x"] })).toThrow(ValidationError);
    expect(() => singleTaskPrompt({ sample: "S", demos: ["D1", "D2", "D3"], instance, step: 3, earlier: ["x"] })).toThrow(
      "step 3 chains the outputs of steps 1..2: expected 2, got 1",
    );
  });

  it("should name the task when a step's demonstration is missing", () => {
    expect(() => singleTaskPrompt({ sample: "S", demos: ["D1", "D2"], instance, step: 3, earlier: ["a", "b"] })).toThrow(
      "task 002: step 3 shows the demonstrations step#1..step#3; only 2 found",
    );
  });

  it("should not need demonstrations at step 1", () => {
    expect(singleTaskPrompt({ sample: "S", demos: [], instance, step: 1, earlier: [] })).toBe(
      "<|user|>\n### Example:\n\n### Instruction: S\n\n### Task:\n\n### Instruction: I1\n\n\n\n### Answer:\n\n\n<|assistant|>\n",
    );
  });
});
