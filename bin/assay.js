#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
// The `assay` command. TypeScript sources run through tsx, so there is no build step to forget.
import { register } from "tsx/esm/api";

register();
await import("../shared/cli/main.ts");
