import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { ValidationError } from "../../../shared/errors.js";
import { parseMtiBench, parseMtiFreeForm } from "../../../shared/mti/dataset/parse-bench.js";

const sliceText = readFileSync(sharedFile("data/mti_bench/mti_bench_slice.json"), "utf8");
const freeFormText = readFileSync(sharedFile("data/mti_bench/free_form_slice.json"), "utf8");

/** A valid one-task file to break in one place at a time. */
function tinyFile(): Record<string, any> {
  return {
    "002": {
      instance: {
        "002_1": {
          query: "Q",
          instruction: { "1": "I1", "2": "I2", "3": "I3" },
          context: { "1_0": "C10", "1_1": "C11", "3_0": "C30" },
          answers: ["(1)-(2)", 1, 2],
        },
      },
      sample: "S",
    },
  };
}

/** The ValidationError a parse throws, or a failure. */
function rejection(f: () => unknown): ValidationError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

describe("parseMtiBench on the shared slice", () => {
  const { tasks } = parseMtiBench(sliceText);

  it("should load all 25 exact-match tasks in file order, 4 instances each", () => {
    expect(tasks.map((t) => t.task)).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1).padStart(3, "0")));
    for (const t of tasks) {
      expect(t.instances).toHaveLength(4);
      expect(t.sample.length).toBeGreaterThan(0);
    }
    expect(tasks[0]!.instances.map((i) => i.uid)).toEqual(["001_384", "001_491", "001_488", "001_198"]);
  });

  it("should give tasks 002, 012, 015, 016 and 018 three steps and the rest two", () => {
    const threeSteps = tasks.filter((t) => t.instances[0]!.instructions.length === 3).map((t) => t.task);
    expect(threeSteps).toEqual(["002", "012", "015", "016", "018"]);
    for (const t of tasks) for (const i of t.instances) expect(i.answers).toHaveLength(i.instructions.length);
  });

  it("should keep instructions by step and contexts in the file's key order with their step", () => {
    const i = tasks.find((t) => t.task === "002")!.instances[0]!;
    expect(i.uid).toBe("002_2854");
    expect(i.task).toBe("002");
    expect(i.query).toBe("Read the following passage, and follow the given steps.");
    expect(i.instructions[1]!.startsWith("Use your answer for step#1 as a source sequence.")).toBe(true);
    expect(i.contexts.map((c) => [c.key, c.step])).toEqual([["1_0", 1], ["1_1", 1], ["3_0", 3]]);
    expect(i.contexts[2]!.text).toBe("###Question\nIs OTHER wrong in the post ? ");
    const noContexts = tasks.find((t) => t.task === "021")!.instances[0]!;
    expect(noContexts.contexts).toEqual([]);
  });

  it("should keep each gold answer's JSON lexeme: 1.0 stays 1.0", () => {
    const i = tasks.find((t) => t.task === "002")!.instances.find((x) => x.uid === "002_4961")!;
    expect(i.answers[2]).toEqual({ raw: "1.0", value: 1 });
    expect(String(i.answers[2]!.value)).toBe("1"); // what the lexeme is there for
    const floats = tasks.find((t) => t.task === "015")!.instances.map((x) => x.answers[2]!.raw);
    expect(floats).toEqual(["-0.19999999999999996", "0.234375", "0.7142857142857143", "0.5"]);
    const first = tasks[0]!.instances[0]!;
    expect(first.answers).toEqual([{ raw: "4", value: 4 }, { raw: '"Cole"', value: "Cole" }]);
    const lists = tasks.find((t) => t.task === "022")!.instances.find((x) => x.uid === "022_884")!;
    expect(lists.answers.map((a) => a.raw)).toEqual(["[]", "0"]);
  });

  it("should give every instance's answers exactly as the file writes them", () => {
    let checked = 0;
    for (const t of tasks) {
      for (const i of t.instances) {
        expect(sliceText).toContain(`"answers": [${i.answers.map((a) => a.raw).join(", ")}]}`);
        checked++;
      }
    }
    expect(checked).toBe(100);
  });
});

