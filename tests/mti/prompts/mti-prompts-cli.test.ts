/**
 * `assay mti prompts` as a user runs it: the real CLI in a child process on Node 22, on the shared slice.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, sharedFile } from "../../../shared/config/shared-files.js";

const run = promisify(execFile);
const bench = sharedFile("data/mti_bench/mti_bench_slice.json");
const demos = sharedFile("data/mti_bench/cot_breakdown.json");

/** Runs `assay …` on Node 22; resolves with the exit code instead of throwing on a non-zero one. */
async function assay(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, PATH: `${join(repoRoot, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}` };
  try {
    const { stdout, stderr } = await run("node", [join(repoRoot, "bin", "assay.js"), ...args], { cwd: repoRoot, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw error;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  expect(stdout.endsWith("\n")).toBe(true);
  return stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("assay mti prompts", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "assay-mti-prompts-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("should print one line per pair under batch, keys uid, mode, prompt, and the 013 pair's exact prompt", async () => {
    const result = await assay(["mti", "prompts", "--dataset", bench, "--demos", demos, "--mode", "batch", "--template", "none"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(50); // 25 tasks × 4 instances, in pairs
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(["uid", "mode", "prompt"]);
      expect(line.uid).toMatch(/^(\d{3})_\d+,\1_\d+$/);
      expect(line.mode).toBe("batch");
    }
    expect(lines.slice(0, 2).map((l) => l.uid)).toEqual(["001_384,001_491", "001_488,001_198"]);

    const demo013 = (JSON.parse(await readFile(demos, "utf8")) as { rows: Record<string, string>[] }).rows.find((r) => r.tuid === "013")!["step#1"];
    const line = lines.find((l) => l.uid === "013_1769,013_1100")!;
    expect(line.prompt).toBe(
      `### Example:\n\n### Instruction: ${demo013}\n\n### Task:\n\n` +
        "Read the following passage, and solve both of the instructions provided.\n" +
        "### Instruction 1: Choose the correct instruction for solving the given task. Return the answer in <task1>N<task1/> format.\n\n" +
        "###List of Instructions\n(1) Rinse with a one fourth cup of white vinegar after normal shampoo.\n(2) Pour boiling water over weeds.\n(3) Pour cold water over weeds.\n(4) Soak a cotton ball with water than place on tick.\n(5) Apply toothpaste on spot and rub with steel wool.\n\n" +
        "### Instruction 2: Choose the correct instruction for solving the given task. Return the answer in <task2>N<task2/> format.\n\n" +
        "###List of Instructions\n(1) throw everything into one trashbag.\n(2) place one foot in front of the other very fast.\n(3) lay completely straight across two separate things, with most of your body exposed to the air.\n(4) watch it on your tv.\n(5) watch it over the internet." +
        "\n\n### Answer:\n\n",
    );
  });

  it("should print one Tulu-wrapped line per instance under multi and single", async () => {
    for (const mode of ["multi", "single"]) {
      const result = await assay(["mti", "prompts", "--dataset", bench, "--demos", demos, "--mode", mode]);
      expect(result.code, result.stderr).toBe(0);
      const lines = jsonLines(result.stdout);
      expect(lines).toHaveLength(100);
      expect(lines[0]).toMatchObject({ uid: "001_384", mode });
      for (const line of lines) {
        expect(Object.keys(line)).toEqual(["uid", "mode", "prompt"]);
        expect(line.uid).toMatch(/^\d{3}_\d+$/);
        expect(line.prompt).toMatch(/^<\|user\|>\n### Example:\n\n### Instruction: [\s\S]*\n\n### Answer:\n\n\n<\|assistant\|>\n$/);
      }
    }
  }, 30_000);

  it("should give a lone instance of an odd count its own uid", async () => {
    const instance = (n: number) => ({ query: "Q", instruction: { "1": "I1", "2": "I2" }, context: { "1_0": `C${n}` }, answers: [n, "x"] });
    const file = join(dir, "odd.json");
    await writeFile(file, JSON.stringify({ "001": { instance: { "001_1": instance(1), "001_2": instance(2), "001_3": instance(3) }, sample: "S" } }));
    const result = await assay(["mti", "prompts", "--dataset", file, "--demos", demos, "--mode", "batch", "--template", "none"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.map((l) => l.uid)).toEqual(["001_1,001_2", "001_3"]);
    expect(lines[1]!.prompt).toBe("### Example:\n\n### Instruction: S\n\n### Task:\n\n### Instruction: I1\n\nC3\n\n### Answer:\n\n");
  });

  it("should exit 2 with a clear message on a bad mode or template", async () => {
    const badMode = await assay(["mti", "prompts", "--dataset", bench, "--demos", demos, "--mode", "pairs"]);
    expect(badMode.code).toBe(2);
    expect(badMode.stdout).toBe("");
    expect(badMode.stderr).toBe('assay: --mode must be multi, single or batch; got "pairs"\n');
    const badTemplate = await assay(["mti", "prompts", "--dataset", bench, "--demos", demos, "--mode", "multi", "--template", "llama2"]);
    expect(badTemplate.code).toBe(2);
    expect(badTemplate.stderr).toBe('assay: --template: chat template "llama2" is not available; available: tulu, none\n');
  });

  it("should exit 2 naming the file and the place of a bad dataset, and on a missing file", async () => {
    const file = join(dir, "bad.json");
    await writeFile(file, JSON.stringify({ "001": { instance: { "001_1": { query: "Q", instruction: { "1": "I1", "2": "I2" }, context: {}, answers: [1] } }, sample: "S" } }));
    const bad = await assay(["mti", "prompts", "--dataset", file, "--demos", demos, "--mode", "multi"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe(`assay: --dataset ${file}: MTI-Bench file has 1 problem; the first: task 001, instance 001_1, answers: 1 gold answers for 2 instructions\n`);

    const missing = await assay(["mti", "prompts", "--dataset", bench, "--demos", join(dir, "nope.json"), "--mode", "multi"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(new RegExp(`^assay: --demos ${join(dir, "nope.json")}: cannot read: ENOENT`));
  });

  it("should fail through commander when a required option is missing", async () => {
    const result = await assay(["mti", "prompts", "--dataset", bench, "--mode", "multi"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/required option '--demos <file>' not specified/);
  });
});
