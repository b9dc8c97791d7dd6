import { describe, expect, it } from "vitest";
import type { MtiInstance } from "../../../schemas/mti.js";
import { ValidationError } from "../../../shared/errors.js";
import { parseMtiBench } from "../../../shared/mti/dataset/parse-bench.js";
import { contextsOfStep, instructionOf, renderMultiTask, renderStep } from "../../../shared/mti/prompts/render-instance.js";

/** An instance whose contexts the file lists out of step order: 2_0, 1_1, 3_0, 1_0. */
function instance(): MtiInstance {
  const file = {
    "005": {
      instance: {
        "005_7": {
          query: "Q.",
          instruction: { "1": "Do one.", "2": "Do two.", "3": "Do three.", "4": "Do four." },
          context: { "2_0": "B0", "1_1": "A1", "3_0": "C0", "1_0": "A0" },
          answers: [1, 2, 3, 4],
        },
      },
      sample: "S",
    },
  };
  return parseMtiBench(JSON.stringify(file)).tasks[0]!.instances[0]!;
}

describe("renderMultiTask", () => {
  it("should take contexts step by step and, within a step, in the file's order", () => {
    expect(renderMultiTask(instance())).toBe("Q.\n#1: Do one.\n#2: Do two.\n#3: Do three.\n#4: Do four.\n\nA1\nA0\nB0\nC0");
  });

  it("should end in a blank line when no step has contexts", () => {
    const i = { ...instance(), contexts: [] };
    expect(renderMultiTask(i)).toBe("Q.\n#1: Do one.\n#2: Do two.\n#3: Do three.\n#4: Do four.\n\n");
  });
});

describe("renderStep", () => {
  it("should give a step's instruction, a blank line and its contexts joined by newlines", () => {
    expect(renderStep(instance(), 1)).toBe("Do one.\n\nA1\nA0");
    expect(renderStep(instance(), 2)).toBe("Do two.\n\nB0");
  });

  it("should leave a step without contexts ending in the blank line", () => {
    expect(renderStep(instance(), 4)).toBe("Do four.\n\n");
    expect(contextsOfStep(instance(), 4)).toEqual([]);
  });

  it("should refuse a step the instance does not have", () => {
    expect(() => renderStep(instance(), 5)).toThrow(ValidationError);
    expect(() => instructionOf(instance(), 0)).toThrow("instance 005_7 has steps 1..4; there is no step 0");
    expect(() => instructionOf(instance(), 1.5)).toThrow(ValidationError);
  });
});
