import { describe, expect, it } from "vitest";
import { parseTaskAnswer } from "../../../shared/mti/scoring/parse-task-answer.js";

describe("parseTaskAnswer", () => {
  it("should read the step's tag and strip it", () => {
    expect(parseTaskAnswer("The answer is <task1> [1,2,4] <task1/>.", 1)).toEqual({ text: "[1,2,4]", lenientClose: false });
  });

  it("should take the first match and the shortest content", () => {
    const output = "<task2>3<task2/> then again <task2>4<task2/>";
    expect(parseTaskAnswer(output, 2)?.text).toBe("3");
  });

  it("should read only the tag of the step asked for", () => {
    const output = "<task1>A<task1/> <task2>B<task2/> <task12>C<task12/>";
    expect(parseTaskAnswer(output, 1)?.text).toBe("A");
    expect(parseTaskAnswer(output, 2)?.text).toBe("B");
    expect(parseTaskAnswer(output, 12)?.text).toBe("C");
    expect(parseTaskAnswer(output, 3)).toBeNull();
  });

  it("should return null when the tag is missing", () => {
    expect(parseTaskAnswer("I think it is 4.", 1)).toBeNull();
    expect(parseTaskAnswer("<task1>4", 1)).toBeNull();
  });

  it("should match content across lines, as re.DOTALL does in the authors' regex", () => {
    expect(parseTaskAnswer("<task1>[1,\n2]\n<task1/>", 1)?.text).toBe("[1,\n2]");
  });

  it("should not accept </taskN> as the closing tag unless lenient", () => {
    expect(parseTaskAnswer("<task1>B</task1>", 1)).toBeNull();
    expect(parseTaskAnswer("<task1>B</task1>", 1, { lenient: true })).toEqual({ text: "B", lenientClose: true });
  });

  it("should prefer the authors' <taskN/> closing tag even when lenient", () => {
    const output = "<task1>A</task1> and <task1>B<task1/>";
    // The authors' regex runs from the first <task1> to the first <task1/>.
    expect(parseTaskAnswer(output, 1)).toEqual({ text: "A</task1> and <task1>B", lenientClose: false });
    expect(parseTaskAnswer(output, 1, { lenient: true })).toEqual({ text: "A</task1> and <task1>B", lenientClose: false });
  });

  it("should strip Python's whitespace, which is not JavaScript's", () => {
    expect(parseTaskAnswer("<task1>\u001f 4 \u0085<task1/>", 1)?.text).toBe("4");
    expect(parseTaskAnswer("<task1>\ufeff4<task1/>", 1)?.text).toBe("\ufeff4");
  });

  it("should give an empty answer for an empty tag", () => {
    expect(parseTaskAnswer("<task1>  <task1/>", 1)).toEqual({ text: "", lenientClose: false });
  });

  it("should reject a step that is not a positive integer", () => {
    expect(() => parseTaskAnswer("x", 0)).toThrow(RangeError);
  });
});
