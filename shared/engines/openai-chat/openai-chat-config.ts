import { engineConfigSchemaOf, type EngineConfigInputOf } from "../../../schemas/engines.js";

/** The openai-chat engine's configuration: one branch of the registry's schema in `schemas/engines.ts`, the single source. */
export const openAIChatConfigSchema = engineConfigSchemaOf("openai-chat");
/** As written in configuration (defaults not yet applied; the adapter parses it). */
export type OpenAIChatConfig = EngineConfigInputOf<"openai-chat">;
