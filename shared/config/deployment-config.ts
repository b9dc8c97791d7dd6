import { loadApiKeyRecords, type ApiKeyRecord } from "../auth/api-keys.js";
import { loadEngineConfigs } from "../engines/registry.js";
import type { EngineConfigInput } from "../../schemas/engines.js";

/** What a deployed function needs to know beyond its code: the engines it may call and the API keys it accepts. */
export interface DeploymentConfig {
  readonly engines: EngineConfigInput[];
  readonly apiKeys: ApiKeyRecord[];
  /** `{tenant: secret}` for signing completion callbacks, as JSON (parsed by its user). */
  readonly callbackSecretsJson: string | undefined;
}

/**
 * Reads the configuration from SSM parameters when their names are set (`ASSAY_ENGINES_PARAM`,
 * `ASSAY_API_KEYS_PARAM`, `ASSAY_CALLBACK_SECRETS_PARAM`, as the CDK stack sets them; SecureString is decrypted),
 * else from the environment (`ASSAY_ENGINES[_FILE]`, `ASSAY_API_KEYS[_FILE]`, `ASSAY_CALLBACK_SECRETS`). Called once
 * per container, at cold start.
 */
export async function loadDeploymentConfig(env: NodeJS.ProcessEnv = process.env): Promise<DeploymentConfig> {
  const resolved: NodeJS.ProcessEnv = { ...env };
  if (env.ASSAY_ENGINES_PARAM || env.ASSAY_API_KEYS_PARAM || env.ASSAY_CALLBACK_SECRETS_PARAM) {
    // Loaded only when used, so local runs never touch SSM.
    const { getParameter } = await import("@aws-lambda-powertools/parameters/ssm");
    if (env.ASSAY_ENGINES_PARAM) {
      resolved.ASSAY_ENGINES = (await getParameter(env.ASSAY_ENGINES_PARAM, { decrypt: true })) ?? "[]";
    }
    if (env.ASSAY_API_KEYS_PARAM) {
      resolved.ASSAY_API_KEYS = (await getParameter(env.ASSAY_API_KEYS_PARAM, { decrypt: true })) ?? "[]";
    }
    if (env.ASSAY_CALLBACK_SECRETS_PARAM) {
      resolved.ASSAY_CALLBACK_SECRETS = (await getParameter(env.ASSAY_CALLBACK_SECRETS_PARAM, { decrypt: true })) ?? "{}";
    }
  }
  return {
    engines: loadEngineConfigs(resolved),
    apiKeys: loadApiKeyRecords(resolved),
    callbackSecretsJson: resolved.ASSAY_CALLBACK_SECRETS,
  };
}
