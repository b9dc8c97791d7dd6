import { engineConfigSchemaOf, type EngineConfigInputOf } from "../../../schemas/engines.js";

/** The sagemaker engine's configuration: one branch of the registry's schema in `schemas/engines.ts`, the single source. */
export const sagemakerConfigSchema = engineConfigSchemaOf("sagemaker");
/** As written in configuration (defaults not yet applied; the adapter parses it). */
export type SagemakerConfig = EngineConfigInputOf<"sagemaker">;
