import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigurationError } from "../errors.js";

/** The repository root (this file lives in `shared/config/`). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The read-only folder of data and models that sits beside the repository (`../shared`), or `$ASSAY_SHARED_DIR`.
 * Tests and benchmarks read their data from here; nothing in it is copied into the repo.
 */
export function sharedDir(): string {
  return process.env.ASSAY_SHARED_DIR ?? resolve(repoRoot, "..", "shared");
}

const TEST_MODEL = "models/stories260K.gguf";
const TEST_MODEL_SHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";

/** How to get the test model, for error messages. */
export const MODEL_HELP =
  `Set ASSAY_MODEL to a .gguf file, put one in ./models/, or place stories260K.gguf at ${TEST_MODEL} in the shared ` +
  `folder (${sharedDir()}); it can be downloaded from huggingface.co/ggml-org/models (tinyllamas/stories260K.gguf), ` +
  `sha256 ${TEST_MODEL_SHA256}.`;

/**
 * The model the embedded engine loads by default: `$ASSAY_MODEL`, then the first `.gguf` in `./models/`, then
 * `../shared/models/stories260K.gguf`. Throws a {@link ConfigurationError} that says how to get one.
 */
export function resolveDefaultModel(cwd: string = process.cwd()): string {
  const fromEnv = process.env.ASSAY_MODEL;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new ConfigurationError(`ASSAY_MODEL points at ${fromEnv}, which does not exist`);
    return resolve(fromEnv);
  }
  const local = join(cwd, "models");
  if (existsSync(local)) {
    const gguf = readdirSync(local).filter((f) => f.endsWith(".gguf")).sort()[0];
    if (gguf) return join(local, gguf);
  }
  const shared = join(sharedDir(), TEST_MODEL);
  if (existsSync(shared)) return shared;
  throw new ConfigurationError(`no model found. ${MODEL_HELP}`);
}

/**
 * A file in the shared folder that a test or benchmark needs. Fails with a message saying what is missing instead
 * of letting a test skip silently.
 */
export function sharedFile(relative: string): string {
  const path = join(sharedDir(), relative);
  if (!existsSync(path)) {
    const hint = relative === TEST_MODEL ? ` ${MODEL_HELP}` : " It ships in the shared folder beside the repository.";
    throw new ConfigurationError(`missing ${path}.${hint}`);
  }
  return path;
}
