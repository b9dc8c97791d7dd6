#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
// The `assay` command. TypeScript sources run through tsx, so there is no build step to forget.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// assay runs on the Node 22 that `npm ci` installs (the node@22 devDependency). Started by an older node (a bare
// `./bin/assay.js` outside npm/npx), hand over to that one rather than run on a Node it was not built for.
if (Number(process.versions.node.split(".")[0]) < 22) {
  const pinned = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
  if (!existsSync(pinned)) {
    process.stderr.write(`assay: needs Node 22 (this is ${process.version}); run \`npm ci\`, which installs it\n`);
    process.exit(2);
  }
  const args = ["--disable-warning=ExperimentalWarning", fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  const { status, signal } = spawnSync(pinned, args, { stdio: "inherit" });
  process.exit(status ?? (signal ? 1 : 0));
}

register();
await import("../shared/cli/main.ts");
