import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseServingUrl, spawnEngineServer } from "../../bench/engine-server-process.js";
import { repoRoot, sharedFile } from "../../shared/config/shared-files.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A failed test must not leave a server behind. */
const killIfAlive = (pid: number) => {
  if (alive(pid)) process.kill(pid, "SIGKILL");
};

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

/** Runs the fixture that holds a server; resolves with the fixture process and the server's pid and url. */
function holdServer() {
  const holder = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "tests/bench/fixtures/hold-engine-server.ts")], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise<{ holder: typeof holder; pid: number; url: string }>((resolve, reject) => {
    let out = "";
    holder.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /^(\d+) (\S+)\n/.exec(out);
      if (m) resolve({ holder, pid: Number(m[1]), url: m[2]! });
    });
    holder.once("exit", (code) => reject(new Error(`holder exited (${code}) before the server started`)));
  });
}

describe("engine server process", () => {
  it("should read the URL from the serve command's start-up line", () => {
    expect(parseServingUrl("serving /m.gguf at http://127.0.0.1:41234 (try: curl http://127.0.0.1:41234/v1/models)\n")).toBe(
      "http://127.0.0.1:41234",
    );
    expect(parseServingUrl("loading…")).toBeNull();
  });

  it("should serve on a free loopback port in its own process and be gone after close", async () => {
    const server = await spawnEngineServer({ modelPath: sharedFile("models/stories260K.gguf") });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.pid).not.toBe(process.pid);
      expect(server.nodeVersion).toMatch(/^v22\./);
      const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: { id: string }[] };
      expect(models.data[0]!.id).toBe("stories260K");
    } finally {
      await server.close();
    }
    expect(alive(server.pid)).toBe(false);
    await server.close(); // a second close is harmless
  });

  it("should take the server down when the bench is terminated", async () => {
    const { holder, pid } = await holdServer();
    try {
      expect(alive(pid)).toBe(true);
      holder.kill("SIGTERM");
      expect(await waitUntilGone(pid, 5_000)).toBe(true);
    } finally {
      killIfAlive(pid);
    }
  });

  it("should take the server down when the bench dies without cleaning up", async () => {
    const { holder, pid } = await holdServer();
    try {
      holder.kill("SIGKILL");
      expect(await waitUntilGone(pid, 5_000)).toBe(true);
    } finally {
      killIfAlive(pid);
    }
  });
});
