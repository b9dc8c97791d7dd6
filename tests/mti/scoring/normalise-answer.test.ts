import { describe, expect, it } from "vitest";
import { normaliseAnswer } from "../../../shared/mti/scoring/normalise-answer.js";
import { evaluatePythonExpression } from "../../../shared/mti/scoring/python-evaluator.js";
import { pythonStr } from "../../../shared/mti/scoring/python-repr.js";
import { NORMALISE_CASES } from "./normalise-cases.js";

/** str(eval(text)) where it is reproduced, else the failure reason. */
function evaluated(text: string): string {
  const result = evaluatePythonExpression(text);
  return result.ok ? pythonStr(result.value) : `<${result.reason}>`;
}

describe("normaliseAnswer", () => {
  it.each(NORMALISE_CASES)("should normalise %j to %j as str(norm_text(…)) does in CPython", (text, expected) => {
    expect(normaliseAnswer(text)).toBe(expected);
  });

  it("should hold more than 40 hand-built cases", () => {
    expect(NORMALISE_CASES.length).toBeGreaterThan(40);
  });
});

describe("evaluatePythonExpression", () => {
  it("should evaluate floor division and modulo with Python's floor semantics", () => {
    // normaliseAnswer keeps these (they contain "/"), but the evaluator itself must get them right.
    expect(evaluated("10//3")).toBe("3");
    expect(evaluated("-7//2")).toBe("-4");
    expect(evaluated("7//-2")).toBe("-4");
    expect(evaluated("-7.5//2")).toBe("-4.0");
    expect(evaluated("-0.0//5")).toBe("-0.0");
    expect(evaluated("7.5%-2")).toBe("-0.5");
    expect(evaluated("0.0%-5")).toBe("-0.0");
    expect(evaluated("10**20//3")).toBe("33333333333333333333");
  });

  it("should round int / int correctly, even past 2**53 and 2**1024", () => {
    expect(evaluated("1/3")).toBe("0.3333333333333333");
    expect(evaluated("0/-5")).toBe("-0.0");
    expect(evaluated("2**1000/3")).toBe("3.5716953572875575e+300");
    expect(evaluated("2**1024/2")).toBe("8.98846567431158e+307");
    expect(evaluated("10**400/10**399")).toBe("10.0");
  });

  it("should say Python raises for division by zero, overflow and unhashable keys", () => {
    for (const text of ["1/0", "1//0", "1%0", "1.0/0.0", "0**-1", "10.0**309", "2**1024*1.0", "{[1]: 2}", "None+1", "[1]*2.0", "1<<-1", "09"]) {
      expect(evaluated(text), text).toBe("<raises>");
    }
  });

  it("should refuse what it does not reproduce rather than guess", () => {
    for (const text of ["max", "[1,2][0]", "1 if True else 2", "1 < 2", "2**0.5", "'%d' % 5", "1+2j", "f'x'", "b'x'", "{8, 0}", "'\\N{BULLET}'"]) {
      expect(evaluated(text), text).toBe("<unsupported>");
    }
  });

  it("should follow Python's line rules: comments, continuations, newlines only inside brackets", () => {
    expect(evaluated("# a comment\n5")).toBe("5");
    expect(evaluated("[1, # one\n 2]")).toBe("[1, 2]");
    expect(evaluated("1 \\\n+ 2")).toBe("3");
    expect(evaluated("['a'\n'b']")).toBe("['ab']");
    expect(evaluated("'''a\r\nb'''")).toBe("a\nb");
    expect(evaluated("1 +\n2")).toBe("<unsupported>");
    expect(evaluated("# a comment\n  5")).toBe("<raises>");
  });

  it("should decode string escapes as CPython does", () => {
    expect(evaluated("'\\101\\x41\\u0041\\U00000041'")).toBe("AAAA");
    expect(evaluated("'\\777'")).toBe("\u01ff");
    expect(evaluated("'a\\\nb'")).toBe("ab");
    expect(evaluated("r'a\\'b'")).toBe("a\\'b");
    expect(evaluated("'\\x4'")).toBe("<raises>");
    expect(evaluated("'\\ud83d\\ude00'")).toBe("<unsupported>"); // two code points in Python, one in JavaScript
  });

  it("should keep big integers exact", () => {
    expect(evaluated("2**64 + 1")).toBe("18446744073709551617");
    expect(evaluated("-(10**20) % 7")).toBe("5");
    expect(evaluated("-1 >> 100")).toBe("-1");
    expect(evaluated("1 << 100")).toBe("1267650600228229401496703205376");
  });

  it("should not print ints past CPython 3.11's 4,300-digit limit", () => {
    expect(evaluated("10**4299")).toBe(`1${"0".repeat(4299)}`);
    expect(evaluated("10**4300")).toBe("<unsupported>");
  });

  it("should refuse towers of powers instead of computing them", () => {
    const start = Date.now();
    expect(evaluated("9**9**9**9")).toBe("<unsupported>");
    expect(evaluated("[0]*10**18")).toBe("<unsupported>");
    expect(Date.now() - start).toBeLessThan(2_000);
  });

  it("should refuse brackets nested deeper than CPython's tokenizer allows", () => {
    expect(evaluated(`${"[".repeat(200)}${"]".repeat(200)}`)).not.toMatch(/^</);
    expect(evaluated(`${"[".repeat(201)}${"]".repeat(201)}`)).toBe("<raises>");
  });
});
