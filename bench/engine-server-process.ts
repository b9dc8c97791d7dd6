/**
 * `assay engine serve` in its own process, so the HTTP client and the server do not share an event loop (or a
 * llama.cpp thread) and the bench times what production sees: a separate server driven over loopback.
 *
 * The child is killed however the bench ends: `close()` in a `finally`, an `exit` hook, SIGINT/SIGTERM hooks, and,
 * in case the bench itself is killed with SIGKILL, a watchdog preloaded into the child that exits when it is
 * orphaned.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../shared/config/shared-files.js";

export interface EngineServerProcess {
  /** The server root, e.g. `http://127.0.0.1:41234` (what the vLLM adapter takes as `baseUrl`). */
  readonly url: string;
  readonly pid: number;
  /** The Node version the server runs on. */
  readonly nodeVersion: string;
  /** Stops the server: SIGTERM, then SIGKILL if it has not exited within `graceMs`. Safe to call twice. */
  close(graceMs?: number): Promise<void>;
}

// Preloaded into the server: when the bench dies without cleaning up, the child is re-parented and quits.
const ORPHAN_WATCHDOG =
  "data:text/javascript,const p=process.ppid;setInterval(()=>{if(process.ppid!==p)process.exit(0)},500).unref();";

const STARTUP_TIMEOUT_MS = 60_000;

/** Node 22 from the project's `node` devDependency, else whatever runs the bench. */
export function projectNode(): string {
  const pinned = join(repoRoot, "node_modules", ".bin", process.platform === "win32" ? "node.cmd" : "node");
  return existsSync(pinned) ? pinned : process.execPath;
}

/** Reads the URL out of the serve command's start-up line (`serving FILE at http://host:port (...)`). */
export function parseServingUrl(line: string): string | null {
  const match = /\bserving .* at (https?:\/\/\S+)/.exec(line);
  return match ? match[1]! : null;
}

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // `exit` handlers must be synchronous: a SIGKILL is all that can be sent from there.
  process.on("exit", () => live.forEach((c) => c.kill("SIGKILL")));
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.once(signal, () => {
      live.forEach((c) => c.kill("SIGKILL"));
      process.exit(code);
    });
  }
}

/**
 * Starts `node bin/assay.js engine serve --model FILE --port 0 --host 127.0.0.1` and waits for its start-up line.
 *
 * @example
 * const server = await spawnEngineServer({ modelPath });
 * try { ... createVllmEngine({ baseUrl: server.url, ... }) ... } finally { await server.close(); }
 */
export async function spawnEngineServer(options: { modelPath: string; node?: string }): Promise<EngineServerProcess> {
  installExitHooks();
  const node = options.node ?? projectNode();
  const args = [
    "--disable-warning=ExperimentalWarning",
    "--import",
    ORPHAN_WATCHDOG,
    join(repoRoot, "bin", "assay.js"),
    "engine",
    "serve",
    "--model",
    options.modelPath,
    "--port",
    "0",
    "--host",
    "127.0.0.1",
  ];
  const child = spawn(node, args, { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  exited.then(() => live.delete(child));

  let stderr = "";
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`engine server did not start within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
      child.stderr!.setEncoding("utf8");
      child.stderr!.on("data", (chunk: string) => {
        stderr += chunk;
        const url = parseServingUrl(stderr);
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`engine server exited (${signal ?? code}) before it started:\n${stderr.trim()}`));
      });
    });
    // Keep draining stderr so a chatty server never blocks on a full pipe.
    child.stderr!.resume();
    const nodeVersion = await versionOf(node);
    return {
      url,
      pid: child.pid!,
      nodeVersion,
      close: (graceMs = 5_000) => stop(child, exited, graceMs),
    };
  } catch (error) {
    await stop(child, exited, 1_000);
    throw error;
  }
}

async function stop(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), graceMs)));
  if ((await Promise.race([exited, timeout])) === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
  clearTimeout(timer);
}

function versionOf(node: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(node, ["--version"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.once("error", () => resolve("unknown"));
    child.once("exit", () => resolve(out.trim() || "unknown"));
  });
}
