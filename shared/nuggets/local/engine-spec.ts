/**
 * Which engine an in-process run uses: `local:PATH.gguf` (the embedded engine on that file, one thread) or the name
 * of an engine configured in `ASSAY_ENGINES` / `ASSAY_ENGINES_FILE`.
 */
import { resolve } from "node:path";
import { resolveDefaultModel } from "../../config/shared-files.js";
import type { Engine } from "../../engines/engine.js";
import { EngineRegistry, loadEngineConfigs } from "../../engines/registry.js";
import { ValidationError } from "../../errors.js";

/** A parsed `--engine` value. */
export type EngineSpec = { readonly kind: "local"; readonly modelPath: string } | { readonly kind: "named"; readonly name: string };

const LOCAL = "local:";

/**
 * Parse an `--engine` value; `undefined` means `local:` + the default model (`resolveDefaultModel`).
 *
 * @example
 * parseEngineSpec("local:models/m.gguf"); // { kind: "local", modelPath: "<cwd>/models/m.gguf" }
 * parseEngineSpec("gpu-vllm");            // { kind: "named", name: "gpu-vllm" }
 */
export function parseEngineSpec(value: string | undefined, cwd: string = process.cwd()): EngineSpec {
  if (value === undefined) return { kind: "local", modelPath: resolveDefaultModel(cwd) };
  if (value.startsWith(LOCAL)) {
    const path = value.slice(LOCAL.length);
    if (path === "") return { kind: "local", modelPath: resolveDefaultModel(cwd) };
    return { kind: "local", modelPath: resolve(cwd, path) };
  }
  if (value.trim() === "") throw new ValidationError("--engine is empty; give an engine name or local:PATH.gguf");
  return { kind: "named", name: value };
}

/** An engine ready to score, and how to let it go. */
export interface OpenedEngine {
  readonly engine: Engine;
  /** A label for messages: the model file or the configured name. */
  readonly label: string;
  close(): Promise<void>;
}

/**
 * Build the engine a spec names. The embedded engine runs on one thread: more threads than free cores is far slower
 * on the small machines this runs on. A named engine comes from the configured registry, wrapped in its retry policy.
 */
export async function openEngine(spec: EngineSpec, env: NodeJS.ProcessEnv = process.env): Promise<OpenedEngine> {
  if (spec.kind === "local") {
    const { createEmbeddedEngine } = await import("../../engines/embedded/index.js");
    const engine = await createEmbeddedEngine({ name: "local", modelPath: spec.modelPath, threads: 1 });
    return { engine, label: spec.modelPath, close: () => engine.close() };
  }
  const registry = EngineRegistry.fromConfigs(loadEngineConfigs(env));
  const engine = await registry.get(spec.name);
  return { engine, label: spec.name, close: () => registry.close() };
}
