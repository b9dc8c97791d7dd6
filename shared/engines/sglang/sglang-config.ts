import { engineConfigSchemaOf, type EngineConfigInputOf } from "../../../schemas/engines.js";

/** The sglang engine's configuration: one branch of the registry's schema in `schemas/engines.ts`, the single source. */
export const sglangConfigSchema = engineConfigSchemaOf("sglang");
/** As written in configuration (defaults not yet applied; the adapter parses it). */
export type SglangConfig = EngineConfigInputOf<"sglang">;
