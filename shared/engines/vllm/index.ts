/** The vLLM adapter (loaded lazily by the engine registry). */
export { createVllmEngine, type VllmDeps } from "./vllm-engine.js";
export { vllmConfigSchema, type VllmConfig } from "./vllm-config.js";