describe("parseMtiBench on hand-built files", () => {
  it("should keep exponents, booleans, null, lists and strings as written", () => {
    const text =
      '{"001": {"instance": {"001_1": {"query": "q", "instruction": {"1": "a", "2": "b", "3": "c", "4": "d", "5": "e", "6": "f"}, ' +
      '"context": {}, "answers": [1e-05, true, [1, 2, 4], "E", [1.0,"x" , null], -0.0]}}, "sample": "s"}}';
    const [instance] = parseMtiBench(text).tasks[0]!.instances;
    expect(instance!.answers.map((a) => a.raw)).toEqual(["1e-05", "true", "[1, 2, 4]", '"E"', '[1.0, "x", null]', "-0.0"]);
    expect(instance!.answers.map((a) => a.value)).toEqual([0.00001, true, [1, 2, 4], "E", [1, "x", null], -0]);
  });

  it("should keep the order contexts are written in, even out of step order", () => {
    const file = tinyFile();
    file["002"].instance["002_1"].context = { "3_0": "C30", "1_1": "C11", "1_0": "C10" };
    const [instance] = parseMtiBench(JSON.stringify(file)).tasks[0]!.instances;
    expect(instance!.contexts.map((c) => c.key)).toEqual(["3_0", "1_1", "1_0"]);
  });

  it("should accept a leading byte-order mark", () => {
    expect(parseMtiBench(`\ufeff${JSON.stringify(tinyFile())}`).tasks).toHaveLength(1);
  });

  it("should read the free-form slice in its own task order, answers as texts", () => {
    const { tasks } = parseMtiFreeForm(freeFormText);
    expect(tasks.map((t) => t.task)).toEqual(["034", "038", "039", "035", "032", "033", "030", "031", "036", "041", "040", "037"]);
    for (const t of tasks) for (const i of t.instances) for (const a of i.answers) expect(typeof a.value).toBe("string");
  });
});

describe("parseMtiBench rejects a bad file and names the place", () => {
  const cases: [string, (f: Record<string, any>) => unknown, RegExp][] = [
    ["text that is not JSON", () => '{"002": ', /^MTI-Bench file is not valid JSON: /],
    ["a file with no tasks", () => ({}), /the first: the file: the file holds no tasks/],
    ["a task id that is not three digits", (f) => ({ "2": f["002"] }), /the first: task 2: task ids are three digits/],
    ["a missing sample", (f) => (delete f["002"].sample, f), /the first: task 002, sample: Invalid input: expected string/],
    ["a task without instances", (f) => ((f["002"].instance = {}), f), /the first: task 002, instance: the task has no instances/],
    ["a missing query", (f) => (delete f["002"].instance["002_1"].query, f), /the first: task 002, instance 002_1, query: /],
    ["a number where an instruction belongs", (f) => ((f["002"].instance["002_1"].instruction["2"] = 7), f), /task 002, instance 002_1, instruction\.2: /],
    [
      "a gap in the instruction keys",
      (f) => ((f["002"].instance["002_1"].instruction = { "1": "a", "3": "c", "4": "d" }), f),
      /task 002, instance 002_1, instruction: instruction keys are "1".."3" with none missing; "2" is missing/,
    ],
    [
      "a context key that is not s_j",
      (f) => ((f["002"].instance["002_1"].context = { "1-0": "x" }), f),
      /task 002, instance 002_1, context\.1-0: context keys look like s_j/,
    ],
    [
      "a context of a step the instance does not have",
      (f) => ((f["002"].instance["002_1"].context["4_0"] = "x"), f),
      /task 002, instance 002_1, context\.4_0: belongs to step 4, but the instance has 3 instructions/,
    ],
    [
      "one gold answer too few",
      (f) => (f["002"].instance["002_1"].answers.pop(), f),
      /task 002, instance 002_1, answers: 2 gold answers for 3 instructions/,
    ],
    [
      "an instance id of another task",
      (f) => ((f["002"].instance = { "003_1": f["002"].instance["002_1"] }), f),
      /task 002, instance 003_1: instance ids start with their task id and "_" \(002_…\)/,
    ],
    [
      "instances of one task with different step counts",
      (f) => {
        f["002"].instance["002_2"] = { query: "q", instruction: { "1": "a", "2": "b" }, context: {}, answers: [1, 2] };
        return f;
      },
      /task 002, instance 002_2, instruction: 2 steps where the task's first instance has 3/,
    ],
  ];

  for (const [what, breakIt, message] of cases) {
    it(`should reject ${what}`, () => {
      const broken = breakIt(tinyFile());
      const error = rejection(() => parseMtiBench(typeof broken === "string" ? broken : JSON.stringify(broken)));
      expect(error.message).toMatch(message);
      expect(error.status).toBe(400);
    });
  }

  it("should list every problem in the details and count them in the message", () => {
    const file = tinyFile();
    delete file["002"].instance["002_1"].query;
    delete file["002"].sample;
    const error = rejection(() => parseMtiBench(JSON.stringify(file)));
    expect(error.message).toMatch(/^MTI-Bench file has 2 problems; the first: /);
    const problems = (error.details as { problems: { where: string; message: string }[] }).problems;
    expect(problems.map((p) => p.where).sort()).toEqual(["task 002, instance 002_1, query", "task 002, sample"]);
  });

  it("should take any JSON gold as exact match but only texts as free form", () => {
    const text = JSON.stringify(tinyFile());
    expect(parseMtiBench(text).tasks).toHaveLength(1);
    expect(rejection(() => parseMtiFreeForm(text)).message).toMatch(
      /^free-form MTI-Bench file has 2 problems; the first: task 002, instance 002_1, answers\.1: Invalid input: expected string/,
    );
  });
});
