import { EngineError } from "../../errors.js";
import { mulberry32 } from "../../random/mulberry32.js";
import {
  scoreSuffixesByFullPrompts,
  type Engine,
  type GenerateRequest,
  type GenerateResult,
  type ScoreRequest,
  type ScoreResult,
  type SuffixScoreRequest,
} from "../engine.js";

/** How a fake engine misbehaves, for fault-injection tests. */
export interface FakeFaults {
  /** Fraction of calls (0..1) that fail with a retryable error, decided by a seeded PRNG. */
  readonly transientFailureRate?: number;
  /** Calls whose request contains this token id fail permanently (a "poison" input). */
  readonly poisonToken?: number;
  /** Calls whose request contains this token id fail with a retryable error, every time (an input that breaks the server). */
  readonly stuckToken?: number;
  readonly seed?: number;
}

const VOCAB = 256;

/**
 * A test double that answers at once with deterministic, made-up numbers: a token's log-prob depends only on it and
 * the two tokens before it, so shared-prefix and full-prompt scoring agree exactly. Used to measure orchestration
 * without an engine's cost and to inject failures. Never a default, never a stand-in in integration tests of engines.
 *
 * @example
 * registry.register(createInstantFakeEngine({ name: "fake", faults: { transientFailureRate: 0.33 } }));
 */
export function createInstantFakeEngine(opts: { name: string; contextSize?: number; faults?: FakeFaults }): Engine & {
  readonly calls: { count: number; failed: number };
} {
  const faults = opts.faults ?? {};
  const random = mulberry32(faults.seed ?? 1);
  const calls = { count: 0, failed: 0 };
  const contextSize = opts.contextSize ?? 4096;

  const maybeFail = (tokens: readonly (readonly number[])[]): void => {
    calls.count++;
    if (faults.poisonToken !== undefined && tokens.some((t) => t.includes(faults.poisonToken!))) {
      calls.failed++;
      throw new EngineError(`fake engine: poison token ${faults.poisonToken}`, { retryable: false, engineStatus: 400, engine: opts.name });
    }
    if (faults.stuckToken !== undefined && tokens.some((t) => t.includes(faults.stuckToken!))) {
      calls.failed++;
      throw new EngineError(`fake engine: stuck token ${faults.stuckToken}`, { retryable: true, engineStatus: 503, engine: opts.name });
    }
    if (faults.transientFailureRate && random() < faults.transientFailureRate) {
      calls.failed++;
      throw new EngineError("fake engine: injected transient failure", { retryable: true, engineStatus: 503, engine: opts.name });
    }
  };

  const logprobAt = (tokens: readonly number[], i: number): number => {
    const a = tokens[i - 2] ?? 7;
    const b = tokens[i - 1] ?? 3;
    const t = tokens[i]!;
    const h = Math.imul(a * 31 + b * 17 + t * 13 + 1, 2654435761) >>> 0;
    return -0.05 - (h % 10_000) / 1000; // in (-10.05, -0.05]
  };

  const score = async (requests: readonly ScoreRequest[]): Promise<ScoreResult[]> => {
    maybeFail(requests.map((r) => r.tokens));
    return requests.map((r) => {
      if (r.tokens.length > contextSize) {
        throw new EngineError(`prompt of ${r.tokens.length} tokens exceeds ${contextSize}`, { retryable: false, engineStatus: 400 });
      }
      const out: number[] = [];
      for (let i = Math.max(1, r.from); i < r.tokens.length; i++) out.push(logprobAt(r.tokens, i));
      return { logprobs: out };
    });
  };

  return {
    name: opts.name,
    kind: "fake",
    model: "instant-fake",
    contextSize,
    bosToken: 1,
    capabilities: { promptLogprobs: true, sharedPrefix: true, generate: true, embeddings: true, kvSequences: false, chat: false },
    calls,
    async tokenize(text, options) {
      const ids = [...new TextEncoder().encode(text)].map((b) => 3 + (b % (VOCAB - 3)));
      return options?.bos ? [1, ...ids] : ids;
    },
    async detokenize(tokens) {
      return String.fromCharCode(...tokens.filter((t) => t >= 3).map((t) => t - 3));
    },
    score,
    scoreSuffixes: (request: SuffixScoreRequest) => scoreSuffixesByFullPrompts({ score }, request),
    async generate(requests: readonly GenerateRequest[]): Promise<GenerateResult[]> {
      maybeFail(requests.map((r) => r.prompt));
      return requests.map((r) => {
        const tokens = Array.from({ length: r.params.maxTokens }, (_, i) => 3 + ((r.prompt.length + i) % 60));
        const all = [...r.prompt, ...tokens];
        return {
          tokens,
          text: String.fromCharCode(...tokens.map((t) => t - 3 + 32)),
          logprobs: tokens.map((_, i) => logprobAt(all, r.prompt.length + i)),
          finishReason: "length" as const,
        };
      });
    },
    async embed(texts) {
      maybeFail([]);
      return texts.map((t) => {
        const v = [0, 0, 0, 0];
        for (let i = 0; i < t.length; i++) v[i % 4]! += t.charCodeAt(i) / 128;
        return v;
      });
    },
    async close() {},
  };
}
