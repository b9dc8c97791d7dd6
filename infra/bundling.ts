import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BundlingOptions, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";

/** The repository root (this file lives in `infra/`); entry paths and the lock file resolve against it. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** An entry path as NodejsFunction wants it: absolute, so synth gives the same result from any working directory. */
export function resolveEntry(entry: string): string {
  return isAbsolute(entry) ? entry : resolve(REPO_ROOT, entry);
}

/**
 * Packages that must never reach a Lambda bundle. node-llama-cpp ships native binaries per platform (hundreds of MB)
 * and fauxqs is the local S3/SQS emulator; both belong to the local stack only. Marking them external keeps esbuild
 * from trying to inline them; the stack test then checks that no bundle imports them at all, because an external
 * import that does survive would only fail at cold start in Lambda.
 */
export const NEVER_BUNDLED = ["node-llama-cpp", "@node-llama-cpp/*", "fauxqs"] as const;

/**
 * Set at bundle time in every Lambda bundle: `process.env.ASSAY_LAMBDA_BUNDLE` is replaced by the literal `"true"`.
 * Code that lazily loads a local-only adapter guards it with
 * `if (process.env.ASSAY_LAMBDA_BUNDLE !== "true") { … await import("./embedded/index.js") … }` and esbuild drops the
 * branch and everything only it reaches. Without the guard, esbuild inlines the lazily imported module and hoists its
 * external `import … from "node-llama-cpp"` to the top of the bundle, where it runs (and fails) at cold start.
 */
export const LAMBDA_BUNDLE_DEFINE = { "process.env.ASSAY_LAMBDA_BUNDLE": JSON.stringify("true") } as const;

/**
 * esbuild's ESM output has no `require`; CommonJS dependencies that call it (directly or through esbuild's
 * `__require` shim) need one, built from the module's own URL.
 */
const REQUIRE_BANNER =
  "import { createRequire as __assayCreateRequire } from 'node:module'; const require = __assayCreateRequire(import.meta.url);";

/**
 * Bundling shared by every function: the local esbuild (a devDependency) and never Docker, ESM for Node 22, minified
 * with source maps (without the sources, which Lambda never needs: stack traces only need the mappings).
 *
 * The AWS SDK is bundled rather than taken from the runtime: the code relies on S3 conditional writes
 * (`IfNoneMatch`/`IfMatch` on PutObject), so the SDK version must be the one in package-lock.json, not whatever the
 * Lambda runtime happens to ship.
 */
export const BUNDLING: BundlingOptions = {
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  target: "node22",
  mainFields: ["module", "main"],
  banner: REQUIRE_BANNER,
  bundleAwsSDK: true,
  externalModules: [...NEVER_BUNDLED],
  define: { ...LAMBDA_BUNDLE_DEFINE },
  minify: true,
  sourceMap: true,
  sourcesContent: false,
};

/**
 * The {@link NEVER_BUNDLED} packages a bundle still imports (statically, dynamically or through `require`), by name.
 * An external import survives esbuild untouched, so finding one in the output means Lambda code reaches for a
 * local-only package and would crash at cold start.
 *
 * @example
 * forbiddenImports('import{getLlama as a}from"node-llama-cpp";') // ["node-llama-cpp"]
 */
export function forbiddenImports(bundle: string): string[] {
  const found = new Set<string>();
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'`]((?:@node-llama-cpp\/[^"'`]+)|node-llama-cpp|fauxqs)(?:\/[^"'`]*)?["'`]/g;
  for (const match of bundle.matchAll(pattern)) found.add(match[1]!);
  return [...found].sort();
}
