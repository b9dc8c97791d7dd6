import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../shared/config/shared-files.js";

const run = promisify(execFile);
// The system's npm and node, as a user's shell finds them (not the pinned node this test runs on).
const systemPath = (process.env.PATH ?? "").split(":").filter((p) => !p.includes("node_modules")).join(":");

describe("npx assay under the system's node", () => {
  it("should run on the pinned Node 22 and print no engine warnings", async () => {
    const { stdout, stderr } = await run("npx", ["assay", "--version"], { cwd: repoRoot, env: { ...process.env, PATH: systemPath } });
    expect(stderr).not.toMatch(/EBADENGINE|Unsupported engine/);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+ \(node v2[2-9]\./);
  }, 60_000);

  it("should hand a bare `node bin/assay.js` on an older node over to the pinned one", async () => {
    const { stdout } = await run("node", ["bin/assay.js", "--version"], { cwd: repoRoot, env: { ...process.env, PATH: systemPath } });
    expect(stdout.trim()).toMatch(/\(node v2[2-9]\./);
  }, 60_000);
});
