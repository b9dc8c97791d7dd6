import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../shared/errors.js";
import { chainedContent } from "../../../shared/mti/prompts/chain.js";

describe("chainedContent", () => {
  it("should write step 2 with one answered step", () => {
    expect(chainedContent({ demos: ["D1", "D2", "D3"], queries: ["Q1", "Q2"], earlier: ["G1"] })).toBe(
      "### Example:\n\n### (1) Instruction: D1\n\n### (2) Instruction: D2\n\n### Task:\n\n" +
        "### (1) Instruction: Q1\n\n### Answer:\n\nG1\n\n### (2) Instruction: Q2\n\n### Answer:",
    );
  });

  it("should put a space after `### Answer:` for every answered step after the first", () => {
    expect(chainedContent({ demos: ["D1", "D2", "D3"], queries: ["Q1", "Q2", "Q3"], earlier: ["G1", "G2"] })).toBe(
      "### Example:\n\n### (1) Instruction: D1\n\n### (2) Instruction: D2\n\n### (3) Instruction: D3\n\n### Task:\n\n" +
        "### (1) Instruction: Q1\n\n### Answer:\n\nG1\n\n### (2) Instruction: Q2\n\n### Answer: \n\nG2\n\n" +
        "### (3) Instruction: Q3\n\n### Answer:",
    );
  });

  it("should refuse the wrong number of earlier outputs or too few demonstrations", () => {
    expect(() => chainedContent({ demos: ["D1", "D2"], queries: ["Q1", "Q2"], earlier: [] })).toThrow(
      "step 2 chains the outputs of steps 1..1: expected 1, got 0",
    );
    expect(() => chainedContent({ demos: ["D1"], queries: ["Q1", "Q2"], earlier: ["G1"] })).toThrow(ValidationError);
    expect(() => chainedContent({ demos: ["D1"], queries: ["Q1"], earlier: [] })).toThrow(ValidationError);
  });
});
