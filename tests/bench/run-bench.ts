import { spawn } from "node:child_process";
import { repoRoot } from "../../shared/config/shared-files.js";

/**
 * Runs `node --import tsx bench/<script> --quick --out <outDir>` from the repository root, as `npm run bench:…`
 * does; resolves with its stdout, or throws with its stderr when it exits non-zero.
 */
export async function runBenchQuick(script: string, outDir: string): Promise<{ stdout: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", `bench/${script}`, "--quick", "--out", outDir], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exitCode = await new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  if (exitCode !== 0) throw new Error(`bench exited ${exitCode}:\n${stderr}`);
  return { stdout };
}
