import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../shared/errors.js";
import { goldAnswerToPythonStr } from "../../../shared/mti/scoring/gold-answer.js";

describe("goldAnswerToPythonStr", () => {
  it.each([
    ["1.0", "1.0"],
    ["1", "1"],
    ["100", "100"],
    ["-0", "0"],
    ["-0.0", "-0.0"],
    ["1e-05", "1e-05"],
    ["1E-5", "1e-05"],
    ["1E16", "1e+16"],
    ["1e400", "inf"],
    ["-0.19999999999999996", "-0.19999999999999996"],
    ["true", "True"],
    ["false", "False"],
    ["null", "None"],
    ["NaN", "nan"],
    ["-Infinity", "-inf"],
    ['"E"', "E"],
    ['"2"', "2"],
    ['"(1)-(2)-(4)-(3)"', "(1)-(2)-(4)-(3)"],
    ['"it\'s"', "it's"],
    ['"Katy\\u0144"', "Katyń"],
    ['"\\ud83d\\ude00"', "😀"],
    ["[1, 2, 4]", "[1, 2, 4]"],
    ["[1,2,4]", "[1, 2, 4]"],
    ["[[3, 1, 2], 2]", "[[3, 1, 2], 2]"],
    ['["a", "it\'s"]', `['a', "it's"]`],
    ['{"a": [1.5, "x"]}', "{'a': [1.5, 'x']}"],
    ['{"a": 1, "b": 2, "a": 3}', "{'a': 3, 'b': 2}"],
    ["[true, null, 1.0]", "[True, None, 1.0]"],
    ["[]", "[]"],
    ["{}", "{}"],
    ["123456789012345678901234567890", "123456789012345678901234567890"],
    [" \n 7 \t", "7"],
  ])("should print json.loads(%j) as Python's str does", (raw, expected) => {
    expect(goldAnswerToPythonStr(raw)).toBe(expected);
  });

  it.each(["", "01", "1.", "[1,]", '{"a":1,}', "'E'", "E", "tru", '"a\tb"', '"\\x41"', "1 2", "\ufeff1", "+1", ".5"])(
    "should refuse %j as json.loads does",
    (raw) => {
      expect(() => goldAnswerToPythonStr(raw)).toThrow(ValidationError);
    },
  );
});
