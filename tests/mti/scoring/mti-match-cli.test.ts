/**
 * `assay mti match` as a user runs it: the real CLI in a child process, JSON lines on stdin.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../shared/config/shared-files.js";
import { matchLines } from "../../../shared/mti/scoring/match-lines.js";
import { ValidationError } from "../../../shared/errors.js";

/** Runs `assay …` with `input` on stdin; resolves with the exit code, stdout and stderr. */
function assay(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("node", [join(repoRoot, "bin", "assay.js"), ...args], { cwd: repoRoot, env: process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const line = (gold: string, output: string, step: number) => JSON.stringify({ gold, output, step });

const input = [
  line("[1, 2, 4]", "#1: <task1>[1,2,4]<task1/>", 1),
  line('"E"', "<task2> 'E' <task2/>", 2),
  "",
  line("1.0", "<task3>1<task3/>", 3),
  line("-8", "<task1>1-4-3-2<task1/>", 1),
  line('"3/4"', "<task1>3/4<task1/>", 1),
  line("4", "no tags at all", 1),
  line('"B"', "<task1>B</task1>", 1),
  line('"(1)-(4)-(3)-(2)"', "<task2>(1)-(4)-(3)-(2)<task2/>", 2),
  line("1e-05", "<task1>0.00001<task1/>", 1),
  line("true", "<task1>True<task1/>", 1),
  line('"x"', "<task1>__import__('os').system('echo pwned')<task1/>", 1),
].join("\n");

const expected = [
  { parsed: "[1,2,4]", normalised: "[1, 2, 4]", match: true },
  { parsed: "'E'", normalised: "E", match: true },
  { parsed: "1", normalised: "1", match: false },
  { parsed: "1-4-3-2", normalised: "-8", match: true },
  { parsed: "3/4", normalised: "3/4", match: true },
  { parsed: null, normalised: null, match: false },
  { parsed: null, normalised: null, match: false },
  { parsed: "(1)-(4)-(3)-(2)", normalised: "(1)-(4)-(3)-(2)", match: true },
  { parsed: "0.00001", normalised: "1e-05", match: true },
  { parsed: "True", normalised: "True", match: true },
  { parsed: "__import__('os').system('echo pwned')", normalised: "__import__('os').system('echo pwned')", match: false },
];

describe("assay mti match", () => {
  it("should print one {parsed, normalised, match} line per input line, skipping blank lines", async () => {
    const result = await assay(["mti", "match"], `${input}\n`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(expected.map((e) => `${JSON.stringify(e)}\n`).join(""));
    for (const l of result.stdout.trimEnd().split("\n")) expect(Object.keys(JSON.parse(l) as object)).toEqual(["parsed", "normalised", "match"]);
  }, 60_000);

  it("should read </taskN> closing tags with --lenient", async () => {
    const result = await assay(["mti", "match", "--lenient"], line('"B"', "<task1>B</task1>", 1));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('{"parsed":"B","normalised":"B","match":true}\n');
  }, 60_000);

  it("should exit 2 naming the bad lines, and print nothing", async () => {
    const bad = [line("1", "<task1>1<task1/>", 1), '{"gold": 1, "output": "x", "step": 1}', "not json", line("1", "x", 0), line("01", "x", 1)].join("\n");
    const result = await assay(["mti", "match"], bad);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/4 bad lines/);
    expect(result.stderr).toMatch(/line 2: gold: gold must be a string/);
    expect(result.stderr).toMatch(/line 3: not JSON/);
    expect(result.stderr).toMatch(/line 4: step: step must be 1 or more/);
    expect(result.stderr).toMatch(/line 5: gold is not JSON that Python's json.loads reads: Extra data/);
  }, 60_000);

  it("should print nothing for empty input", async () => {
    const result = await assay(["mti", "match"], "\n\n");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("");
  }, 60_000);
});

describe("matchLines", () => {
  it("should give the same lines in-process, and a ValidationError listing every bad line", () => {
    expect(matchLines(input, { lenient: false })).toEqual(expected);
    try {
      matchLines(`${line("1", "x", 1)}\n{"output": "x", "step": 1.5}`, { lenient: false });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details).toEqual({
        records: [{ line: 2, problems: [expect.stringMatching(/^gold: /), expect.stringMatching(/^step: step must be an integer/)] }],
      });
    }
  });
});
