/**
 * One unit's script (a dialogue, an episode, a player) walked under one memory policy on an engine: memory starts
 * empty, every turn is one `runChoiceTurn` (eviction step, context fed, each option probed, the choice fed), and the
 * choices are scored into the outcome the tables count. Nothing is stored; the only I/O is the engine's.
 *
 * Tokenization as the authors do it (`script-turn.ts`): each turn's context on its own, no BOS, no special tokens;
 * an option's tokens are those of `context + continuation` past the context's own tokens.
 *
 * A unit that cannot be completed — a turn memory refuses, an engine error no retry can fix, any other 4xx (an option
 * with no tokens, a memory larger than the engine's context) — becomes a `failed` outcome naming the turn; an error a
 * retry may fix (a retryable engine error, anything unexpected) propagates, so the job kernel retries the unit.
 */
import type { SirllmUnitOutcome } from "../../../schemas/sirllm-eval.js";
import type { MemoryPolicyName, MemoryPolicySettings } from "../../../schemas/sirllm-memory.js";
import type { Engine } from "../../engines/engine.js";
import { AssayError, EngineError, ValidationError } from "../../errors.js";
import { emptyMemoryState, type MemoryState } from "../memory/memory-state.js";
import type { MemoryDriver } from "../turns/memory-driver.js";
import { runChoiceTurn } from "../turns/run-turn.js";
import type { EntropyPreset } from "../turns/turn-entropies.js";
import { failedUnit, scoreUnit } from "./score-unit.js";
import type { ScriptTurn, UnitScript } from "./script-turn.js";

/** The memory settings of a unit, less the policy (which the unit is run under). */
export type EvalMemorySettings = Omit<MemoryPolicySettings, "policy">;

/** How to run a unit. */
export interface EvalUnitOptions {
  readonly driver: MemoryDriver;
  readonly entropy: EntropyPreset;
  readonly settings: EvalMemorySettings;
  /** The unit's session id for the driver: unique per (run, unit, policy), so a KV-level driver keeps it resident. */
  readonly owner: string;
}

/** Engine work of a unit. */
export interface EvalUnitWork {
  /** Turns played. */
  readonly turns: number;
  /** Tokens that entered memory (contexts and chosen answers). */
  readonly tokens: number;
  /** Eviction steps, and the tokens they evicted. */
  readonly evictions: number;
  readonly evictedTokens: number;
}

/** A unit's outcome and what it cost. */
export interface EvalUnitResult {
  readonly outcome: SirllmUnitOutcome;
  readonly work: EvalUnitWork;
}

/**
 * Runs `script` under `policy`.
 *
 * @example
 * const driver = memoryDriverFor(engine, "kv", "paper");
 * const { outcome } = await runEvalUnit(rpsScript(unit), "sirllm", { driver, entropy: "paper", settings: { cacheSize: 512, sinks: 4, decay: 0.9, seed: 0 }, owner: "eval:p0:sirllm" });
 */
export async function runEvalUnit(script: UnitScript, policy: MemoryPolicyName, options: EvalUnitOptions): Promise<EvalUnitResult> {
  const engine = options.driver.engine;
  const settings: MemoryPolicySettings = { policy, ...options.settings };
  const tokenizer = new TurnTokenizer(engine);
  const decode = (ids: readonly number[]) => engine.detokenize(ids);
  let state: MemoryState = emptyMemoryState();
  let tokens = 0;
  const chosen: number[] = [];
  const work = (): EvalUnitWork => ({ turns: chosen.length, tokens, evictions: state.evictions, evictedTokens: state.tokenCount - state.tokens.length });
  for (const [i, turn] of script.turns.entries()) {
    try {
      const { context, continuations } = await tokenizer.turn(turn);
      const target = { driver: options.driver, owner: options.owner, session: { settings, state }, entropy: options.entropy };
      const out = await runChoiceTurn(target, context, continuations, turn.rule, decode);
      state = out.state;
      tokens += out.tokens.length;
      chosen.push(out.chosen);
    } catch (error) {
      const reason = unitFailure(error);
      if (reason === null) throw error;
      return { outcome: failedUnit(script, policy, `turn ${i + 1} of ${script.turns.length} (id ${turn.id}): ${reason}`), work: work() };
    }
  }
  return { outcome: scoreUnit(script, policy, chosen), work: work() };
}

/** The reason a unit failed for good, or null for an error a retry may fix. */
export function unitFailure(error: unknown): string | null {
  if (error instanceof EngineError) return error.retryable ? null : error.message;
  if (error instanceof AssayError && error.status < 500) return error.message;
  return null;
}

/** A turn as token ids. */
export interface TokenizedTurn {
  readonly context: readonly number[];
  /** One per option, in order. */
  readonly continuations: readonly (readonly number[])[];
}

/**
 * Tokenizes turns as the authors do, remembering each distinct context (an RPS player's 2,000 rounds have four).
 *
 * @example
 * await new TurnTokenizer(engine).turn(turn); // { context: [...], continuations: [[410, 447], …] }
 */
export class TurnTokenizer {
  private readonly seen = new Map<string, Promise<TokenizedTurn>>();

  constructor(private readonly engine: Pick<Engine, "tokenize">) {}

  turn(turn: Pick<ScriptTurn, "context" | "options" | "id">): Promise<TokenizedTurn> {
    const key = JSON.stringify([turn.context, turn.options.map((o) => o.continuation)]);
    let tokenized = this.seen.get(key);
    if (!tokenized) {
      tokenized = this.tokenize(turn);
      this.seen.set(key, tokenized);
      // A failed tokenization is not remembered: a later turn asks again.
      tokenized.catch(() => this.seen.delete(key));
    }
    return tokenized;
  }

  private async tokenize(turn: Pick<ScriptTurn, "context" | "options" | "id">): Promise<TokenizedTurn> {
    const context = await this.engine.tokenize(turn.context);
    const continuations = await Promise.all(
      turn.options.map(async (option) => {
        // The pair is tokenized whole and cut at the context's length; when the context's tokens are not a prefix of
        // the pair's (a merge across the boundary), the cut is taken all the same, as the authors' `_encode_pair` does.
        const whole = await this.engine.tokenize(turn.context + option.continuation);
        const tokens = whole.slice(context.length);
        if (tokens.length === 0) throw new ValidationError(`option ${option.label} of turn ${turn.id} leaves no tokens after the context`);
        return tokens;
      }),
    );
    return { context, continuations };
  }
}
