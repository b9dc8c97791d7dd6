import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createServer } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../shared/config/shared-files.js";

const run = promisify(execFile);

/** `assay …` as a child process: its exit code, stdout and stderr. */
async function assay(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/assay.js", ...args], { cwd: repoRoot, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** A loopback port nothing listens on: taken from the OS, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("the CLI against an API that is not running", () => {
  let url: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    url = `http://127.0.0.1:${await freePort()}`;
    env = { ...process.env, ASSAY_API_URL: url, ASSAY_API_KEY: "assay_x" };
  });

  it.each([
    [["nuggets", "status", "nj_00000000000000000000000000"]],
    [["nuggets", "submit", "--dataset", "ds_000000000000000000000000", "--anchors", "random:4", "--engine", "local"]],
    [["nuggets", "cancel", "nj_00000000000000000000000000"]],
  ])("should print one line saying so and exit 2, never a stack trace: assay %j", async (args) => {
    const result = await assay(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([`assay: cannot reach the API at ${url}: is \`npm start\` running? (ECONNREFUSED)`]);
  }, 60_000);
});
