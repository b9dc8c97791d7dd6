import { describe, expect, it } from "vitest";
import { ValidationError } from "../../shared/errors.js";
import { parseDataset } from "../../shared/nuggets/dataset.js";

function failure(text: string): ValidationError {
  try {
    parseDataset(text);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error("expected parseDataset to fail");
}

const details = (e: ValidationError) => e.details as { lines: number[]; records: { line: number; problems: string[] }[] };

describe("parseDataset (JSONL)", () => {
  it("should parse records, skip blank lines and keep each record's line", () => {
    const text = '{"instruction":"a","output":"b"}\n\n{"instruction":"c","input":"d","output":"e","id":7}\r\n';
    const ds = parseDataset(text);
    expect(ds.format).toBe("jsonl");
    expect(ds.examples).toEqual([
      { instruction: "a", output: "b" },
      { instruction: "c", input: "d", output: "e" },
    ]);
    expect(ds.lines).toEqual([1, 3]);
  });

  it("should reject every bad record with its line number", () => {
    const text = [
      '{"instruction":"a","output":"b"}',
      "{not json",
      "",
      '{"instruction":"a"}',
      '{"instruction":"  ","output":"x"}',
      '{"instruction":"a","output":"b","input":3}',
      '{"instruction":"ok","output":"ok"}',
    ].join("\n");
    const e = failure(text);
    expect(e.message).toMatch(/4 bad records/);
    expect(details(e).lines).toEqual([2, 4, 5, 6]);
    expect(details(e).records[1]!.problems.join()).toMatch(/output/);
    expect(details(e).records[3]!.problems.join()).toMatch(/input/);
  });

  it("should reject an empty dataset", () => {
    expect(() => parseDataset("\n  \n")).toThrow(/no records/);
  });
});

describe("parseDataset (JSON array)", () => {
  it("should parse an array and give the line where each record starts", () => {
    const text = '[\n  {\n    "instruction": "a",\n    "output": "b"\n  },\n  {"instruction": "c", "output": "d"}\n]';
    const ds = parseDataset("\ufeff" + text);
    expect(ds.format).toBe("json");
    expect(ds.examples).toHaveLength(2);
    expect(ds.lines).toEqual([2, 6]);
  });

  it("should report bad records at the line where they start, ignoring brackets inside strings", () => {
    const text = [
      "[",
      '  {"instruction": "has ] and { and \\" inside", "output": "ok"},',
      "  {",
      '    "instruction": "missing output"',
      "  },",
      '  "just a string",',
      '  {"instruction": "fine", "output": "fine"}',
      "]",
    ].join("\n");
    const e = failure(text);
    expect(details(e).lines).toEqual([3, 6]);
  });

  it("should find every syntax error in a broken array, each at its line", () => {
    const text = [
      "[",
      '  {"instruction": "a", "output": "b"},',
      '  {"instruction": "a" "output": "b"},',
      '  {"instruction": "c", "output": "d"}',
      '  {"instruction": "e", "output": "f"},',
      "]",
    ].join("\n");
    const e = failure(text);
    expect(details(e).lines).toEqual([3, 5, 6]);
    expect(details(e).records.map((r) => r.problems.join())).toEqual([
      expect.stringMatching(/not valid JSON/),
      expect.stringMatching(/missing ','/),
      expect.stringMatching(/trailing ','/),
    ]);
    expect(details(failure('[{"instruction": "a", "output": "b"}')).lines).toEqual([1]);
    expect(details(failure('[{"instruction": "a", "output": "b"}]\n\nx')).lines).toEqual([3]);
  });

  it("should reject an empty array", () => {
    expect(() => parseDataset("[]")).toThrow(/no records/);
    expect(() => parseDataset(" [ \n ] ")).toThrow(/no records/);
  });
});
