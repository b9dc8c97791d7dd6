export { createEmbeddedEngine, type EmbeddedEngine, type EmbeddedEngineOptions } from "./embedded-engine.js";
