/**
 * From one engine configuration to one configuration per replica. An adapter always talks to one server or endpoint;
 * the registry builds an adapter per replica and puts `createEnginePool` in front.
 */
import type { EngineConfig } from "../../../schemas/engines.js";
import { ConfigurationError } from "../../errors.js";

/**
 * One configuration per replica, in configuration order, each naming a single `baseUrl` / `endpointName`. A
 * configuration without replicas (one server, the embedded engine) is returned alone.
 *
 * @example
 * replicaConfigs({ ...vllm, baseUrls: ["http://a:8000", "http://b:8000"] })
 * // [{ ...vllm, baseUrl: "http://a:8000" }, { ...vllm, baseUrl: "http://b:8000" }]
 */
export function replicaConfigs(config: EngineConfig): EngineConfig[] {
  switch (config.kind) {
    case "vllm":
    case "sglang":
    case "openai-chat": {
      const { baseUrls, ...rest } = config;
      return baseUrls ? baseUrls.map((baseUrl) => ({ ...rest, baseUrl })) : [config];
    }
    case "sagemaker": {
      const { endpointNames, ...rest } = config;
      return endpointNames ? endpointNames.map((endpointName) => ({ ...rest, endpointName })) : [config];
    }
    default:
      return [config];
  }
}

/**
 * The one address an adapter talks to: `single`, or a list of exactly one. An adapter given several replicas refuses
 * them: balancing them is the pool's job, which the registry sets up.
 *
 * @example soleReplica("gpu-a", "baseUrl", undefined, ["http://a:8000"]) // "http://a:8000"
 */
export function soleReplica(engine: string, field: string, single: string | undefined, many: readonly string[] | undefined): string {
  if (single !== undefined && many === undefined) return single;
  if (single === undefined && many?.length === 1) return many[0]!;
  if (single === undefined && many && many.length > 1) {
    throw new ConfigurationError(
      `engine "${engine}" names ${many.length} replicas (${field}s): build it through EngineRegistry, which pools them`,
    );
  }
  throw new ConfigurationError(`engine "${engine}": give ${field} or ${field}s (exactly one of them)`);
}
