/**
 * One SirLLM turn end to end, the same for a chat message, a choice among options and an evaluation's scripted turn:
 * the eviction step (pure, `evictBeforeTurn`), the engine work on the memory it leaves (a {@link MemoryDriver}), the
 * entropies of the turn's tokens (`turnEntropies`), and the new memory (`appendTurn`, which takes the same eviction
 * step, so what is stored is exactly what was computed on). Nothing is stored here: callers commit the returned state.
 */
import type { GenerateParams } from "../../engines/engine.js";
import { ValidationError } from "../../errors.js";
import type { MemorySession } from "../memory/state-codec.js";
import type { MemoryState } from "../memory/memory-state.js";
import { appendTurn, evictBeforeTurn } from "../memory/append-turn.js";
import type { PositionRange } from "../memory/position-ranges.js";
import { chooseOption, type OptionScore } from "../eval/choose-option.js";
import type { ChoiceRule } from "../eval/script-turn.js";
import type { FedToken, MemoryDriver, SampledReply, TurnWork } from "./memory-driver.js";
import { turnEntropies, type EntropyPreset } from "./turn-entropies.js";

/** What every turn reports. */
export interface TurnOutcome {
  /** The memory after the turn (to commit). */
  readonly state: MemoryState;
  /** Positions of the memory before the turn that its eviction step removed. */
  readonly evicted: readonly PositionRange[];
  /** The turn's tokens as they entered memory, and their entropies (undecayed, float32 as stored). */
  readonly tokens: readonly number[];
  readonly entropies: readonly number[];
}

/** A chat turn: the reply too. */
export interface ChatTurnOutcome extends TurnOutcome {
  readonly reply: SampledReply;
  /** Tokens of the user's turn (the templated prompt), the first `promptTokens` of `tokens`. */
  readonly promptTokens: number;
}

/** A choice turn: every option's score and the one chosen. */
export interface ChoiceTurnOutcome extends TurnOutcome {
  readonly scores: readonly OptionScore[];
  readonly chosen: number;
}

/** Who the turn is for. */
export interface TurnTarget {
  readonly driver: MemoryDriver;
  /** The session (or evaluation unit) id: a KV-level driver keeps one live sequence per owner. */
  readonly owner: string;
  readonly session: MemorySession;
  readonly entropy: EntropyPreset;
}

/**
 * Feeds the user's templated prompt and samples a reply; room is made before the turn for the prompt plus
 * `params.maxTokens`, and the prompt, then the reply's tokens, enter memory.
 *
 * @example
 * const out = await runChatTurn({ driver, owner: "ss_…", session, entropy: "paper" }, promptTokens, { maxTokens: 64 });
 */
export async function runChatTurn(
  target: TurnTarget,
  promptTokens: readonly number[],
  params: GenerateParams,
  onText?: (delta: string) => void,
): Promise<ChatTurnOutcome> {
  if (promptTokens.length === 0) throw new ValidationError("the message is empty after tokenization");
  const planned = promptTokens.length + params.maxTokens;
  const { prompt, reply } = await onMemory(target, planned, async (turn) => {
    const prompt = await turn.feed(promptTokens);
    const reply = await turn.generate(params, onText);
    return { prompt, reply };
  });
  const outcome = commitTurn(target, [...prompt, ...reply.tokens], planned);
  return { ...outcome, reply, promptTokens: promptTokens.length };
}

/**
 * Feeds `context`, scores every option's continuation after it (the log-prob of its first token, and whether the
 * greedy tokens there spell it), chooses by `rule`, and feeds the chosen continuation: context and choice enter
 * memory. Room is made for the context plus the longest continuation. `decode` turns greedy tokens into text for
 * the authors' spelling check (spaces removed); without it the check compares token ids.
 *
 * @example
 * const out = await runChoiceTurn(target, contextTokens, [[319], [350]], "logprob");
 * out.chosen; // 0 or 1
 */
export async function runChoiceTurn(
  target: TurnTarget,
  contextTokens: readonly number[],
  continuations: readonly (readonly number[])[],
  rule: ChoiceRule,
  decode?: (tokens: readonly number[]) => Promise<string>,
): Promise<ChoiceTurnOutcome> {
  if (continuations.length === 0) throw new ValidationError("a choice needs at least one option");
  continuations.forEach((c, i) => {
    if (c.length === 0) throw new ValidationError(`option ${i} has no tokens after the context`);
  });
  const planned = contextTokens.length + Math.max(...continuations.map((c) => c.length));
  const { fed, scores, chosen } = await onMemory(target, planned, async (turn) => {
    const context = await turn.feed(contextTokens);
    const probes = await turn.probe(continuations);
    const scores: OptionScore[] = [];
    const spelled = new Map<string, Promise<string>>();
    for (const [i, probe] of probes.entries()) {
      const first = probe[0]!;
      if (first.logprob === null) throw new ValidationError("an option cannot be scored on an empty memory and an empty context");
      scores.push({ logprob: first.logprob, greedyMatch: await greedyMatches(continuations[i]!, probe, decode, spelled) });
    }
    const chosen = chooseOption(rule, scores);
    const answer = await turn.feed(continuations[chosen]!);
    return { fed: [...context, ...answer], scores, chosen };
  });
  return { ...commitTurn(target, fed, planned), scores, chosen };
}

/** The eviction step, then `work` on the memory it leaves. */
function onMemory<T>(target: TurnTarget, planned: number, work: (turn: TurnWork) => Promise<T>): Promise<T> {
  const { settings, state } = target.session;
  const { evicted } = evictBeforeTurn(settings, state, planned);
  return target.driver.turn({ owner: target.owner, before: state.tokens, evicted }, work);
}

function commitTurn(target: TurnTarget, fed: readonly FedToken[], planned: number): TurnOutcome {
  const { settings, state } = target.session;
  const tokens = fed.map((t) => t.token);
  const entropies = turnEntropies(target.entropy, fed);
  const next = appendTurn(settings, state, { tokens, entropies }, { plannedLength: planned });
  return { state: next.state, evicted: next.evicted, tokens, entropies: next.state.entropies.slice(-tokens.length) };
}

/** Whether the greedy tokens at a continuation's positions spell it (spaces removed), as the authors check. */
async function greedyMatches(
  continuation: readonly number[],
  probe: readonly FedToken[],
  decode: ((tokens: readonly number[]) => Promise<string>) | undefined,
  spelled: Map<string, Promise<string>>,
): Promise<boolean> {
  const greedy = probe.map((t) => t.argmax);
  if (greedy.some((t) => t === null)) return false;
  const ids = greedy as number[];
  if (ids.every((t, i) => t === continuation[i])) return true;
  if (!decode) return false;
  const key = (tokens: readonly number[]) => tokens.join(",");
  const text = (tokens: readonly number[]) => {
    const k = key(tokens);
    if (!spelled.has(k)) spelled.set(k, decode(tokens));
    return spelled.get(k)!;
  };
  const strip = (s: string) => s.replace(/ /g, "");
  return strip(await text(ids)) === strip(await text(continuation));
}
