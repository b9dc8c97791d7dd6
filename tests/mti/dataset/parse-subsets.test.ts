import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../shared/errors.js";
import { parseMtiSubsetMap, subsetOf } from "../../../shared/mti/dataset/parse-subsets.js";

describe("parseMtiSubsetMap", () => {
  it("should map tasks to subsets and leave unnamed tasks in none", () => {
    const map = parseMtiSubsetMap('{"001": "MULTI-STEP", "003": "MULTI-PART"}');
    expect(subsetOf(map, "001")).toBe("MULTI-STEP");
    expect(subsetOf(map, "003")).toBe("MULTI-PART");
    expect(subsetOf(map, "002")).toBeNull();
    expect(subsetOf(map, "constructor")).toBeNull();
  });

  it("should reject an unknown subset, naming the task", () => {
    expect(() => parseMtiSubsetMap('{"001": "MULTI-STEP", "002": "multi-hop"}')).toThrow(ValidationError);
    expect(() => parseMtiSubsetMap('{"002": "multi-hop"}')).toThrow(/^subset map has 1 problem; the first: task 002: /);
  });

  it("should reject a task id that is not three digits", () => {
    expect(() => parseMtiSubsetMap('{"1": "MULTI-STEP"}')).toThrow(/^subset map has \d+ problems?; the first: task 1: /);
  });
});
