/** Where a bench ran, recorded with its results: the same fields in every bench's JSON. */
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../shared/config/shared-files.js";

/** The machine and runtime of this process. */
export function machineInfo() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    nodeLlamaCpp: packageVersion("node-llama-cpp"),
  };
}

/** An installed package's version, or "unknown". */
export function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
