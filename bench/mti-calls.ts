/**
 * Every generation call of the MTI bench, recorded with what it cost — and the engine's KV cache either emptied
 * before each call ("cold": every call evaluates its whole prompt, as a server without prefix caching would, and no
 * call's cost depends on which call ran before it) or left alone ("warm": the embedded engine keeps the longest
 * common prefix of the previous call's tokens, so consecutive prompts that share a demonstration skip it).
 *
 * On this model the prompt, not the output, is most of a call's time (2–6k-token prompts, attention cost growing
 * with their square), so how many prompt tokens a call really evaluated is recorded beside its seconds.
 */
import type { MtiMode } from "../schemas/mti-sweeps.js";
import type { EmbeddedEngine } from "../shared/engines/embedded/index.js";
import type { GenerateRequest, GenerateResult } from "../shared/engines/engine.js";
import type { MtiGenerate } from "../shared/mti/run/engine-call.js";

export type KvCachePolicy = "cold" | "warm";

/** One generation call. */
export interface MtiCallRecord {
  readonly task: string;
  readonly mode: MtiMode;
  /** The unit's instance uid, or `"k0,k1"` for a Batch Prompting pair. */
  readonly unit: string;
  /** 1-based call number within the unit (the step for chained modes). */
  readonly call: number;
  readonly promptTokens: number;
  /**
   * Leading prompt tokens the engine found in its KV cache and did not evaluate again (always 0 when cold). Computed
   * from the tokens the sequence holds after the previous call, by the rule `LogitsSequence.rows` follows.
   */
  readonly reusedTokens: number;
  readonly outputTokens: number;
  readonly seconds: number;
  /** The context left less room than maxTokens. */
  readonly capped: boolean;
}

interface UnitLabel {
  readonly task: string;
  readonly mode: MtiMode;
  readonly unit: string;
}

/**
 * Records calls made through {@link MtiCallLog.generator} and applies the KV-cache policy.
 *
 * @example
 * const log = new MtiCallLog(engine, "cold");
 * const generate = log.generator(engineGenerate(engine, decoding));
 * log.startUnit({ task: "001", mode: "multi", unit: "001_384" });
 * await runMtiUnit(work, generate, settings);
 * log.close();
 */
export class MtiCallLog {
  readonly calls: MtiCallRecord[] = [];
  /** The tokens the engine's sequence holds after the last call. */
  private held: readonly number[] = [];
  private lastReused = 0;
  private label: UnitLabel | null = null;
  private callInUnit = 0;
  private readonly restore: () => void;

  constructor(
    private readonly engine: EmbeddedEngine,
    readonly policy: KvCachePolicy,
  ) {
    // An own property shadows the class's method (as bench/nuggets-engine-meter.ts does); behaviour is unchanged.
    const target = engine as unknown as Record<string, unknown>;
    const original = engine.generate.bind(engine);
    target.generate = async (requests: readonly GenerateRequest[]): Promise<GenerateResult[]> => {
      let results: GenerateResult[];
      try {
        results = await original(requests);
      } catch (error) {
        // A failed call leaves the engine with an empty cache (its `run` clears the sequence on failure).
        this.held = [];
        throw error;
      }
      requests.forEach((r, i) => this.track(r.prompt, results[i]?.tokens ?? []));
      return results;
    };
    this.restore = () => void delete target.generate;
  }

  /** Labels the calls that follow until the next `startUnit`. */
  startUnit(label: UnitLabel): void {
    this.label = label;
    this.callInUnit = 0;
  }

  /** `inner` with the cache policy applied and every call recorded under the current unit's label. */
  generator(inner: MtiGenerate): MtiGenerate {
    return async (prompt, seed) => {
      if (this.policy === "cold") await this.clear();
      const r = await inner(prompt, seed);
      if (this.label === null) throw new Error("a call outside any unit: call startUnit first");
      this.calls.push({
        ...this.label,
        call: ++this.callInUnit,
        promptTokens: r.promptTokens,
        reusedTokens: this.lastReused,
        outputTokens: r.outputTokens,
        seconds: r.seconds,
        capped: r.capped,
      });
      return r;
    };
  }

  /** Empties the engine's KV cache (outside any timed interval: `engineGenerate` times the generate request only). */
  async clear(): Promise<void> {
    await this.engine.withSequence(async ({ sequence }) => {
      await sequence.clearHistory();
    });
    this.held = [];
  }

  /** Removes the recording wrapper from the engine. */
  close(): void {
    this.restore();
  }

  private track(prompt: readonly number[], output: readonly number[]): void {
    let common = 0;
    while (common < prompt.length && common < this.held.length && prompt[common] === this.held[common]) common++;
    // The logits of the prompt's last token are needed, so at least that token is evaluated.
    this.lastReused = Math.min(common, prompt.length - 1);
    // Generation pushes every sampled token but the last (the loop stops before evaluating it).
    this.held = [...prompt, ...output.slice(0, -1)];
  }
}
