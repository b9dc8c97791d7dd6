import { describe, expect, it } from "vitest";
import type { MtiDataset, MtiInstance } from "../../../schemas/mti.js";
import { ValidationError } from "../../../shared/errors.js";
import { plainChatTemplate, tuluChatTemplate } from "../../../shared/mti/prompts/chat-template.js";
import { firstCallPrompts } from "../../../shared/mti/prompts/first-call-prompts.js";

function instance(uid: string): MtiInstance {
  return { uid, task: uid.slice(0, 3), query: "Q", instructions: ["I1", "I2"], contexts: [], answers: [{ raw: "1", value: 1 }, { raw: "2", value: 2 }] };
}

const dataset: MtiDataset = {
  tasks: [
    { task: "009", sample: "S9", instances: ["009_1", "009_2", "009_3"].map(instance) },
    { task: "001", sample: "S1", instances: ["001_1", "001_2"].map(instance) },
  ],
};
const demos = { "001": ["D1", "D2"], "009": ["E1", "E2"] };

describe("firstCallPrompts", () => {
  it("should give one line per instance in multi and single mode, tasks in file order", () => {
    for (const mode of ["multi", "single"] as const) {
      const lines = firstCallPrompts(dataset, demos, mode, tuluChatTemplate);
      expect(lines.map((l) => l.uid)).toEqual(["009_1", "009_2", "009_3", "001_1", "001_2"]);
      expect(lines.every((l) => l.mode === mode)).toBe(true);
    }
    expect(firstCallPrompts(dataset, demos, "multi", plainChatTemplate)[0]!.prompt).toBe(
      "### Example:\n\n### Instruction: S9\n\n### Task:\n\n### Instruction: Q\n#1: I1\n#2: I2\n\n\n\n### Answer:\n\n",
    );
    expect(firstCallPrompts(dataset, demos, "single", plainChatTemplate)[3]!.prompt).toBe(
      "### Example:\n\n### Instruction: S1\n\n### Task:\n\n### Instruction: I1\n\n\n\n### Answer:\n\n",
    );
  });

  it("should give one line per pair in batch mode and the lone instance its own line", () => {
    const lines = firstCallPrompts(dataset, demos, "batch", plainChatTemplate);
    expect(lines.map((l) => l.uid)).toEqual(["009_1,009_2", "009_3", "001_1,001_2"]);
    expect(lines[0]!.prompt.startsWith("### Example:\n\n### Instruction: E1\n\n### Task:\n\nRead the following passage")).toBe(true);
    expect(lines[1]!.prompt).toBe("### Example:\n\n### Instruction: S9\n\n### Task:\n\n### Instruction: I1\n\n\n\n### Answer:\n\n");
  });

  it("should refuse batch mode for a task without demonstrations", () => {
    expect(() => firstCallPrompts(dataset, { "001": ["D1"] }, "batch", tuluChatTemplate)).toThrow(ValidationError);
    expect(() => firstCallPrompts(dataset, { "001": ["D1"] }, "batch", tuluChatTemplate)).toThrow("the demonstrations have no row for task 009");
  });
});
