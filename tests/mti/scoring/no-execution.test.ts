/**
 * The authors' normaliser calls Python's eval on model output. This one must never execute anything: text that would
 * run code stays text, no file appears, and the scoring modules import nothing that could run code.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { repoRoot } from "../../../shared/config/shared-files.js";
import { normaliseAnswer } from "../../../shared/mti/scoring/normalise-answer.js";
import { evaluatePythonExpression } from "../../../shared/mti/scoring/python-evaluator.js";

const scoringDir = join(repoRoot, "shared", "mti", "scoring");

describe("normalisation never executes the text", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    "__import__('os').system('touch assay-mti-pwned')",
    "open('assay-mti-pwned', 'w').write('x')",
    "[x for x in ()]",
    "(lambda: 1)()",
    "exec('1')",
    "eval('1+1')",
    "globals()",
    "print('hi')",
    "().__class__.__bases__[0].__subclasses__()",
    "[__import__('os')]",
    "{'a': open}",
  ])("should return %j as it is", (text) => {
    expect(normaliseAnswer(text)).toBe(text);
  });

  it("should create no file when asked to run a command, with or without a slash in the text", () => {
    const target = join(tmpdir(), `assay-mti-never-${process.pid}-${Date.now()}`);
    const withSlash = `__import__('os').system('touch ${target}')`;
    expect(normaliseAnswer(withSlash)).toBe(withSlash);
    expect(evaluatePythonExpression(withSlash)).toMatchObject({ ok: false, reason: "unsupported" });
    expect(evaluatePythonExpression(`open('${target}', 'w')`)).toMatchObject({ ok: false, reason: "unsupported" });
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(process.cwd(), "assay-mti-pwned"))).toBe(false);
  });

  it("should not call the JavaScript eval while normalising", () => {
    const evalSpy = vi.spyOn(globalThis, "eval");
    for (const text of ["[1,2,4]", "1-4-3-2", "__import__('os')", "2**10"]) normaliseAnswer(text);
    expect(evalSpy).not.toHaveBeenCalled();
  });

  it("should import nothing that can run code, and use no eval or Function", () => {
    const files = readdirSync(scoringDir).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const source = readFileSync(join(scoringDir, file), "utf8");
      // Comments quote the authors' Python (`eval(text)`); only code counts.
      const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/\s.*$/gm, "$1");
      expect(code, file).not.toMatch(/from\s+["'](node:)?(child_process|vm|worker_threads|cluster|fs|fs\/promises|module)["']/);
      expect(code, file).not.toMatch(/import\(\s*["'](node:)?(child_process|vm|worker_threads|cluster)/);
      expect(code, file).not.toMatch(/\bevals?\s*\(|\bnew\s+Function\b|\bFunction\s*\(|\brequire\s*\(/);
      const imports = [...code.matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]!);
      for (const spec of imports) expect(spec, `${file} imports ${spec}`).toMatch(/^(\.\.?\/|zod$)/);
    }
  });
});
