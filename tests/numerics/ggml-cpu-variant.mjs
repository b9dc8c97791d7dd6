/**
 * Runs node-llama-cpp with one chosen ggml CPU kernel variant instead of the best one for this CPU, so an AVX-512
 * machine can compute what an AVX2-only machine computes (llama.cpp picks its kernels at load time from
 * `libggml-cpu-<variant>.so`; the prebuilt package ships a dozen). For measuring and for checking tolerances only:
 *
 *   ASSAY_GGML_CPU_VARIANT=haswell NODE_OPTIONS="--import ./tests/numerics/ggml-cpu-variant.mjs" npx vitest run …
 *
 * `haswell` is AVX2 + FMA (an AVX2-only EPYC loads it); `sse42` and `x64` are older still. It copies
 * `@node-llama-cpp/linux-x64` to a temporary folder with only that variant's library (the copy is ~15 MB, made
 * once) and redirects the package's import there; the shared node_modules is not touched. Without the variable it
 * does nothing. Linux x64 only.
 */
import { cpSync, existsSync, readdirSync } from "node:fs";
import { createRequire, register } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const variant = process.env.ASSAY_GGML_CPU_VARIANT;
if (variant) {
  const pkg = "@node-llama-cpp/linux-x64";
  // Resolved from node-llama-cpp's own folder, where the shared install keeps its binaries.
  const fromNodeLlamaCpp = createRequire(createRequire(import.meta.url).resolve("node-llama-cpp"));
  const source = dirname(dirname(fromNodeLlamaCpp.resolve(pkg)));
  const bins = join(source, "bins", "linux-x64");
  const wanted = `libggml-cpu-${variant}.so`;
  const available = readdirSync(bins).filter((f) => /^libggml-cpu-.*\.so$/.test(f));
  if (!available.includes(wanted)) {
    throw new Error(`ASSAY_GGML_CPU_VARIANT=${variant}: no ${wanted} in ${bins}; available: ${available.join(", ")}`);
  }
  const copy = join(tmpdir(), `assay-ggml-cpu-${variant}`, "linux-x64");
  if (!existsSync(join(copy, "dist", "index.js"))) {
    cpSync(source, copy, {
      recursive: true,
      filter: (path) => !/^libggml-cpu-.*\.so$/.test(basename(path)) || basename(path) === wanted,
    });
  }
  const target = pathToFileURL(join(copy, "dist", "index.js")).href;
  const hooks =
    `export async function resolve(specifier, context, next) {` +
    ` if (specifier === ${JSON.stringify(pkg)}) return { url: ${JSON.stringify(target)}, shortCircuit: true };` +
    ` return next(specifier, context); }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}
