/**
 * The SageMaker adapter: `InvokeEndpoint` on a real-time endpoint, speaking either the vLLM completions body
 * (LMI/vLLM containers; token-id prompts, the same payloads and parsers as the vLLM adapter) or TGI's
 * text-in/details-out body. SageMaker has no tokenizer endpoint, so a companion engine with the same tokenizer
 * tokenises (and, for TGI, turns token ids back into the text TGI wants).
 */
import {
  InvokeEndpointCommand,
  SageMakerRuntimeClient,
  type InvokeEndpointCommandInput,
  type InvokeEndpointCommandOutput,
} from "@aws-sdk/client-sagemaker-runtime";
import { CapabilityError, ConfigurationError, EngineError } from "../../errors.js";
import {
  scoreSuffixesByFullPrompts,
  type Engine,
  type GenerateRequest,
  type GenerateResult,
  type ScoreRequest,
  type ScoreResult,
} from "../engine.js";
import { classifyError } from "../http-errors.js";
import { soleReplica } from "../pool/replica-configs.js";
import {
  assertScoreRequest,
  buildScoreBody,
  emptyGeneration,
  generateByParamGroups,
  parseScoreResponse,
} from "../openai-compatible/completions-wire.js";
import { sagemakerConfigSchema, type SagemakerConfig } from "./sagemaker-config.js";
import { buildTgiGenerateBody, buildTgiScoreBody, parseTgiGenerateResponse, parseTgiScoreResponse } from "./tgi-wire.js";

/** The one SDK method the adapter uses (a narrow port, so tests inject a fake). */
export interface InvokeEndpointClient {
  send(command: InvokeEndpointCommand, options?: { abortSignal?: AbortSignal }): Promise<InvokeEndpointCommandOutput>;
}

export interface SagemakerDeps {
  /** Tokenises for this endpoint (a configured engine with the same tokenizer). Required. */
  readonly tokenizer: Pick<Engine, "tokenize" | "detokenize">;
  /** Defaults to a SageMakerRuntimeClient with the SDK's own retries off (`withResilience` owns retries). */
  readonly client?: InvokeEndpointClient;
}

/**
 * Builds a SageMaker engine for one endpoint. A configuration with several `endpointNames` is a pool: the registry
 * builds one engine per replica (see `replicaConfigs`).
 *
 * @example
 * const engine = createSagemakerEngine(
 *   { name: "sm", kind: "sagemaker", endpointName: "llama2-lmi", format: "vllm", model: "llama2-7b",
 *     contextSize: 4096, bosToken: 1, tokenizerEngine: "local" },
 *   { tokenizer: await registry.get("local") });
 */
export function createSagemakerEngine(cfg: SagemakerConfig, deps: SagemakerDeps): Engine {
  const parsed = sagemakerConfigSchema.safeParse(cfg);
  if (!parsed.success) {
    throw new ConfigurationError(`invalid SageMaker engine config "${cfg.name}"`, { issues: parsed.error.issues });
  }
  const c = parsed.data;
  if (!deps?.tokenizer) {
    throw new ConfigurationError(`engine "${c.name}": SageMaker endpoints need a tokenizer engine (tokenizerEngine)`);
  }
  const tokenizer = deps.tokenizer;
  const client: InvokeEndpointClient =
    deps.client ?? new SageMakerRuntimeClient({ ...(c.region ? { region: c.region } : {}), maxAttempts: 1 });
  const bos = c.bosToken ?? null;
  const endpointName = soleReplica(c.name, "endpointName", c.endpointName, c.endpointNames);
  const ctx = { engine: c.name, endpoint: `InvokeEndpoint ${endpointName}` };

  async function invoke(body: unknown): Promise<unknown> {
    const input: InvokeEndpointCommandInput = {
      EndpointName: endpointName,
      ContentType: "application/json",
      Accept: "application/json",
      Body: new TextEncoder().encode(JSON.stringify(body)),
      ...(c.inferenceComponentName ? { InferenceComponentName: c.inferenceComponentName } : {}),
    };
    let text: string;
    try {
      const out = await client.send(
        new InvokeEndpointCommand(input),
        c.timeoutMs ? { abortSignal: AbortSignal.timeout(c.timeoutMs) } : {},
      );
      text = out.Body ? new TextDecoder().decode(out.Body) : "";
    } catch (err) {
      throw classifyError(err, ctx);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new EngineError(`${c.name}: ${ctx.endpoint} answered with a body that is not JSON`, {
        retryable: false,
        engine: c.name,
        cause,
      });
    }
  }

  /** The text TGI should see for `tokens`: TGI adds its own BOS, so a leading BOS is left to it. */
  function tgiText(tokens: readonly number[]): Promise<string> {
    return tokenizer.detokenize(bos !== null && tokens[0] === bos ? tokens.slice(1) : tokens);
  }

  async function score(requests: readonly ScoreRequest[]): Promise<ScoreResult[]> {
    if (requests.length === 0) return [];
    if (c.format === "vllm") {
      return parseScoreResponse(await invoke(buildScoreBody(requests, c.model, c.maxTokensZero ?? true)), requests, c.name);
    }
    requests.forEach(assertScoreRequest);
    // TGI takes one prompt per call.
    return Promise.all(
      requests.map(async (r) => parseTgiScoreResponse(await invoke(buildTgiScoreBody(await tgiText(r.tokens))), r, c.name)),
    );
  }

  async function generate(requests: readonly GenerateRequest[]): Promise<GenerateResult[]> {
    // The same rule as the OpenAI-compatible engine: maxTokens 0 is answered without invoking the endpoint, whatever
    // maxTokensZero says (LMI containers on older vLLM reject max_tokens 0; TGI rejects max_new_tokens 0).
    if (c.format === "vllm") return generateByParamGroups(requests, c.model, c.name, invoke);
    return Promise.all(
      requests.map(async (r) =>
        r.params.maxTokens === 0
          ? emptyGeneration()
          : parseTgiGenerateResponse(await invoke(buildTgiGenerateBody(await tgiText(r.prompt), r.params)), c.name),
      ),
    );
  }

  return {
    name: c.name,
    kind: "sagemaker",
    model: c.model,
    contextSize: c.contextSize,
    bosToken: bos,
    capabilities: { promptLogprobs: true, sharedPrefix: false, generate: true, embeddings: false, kvSequences: false, chat: false },
    tokenize: (text, options) => tokenizer.tokenize(text, options),
    detokenize: (tokens) => tokenizer.detokenize(tokens),
    score,
    scoreSuffixes: (request) => scoreSuffixesByFullPrompts({ score }, request),
    generate,
    async embed() {
      throw new CapabilityError(c.name, "embeddings");
    },
    async close() {
      // The companion tokenizer belongs to the registry; the SDK client holds no sockets worth closing here.
    },
  };
}
