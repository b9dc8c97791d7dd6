/**
 * `assay sirllm simulate` as a user runs it: the real CLI in a child process on Node 22, entropies on stdin.
 */
import { spawn } from "node:child_process";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../../shared/config/shared-files.js";
import { runSirllmSimulate, type SirllmSimulateOptions } from "../../../shared/cli/sirllm-simulate-command.js";
import { ValidationError } from "../../../shared/errors.js";

/** Runs `assay …` with `stdin`; resolves with the exit code, stdout and stderr. */
function assay(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, PATH: `${join(repoRoot, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}` };
  return new Promise((resolve, reject) => {
    const child = spawn("node", [join(repoRoot, "bin", "assay.js"), ...args], { cwd: repoRoot, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

// Hand-computed (sirllm-policy.test.ts): cacheSize 8, sinks 2; turn 1 fills the cache exactly; before turn 2,
// k = 8 − 2 − 2 = 4 keeps entropies 5, 3, 3, 3 (positions 2, 5, 6, 7) with the sinks 0 and 1.
const input = JSON.stringify({ turns: [[1, 1, 5, 2, 0.5], [3, 3, 3], [1, 1]] });
const sirllmOutput = "[[0,1,2,3,4],[0,1,2,3,4,5,6,7],[0,1,2,5,6,7,8,9]]\n";

describe("assay sirllm simulate", () => {
  it("should print the memory after each turn for a hand-computed case", async () => {
    const result = await assay(["sirllm", "simulate", "--policy", "sirllm", "--cache-size", "8", "--sinks", "2"], input);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(sirllmOutput);
  });

  it("should run the baselines on the same input", async () => {
    const streaming = await assay(["sirllm", "simulate", "--policy", "streaming", "--cache-size", "8", "--sinks", "2"], input);
    expect(streaming.code, streaming.stderr).toBe(0);
    expect(streaming.stdout).toBe("[[0,1,2,3,4],[0,1,2,3,4,5,6,7],[0,1,4,5,6,7,8,9]]\n");
  });

  it("should exit 2 with a message naming the problem for bad input on stdin", async () => {
    const negative = await assay(["sirllm", "simulate", "--policy", "sirllm", "--cache-size", "8"], '{"turns": [[1, -2]]}');
    expect(negative.code).toBe(2);
    expect(negative.stdout).toBe("");
    expect(negative.stderr).toMatch(/turns\[0\]\[1\]: entropies are −log p, so ≥ 0/);

    const notJson = await assay(["sirllm", "simulate", "--policy", "sirllm", "--cache-size", "8"], "turns: 1");
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/stdin is not JSON/);
  });

  it("should exit 2 for a refused turn and for bad options", async () => {
    const refused = await assay(["sirllm", "simulate", "--policy", "sirllm", "--cache-size", "8", "--sinks", "2"], '{"turns": [[1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]]}');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/turn 1 \(8 tokens\) cannot fit even after eviction: cache size 8 − 2 sinks/);

    const sinks = await assay(["sirllm", "simulate", "--policy", "random", "--cache-size", "4"], input); // default --sinks 4
    expect(sinks.code).toBe(2);
    expect(sinks.stderr).toMatch(/--sinks 4: sinks must be smaller than cacheSize/);
  });
});

describe("runSirllmSimulate", () => {
  const opts = (o: Partial<SirllmSimulateOptions>): SirllmSimulateOptions => ({ policy: "sirllm", cacheSize: "8", sinks: "2", decay: "1", seed: "0", ...o });

  it("should produce the CLI's output", async () => {
    expect(await runSirllmSimulate(opts({}), input)).toBe(sirllmOutput);
    expect(await runSirllmSimulate(opts({}), '{"turns": []}')).toBe("[]\n");
  });

  it.each([
    [{ policy: "lru" }, "--policy lru: expected one of: sirllm, streaming, random, interval, full"],
    [{ cacheSize: "eight" }, "--cache-size eight: "],
    [{ cacheSize: "" }, "--cache-size : "],
    [{ decay: "1.5" }, "--decay 1.5: decay must be ≤ 1"],
    [{ seed: "-3" }, "--seed -3: seed must be ≥ 0"],
  ])("should reject the options %o", async (change, message) => {
    const run = runSirllmSimulate(opts(change), input);
    await expect(run).rejects.toThrow(ValidationError);
    await expect(runSirllmSimulate(opts(change), input)).rejects.toThrow(message);
  });

  it.each([
    ['{"turn": [[1]]}', "turns: "],
    ['{"turns": [[1, "2"]]}', "turns[0][1]: "],
    ['{"turns": [[1e39]]}', "turns[0][0]: entropy overflows float32"],
    ["[]", "(the whole input): "],
  ])("should reject the input %s", async (text, message) => {
    await expect(runSirllmSimulate(opts({}), text)).rejects.toThrow(message);
  });
});
