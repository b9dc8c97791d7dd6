/** The SageMaker adapter (loaded lazily by the engine registry). */
export { createSagemakerEngine, type InvokeEndpointClient, type SagemakerDeps } from "./sagemaker-engine.js";
export { sagemakerConfigSchema, type SagemakerConfig } from "./sagemaker-config.js";
