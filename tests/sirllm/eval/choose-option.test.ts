/**
 * The authors' choice rule: greedy match first (DailyDialog, Grocery), else the highest first-token log-probability,
 * the earliest on ties; RPS by log-probability alone; the key line forced.
 */
import { describe, expect, it } from "vitest";
import { chooseOption } from "../../../shared/sirllm/eval/choose-option.js";

describe("chooseOption", () => {
  it("should take the highest log-probability, the earliest of ties", () => {
    expect(chooseOption("logprob", [{ logprob: -2 }, { logprob: -0.5 }, { logprob: -1 }])).toBe(1);
    expect(chooseOption("logprob", [{ logprob: -3 }, { logprob: -0.5 }, { logprob: -0.5 }])).toBe(1);
    expect(chooseOption("logprob", [{ logprob: -Infinity }, { logprob: -50 }])).toBe(1);
  });

  it("should prefer the first greedy match under greedy-match-then-logprob, and ignore it under logprob", () => {
    const scores = [{ logprob: -0.1 }, { logprob: -3, greedyMatch: true }, { logprob: -4, greedyMatch: true }];
    expect(chooseOption("greedy-match-then-logprob", scores)).toBe(1);
    expect(chooseOption("logprob", scores)).toBe(0);
    expect(chooseOption("greedy-match-then-logprob", [{ logprob: -2 }, { logprob: -1, greedyMatch: false }])).toBe(1);
  });

  it("should take the one option of a forced turn and refuse anything else", () => {
    expect(chooseOption("forced", [{ logprob: -9 }])).toBe(0);
    expect(() => chooseOption("forced", [{ logprob: -1 }, { logprob: -2 }])).toThrow("a forced turn has exactly one option");
    expect(() => chooseOption("logprob", [])).toThrow("no option scores");
    expect(() => chooseOption("logprob", [{ logprob: Number.NaN }])).toThrow("NaN");
  });
});
