import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";

const runtimes = new Map<boolean, Promise<Llama>>();

/**
 * The llama.cpp runtime, loaded once per process (per GPU choice) from node-llama-cpp's prebuilt binaries. It never
 * builds or downloads anything: a machine without a matching prebuilt binary fails here with a clear error.
 */
export function loadLlamaRuntime(gpu: boolean): Promise<Llama> {
  let runtime = runtimes.get(gpu);
  if (!runtime) {
    runtime = getLlama({ gpu: gpu ? "auto" : false, build: "never", logLevel: LlamaLogLevel.error });
    // A failed load must not poison later attempts.
    runtime.catch(() => runtimes.delete(gpu));
    runtimes.set(gpu, runtime);
  }
  return runtime;
}
