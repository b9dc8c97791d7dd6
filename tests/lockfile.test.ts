import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../shared/config/shared-files.js";

/**
 * The registry this project installs from lacks node-llama-cpp's macOS/Windows/riscv binaries, so a lockfile
 * regenerated here silently drops them and `npm ci` (CI's install) then refuses it as out of sync. This catches that
 * before CI does. Fix: add a `node_modules/@node-llama-cpp/<name>` entry with its version, os, cpu and
 * `"optional": true` for each one listed as missing (npm ci skips platform-gated optional packages without fetching).
 */
describe("package-lock.json", () => {
  it("should list every optional platform binary of node-llama-cpp", () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as {
      packages: Record<string, { optionalDependencies?: Record<string, string> }>;
    };
    const optional = Object.keys(lock.packages["node_modules/node-llama-cpp"]?.optionalDependencies ?? {});
    expect(optional.length).toBeGreaterThan(0);
    const missing = optional.filter((name) => !lock.packages[`node_modules/${name}`]);
    expect(missing, "add these to package-lock.json (see this test's comment)").toEqual([]);
  });
});

describe("package.json", () => {
  it("should pin fauxqs exactly, at the version whose internal files the emulator loads by path", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
    // shared/local/fauxqs-internals.ts names the files and shapes it was checked against (fauxqs 2.4.1); a caret
    // range would let `npm install` move to a version where they are gone.
    expect(pkg.dependencies.fauxqs).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies.fauxqs).toBe("2.4.1");
    expect(lock.packages["node_modules/fauxqs"]?.version).toBe(pkg.dependencies.fauxqs);
  });
});
