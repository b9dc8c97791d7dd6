import { engineConfigSchemaOf, type EngineConfigInputOf } from "../../../schemas/engines.js";

/** The vllm engine's configuration: one branch of the registry's schema in `schemas/engines.ts`, the single source. */
export const vllmConfigSchema = engineConfigSchemaOf("vllm");
/** As written in configuration (defaults not yet applied; the adapter parses it). */
export type VllmConfig = EngineConfigInputOf<"vllm">;
