import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { repoRoot } from "../../shared/config/shared-files.js";
import { parentOf } from "../../shared/dev/launcher-watch.js";
import { waitForOutput } from "../helpers/process.js";

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, timeout: 500 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

/** Child pids of a process, from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((p) => parentOf(p) === pid);
}

async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

/** `npm start` as a user runs it; resolves once it says where the API listens. Not detached: only npm gets signals. */
async function start(): Promise<{ npm: ChildProcess; port: number; output: () => string }> {
  const npm = spawn("npm", ["start", "--", "--port", "0", "--ephemeral", "--workers", "1"], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  npm.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  npm.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const url = await waitForOutput(npm, /API\s+(http:\/\/127\.0\.0\.1:\d+)/, "npm start", 60_000);
  return { npm, port: Number(new URL(url).port), output: () => output };
}

describe("stopping the local stack", () => {
  it("should stop the whole stack and free the port when npm itself gets SIGTERM", async () => {
    const { npm, port, output } = await start();
    expect(await listening(port)).toBe(true);
    // Only npm's process: npm does not pass SIGTERM on to the node child it runs.
    npm.kill("SIGTERM");
    expect(await eventually(async () => !(await listening(port)), 15_000), output()).toBe(true);
  }, 90_000);

  it.each(["SIGTERM", "SIGINT"] as const)("should stop cleanly on %s to the stack's own process", async (signal) => {
    const { npm, port, output } = await start();
    // The node process npm started (npm → sh → node): signal it directly, as a process manager would.
    let node = npm.pid!;
    for (let depth = 0; depth < 2; depth++) node = (await childrenOf(node))[0] ?? node;
    expect(node).not.toBe(npm.pid);
    process.kill(node, signal);
    expect(await eventually(async () => !(await listening(port)), 15_000), output()).toBe(true);
    expect(output()).toMatch(new RegExp(`stopping \\(${signal}\\)`));
    npm.kill("SIGTERM");
  }, 90_000);
});
