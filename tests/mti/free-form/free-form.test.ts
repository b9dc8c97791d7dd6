import { describe, expect, it } from "vitest";
import { rougeL } from "../../../shared/mti/free-form/rouge-l.js";
import { segmentAnswer } from "../../../shared/mti/free-form/segment-steps.js";
import { freeFormAnswerScorer } from "../../../shared/mti/run/free-form-scorer.js";

const all = (steps: number) => ({ kind: "all-steps", steps }) as const;

describe("rougeL", () => {
  it("should give the LCS F-measure, case-insensitive, 1 for equal texts and 0 for an empty answer", () => {
    expect(rougeL("the cat sat on the mat", "The cat sat on a mat")).toBeCloseTo(5 / 6, 12);
    expect(rougeL("Der Hund läuft.", "der hund läuft.")).toBe(1);
    expect(rougeL("", "reference")).toBe(0);
    expect(rougeL("   ", "reference")).toBe(0);
    expect(rougeL("x y z", "a b c")).toBe(0);
  });
});

describe("segmentAnswer (the free-form segmentation rule)", () => {
  it("should take a tag's content when the output has the tag", () => {
    expect(segmentAnswer("blah <task2> B <task2/>", { step: 2, tag: 2, occurrence: 0, call: all(2) }, false)).toEqual({ text: "B", how: "tag", lenient: false });
  });

  it("should take the whole output of a call that answered one step", () => {
    expect(segmentAnswer("  Hallo Welt.\n", { step: 1, tag: 1, occurrence: 0, call: { kind: "one-step" } }, false)).toEqual({ text: "Hallo Welt.", how: "whole", lenient: false });
  });

  it("should cut a multi-task output at step markers of several spellings", () => {
    for (const [one, two] of [["#1:", "#2:"], ["Step 1:", "Step 2:"], ["(1)", "(2)"], ["1.", "2."], ["### #1", "### #2"]]) {
      const out = `${one} Hallo Welt.\n${two} Ein Gruß.`;
      expect(segmentAnswer(out, { step: 1, tag: 1, occurrence: 0, call: all(2) }, false).text, one).toBe("Hallo Welt.");
      expect(segmentAnswer(out, { step: 2, tag: 2, occurrence: 0, call: all(2) }, false).text, two).toBe("Ein Gruß.");
    }
  });

  it("should give an empty answer (how none) when a step has no marker", () => {
    expect(segmentAnswer("just some text", { step: 2, tag: 2, occurrence: 0, call: all(2) }, false)).toEqual({ text: "", how: "none", lenient: false });
  });

  it("should find a batch pair's instance by Instruction 1 / Instruction 2, then its step inside", () => {
    const out = "Instruction 1: first answer\nInstruction 2: second answer";
    expect(segmentAnswer(out, { step: 1, tag: 1, occurrence: 0, call: { kind: "pair", slot: 0 } }, false).text).toBe("first answer");
    expect(segmentAnswer(out, { step: 1, tag: 2, occurrence: 0, call: { kind: "pair", slot: 1 } }, false).text).toBe("second answer");
  });
});

describe("freeFormAnswerScorer", () => {
  it("should score ROUGE-L against the reference text and never claim an exact match", () => {
    const r = freeFormAnswerScorer("#1: the cat sat\n#2: on the mat", { step: 2, tag: 2, occurrence: 0, call: all(2) }, { raw: '"on the mat"', value: "on the mat" }, false);
    expect(r).toEqual({ parsed: "on the mat", normalised: "on the mat", gold: "on the mat", match: false, lenient: false, rougeL: 1 });
    const miss = freeFormAnswerScorer("nothing", { step: 2, tag: 2, occurrence: 0, call: all(2) }, { raw: '"x"', value: "x" }, false);
    expect(miss).toMatchObject({ parsed: null, rougeL: 0 });
  });
});
