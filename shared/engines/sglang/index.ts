/** The SGLang adapter (loaded lazily by the engine registry). */
export { createSglangEngine, type SglangDeps } from "./sglang-engine.js";
export { sglangConfigSchema, type SglangConfig } from "./sglang-config.js";
