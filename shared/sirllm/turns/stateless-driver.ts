/**
 * The `token` memory level on a stateless engine (vLLM, SGLang, SageMaker, the test engines): every call sends the
 * kept token ids plus what the turn has added, as ids (text is never re-tokenised). Log-probs come from the engine's
 * prompt scoring, argmaxes from its ranks where it reports them, and replies from `generate` (whose log-probs are raw,
 * before temperature). The probability of an arbitrary token id is not available, so the `reference` entropy preset
 * is refused on these engines.
 */
import { ValidationError } from "../../errors.js";
import { hasDetailedLogprobs } from "../../engines/detailed-logprobs.js";
import type { Engine, GenerateParams } from "../../engines/engine.js";
import { keptTokens, type FedToken, type MemoryDriver, type SampledReply, type TurnMemory, type TurnWork } from "./memory-driver.js";

/**
 * A `token`-level driver over any engine that scores prompts and generates.
 *
 * @example
 * const driver = statelessDriver(engine);
 * await driver.turn({ owner: "ss_…", before: memory.tokens, evicted }, (turn) => turn.feed(userTokens));
 */
export function statelessDriver(engine: Engine): MemoryDriver {
  if (!engine.capabilities.promptLogprobs || !engine.capabilities.generate) {
    throw new ValidationError(`engine "${engine.name}" (${engine.kind}) cannot hold a SirLLM session: it needs prompt log-probs and generation`, { engine: engine.name });
  }
  return {
    level: "token",
    engine,
    arbitraryTokenLogprobs: false,
    turn: <T>(memory: TurnMemory, work: (turn: TurnWork) => Promise<T>) => work(new StatelessTurn(engine, keptTokens(memory))),
  };
}

class StatelessTurn implements TurnWork {
  constructor(
    private readonly engine: Engine,
    private readonly memory: number[],
  ) {}

  async feed(tokens: readonly number[]): Promise<FedToken[]> {
    const [scored] = await this.score([tokens]);
    this.memory.push(...tokens);
    return scored!;
  }

  probe(candidates: readonly (readonly number[])[]): Promise<FedToken[][]> {
    return this.score(candidates);
  }

  async generate(params: GenerateParams, onText?: (delta: string) => void): Promise<SampledReply> {
    if (this.memory.length === 0) throw new ValidationError("a reply needs something in memory to follow");
    const [result] = await this.engine.generate([{ prompt: [...this.memory], params }]);
    const tokens = result!.tokens.map((token, i): FedToken => ({ token, logprob: result!.logprobs[i] ?? null, previousLogprob: null, argmax: null }));
    this.memory.push(...result!.tokens);
    if (result!.text !== "") onText?.(result!.text);
    return { tokens, text: result!.text, finishReason: result!.finishReason };
  }

  /** Each candidate scored after working memory; the first token of an empty memory has no log-prob. */
  private async score(candidates: readonly (readonly number[])[]): Promise<FedToken[][]> {
    const requests = candidates.map((c) => ({ tokens: [...this.memory, ...c], from: Math.max(1, this.memory.length) }));
    const scorable = requests.map((r) => r.tokens.length > r.from);
    const asked = requests.filter((_, i) => scorable[i]);
    const engine = this.engine;
    const detailed = hasDetailedLogprobs(engine);
    const results = asked.length === 0
      ? []
      : detailed
        ? (await engine.scoreDetailed(asked, { topK: 1 })).map((r) => r.positions.map((p) => ({ logprob: p.logprob, argmax: p.top[0]?.token ?? null })))
        : (await engine.score(asked)).map((r) => r.logprobs.map((logprob) => ({ logprob, argmax: null as number | null })));
    let next = 0;
    return candidates.map((candidate, i) => {
      const scored = scorable[i] ? results[next++]! : [];
      const offset = candidate.length - scored.length; // 1 when memory is empty (the first token is unpredicted)
      return candidate.map((token, k): FedToken => {
        const s = k >= offset ? scored[k - offset]! : null;
        return { token, logprob: s?.logprob ?? null, previousLogprob: null, argmax: s?.argmax ?? null };
      });
    });
  }
}
