/** Test support: synthesise the assay stack the way `cdk synth` would, with cdk.json's context and the real entries. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { REPO_ROOT } from "../../infra/bundling.js";
import { AssayStack, type AssayStackProps } from "../../infra/assay-stack.js";
import { DEFAULT_WORKERS } from "../../infra/worker-spec.js";

/** Stand-in entry files for tests about bundling rules themselves (e.g. a local-only import). */
export const FIXTURES = "tests/infra/fixtures";

/** The workers the stack deploys, with their real entry points in `functions/`. */
export const WORKERS = DEFAULT_WORKERS;

/** The context `cdk synth` gets from cdk.json, so tests see the same feature flags as the CLI. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, "cdk.json"), "utf8")) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export interface Synthesised {
  readonly stack: AssayStack;
  readonly template: Template;
  /** The cloud assembly folder (bundled assets live in `asset.*` under it). */
  readonly outdir: string;
}

/**
 * One synthesis. `bundle: false` skips esbuild (CDK's `aws:cdk:bundling-stacks` context), for tests that only look
 * at the template's shape.
 */
export function synthAssayStack(props: AssayStackProps = {}, options: { bundle?: boolean } = {}): Synthesised {
  const outdir = mkdtempSync(join(tmpdir(), "assay-cdk-"));
  const context: Record<string, unknown> = { ...cdkJsonContext() };
  if (options.bundle === false) context["aws:cdk:bundling-stacks"] = [];
  try {
    const app = new App({ outdir, context });
    const stack = new AssayStack(app, "Assay", {
      workers: WORKERS,
      analyticsReporting: false,
      ...props,
    });
    return { stack, template: Template.fromStack(stack), outdir };
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
}
