import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { ValidationError } from "../../../shared/errors.js";
import { demoFor, parseMtiDemos } from "../../../shared/mti/dataset/parse-demos.js";

const text = readFileSync(sharedFile("data/mti_bench/cot_breakdown.json"), "utf8");
const rows = (JSON.parse(text) as { rows: Record<string, string>[] }).rows;

function row(tuid: string, s1: string, s2: string | null = "", s3: string | null = "") {
  return { tuid_cell: String(Number(tuid)), tuid_cell_type: "number", tuid, "step#1": s1, "step#2": s2, "step#3": s3 };
}

function rejection(f: () => unknown): ValidationError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

describe("parseMtiDemos", () => {
  it("should load every task of cot_breakdown.json with its step#k cells as steps", () => {
    const demos = parseMtiDemos(text);
    expect(Object.keys(demos)).toHaveLength(37);
    expect(Object.keys(demos).slice(0, 3)).toEqual(["001", "002", "003"]);
    expect(demos["002"]).toEqual([rows[1]!["step#1"], rows[1]!["step#2"], rows[1]!["step#3"]]);
    for (const task of ["002", "012", "015", "016", "018"]) expect(demos[task]).toHaveLength(3);
    expect(demos["001"]).toHaveLength(2); // its empty step#3 cell is dropped
    expect(demos["041"]).toHaveLength(2);
  });

  it("should hand out one step's demonstration and name what is missing", () => {
    const demos = parseMtiDemos(text);
    expect(demoFor(demos, "012", 3)).toBe(rows.find((r) => r.tuid === "012")!["step#3"]);
    expect(rejection(() => demoFor(demos, "001", 3)).message).toBe("the demonstrations have no step#3 for task 001 (it has 2)");
    expect(rejection(() => demoFor(demos, "099", 1)).message).toBe("the demonstrations have no row for task 099");
  });

  it("should treat null cells like empty ones", () => {
    expect(parseMtiDemos(JSON.stringify({ rows: [row("003", "a", "b", null)] }))).toEqual({ "003": ["a", "b"] });
  });

  it("should reject a task listed twice, naming the row", () => {
    const error = rejection(() => parseMtiDemos(JSON.stringify({ rows: [row("001", "a", "b"), row("001", "c", "d")] })));
    expect(error.message).toBe("demonstrations file has 1 problem; the first: rows[1] (task 001): task 001 is listed twice");
  });

  it("should reject an empty step followed by a filled one", () => {
    const error = rejection(() => parseMtiDemos(JSON.stringify({ rows: [row("002", "a", "", "c")] })));
    expect(error.message).toMatch(/rows\[0\] \(task 002\): step#2 is empty but a later step is not$/);
  });

  it("should reject a row without step#1, naming the row and its task", () => {
    const error = rejection(() => parseMtiDemos(JSON.stringify({ rows: [row("001", "a"), row("004", "")] })));
    expect(error.message).toMatch(/the first: rows\[1\] \(task 004\), step#1: a task needs at least its step#1 demonstration$/);
  });

  it("should reject a file that is not the rows of cot_breakdown", () => {
    expect(rejection(() => parseMtiDemos("[]")).message).toMatch(/^demonstrations file has 1 problem; the first: the file: /);
    expect(rejection(() => parseMtiDemos('{"rows": [{"tuid": 1, "step#1": "a"}]}')).message).toMatch(/rows\[0\], tuid: /);
    expect(rejection(() => parseMtiDemos("{")).message).toMatch(/^demonstrations file is not valid JSON/);
  });
});
