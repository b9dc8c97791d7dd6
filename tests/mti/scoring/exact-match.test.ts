import { describe, expect, it } from "vitest";
import { exactMatch, matchStep } from "../../../shared/mti/scoring/exact-match.js";
import { goldAnswerToPythonStr } from "../../../shared/mti/scoring/gold-answer.js";

function step(output: string, goldRaw: string, n: number, lenient = false) {
  return matchStep({ output, goldPythonStr: goldAnswerToPythonStr(goldRaw), step: n }, { lenient });
}

describe("exactMatch", () => {
  it("should compare the two Python strs exactly", () => {
    expect(exactMatch("[1, 2]", "[1, 2]")).toBe(true);
    expect(exactMatch("[1,2]", "[1, 2]")).toBe(false);
    expect(exactMatch("e", "E")).toBe(false);
  });

  it("should never match a missing prediction, not even the authors' -1210 sentinel", () => {
    expect(exactMatch(null, "-1210")).toBe(false);
    expect(exactMatch(null, "")).toBe(false);
  });
});

describe("matchStep", () => {
  it("should score MTI-Bench golds the authors' way", () => {
    expect(step("<task1>[1,2,4]<task1/>", "[1, 2, 4]", 1)).toEqual({ parsed: "[1,2,4]", normalised: "[1, 2, 4]", match: true, lenientClose: false });
    expect(step("<task2>'Westgate'<task2/>", '"Westgate"', 2).match).toBe(true);
    expect(step("<task2>Westgate<task2/>", '"Westgate"', 2).match).toBe(true);
    expect(step("<task1>(1)-(2)-(4)-(3)<task1/>", '"(1)-(2)-(4)-(3)"', 1).match).toBe(true);
    expect(step("<task2>4/7<task2/>", '"4/7"', 2).match).toBe(true);
    expect(step("<task3>1<task3/>", "1.0", 3).match).toBe(false); // "1" against "1.0", as in Python
    expect(step("<task3>1.0<task3/>", "1.0", 3).match).toBe(true);
    expect(step("<task2>2<task2/>", '"2"', 2).match).toBe(true); // eval("2") prints "2"
    expect(step("<task1>1-4-3-2<task1/>", "-8", 1).match).toBe(true);
  });

  it("should report a missing tag as nulls and no match", () => {
    expect(step("the answer is 4", "4", 1)).toEqual({ parsed: null, normalised: null, match: false, lenientClose: false });
  });

  it("should match through </taskN> only when lenient, and say so", () => {
    expect(step("<task1>B</task1>", '"B"', 1).match).toBe(false);
    expect(step("<task1>B</task1>", '"B"', 1, true)).toEqual({ parsed: "B", normalised: "B", match: true, lenientClose: true });
  });
});
