/**
 * One unit's script walked under one memory policy (`runEvalUnit`): on a scripted driver (what is chosen, scored, and
 * what a failure becomes) and on the embedded engine (stories260K: tokenization as the authors do it, evictions,
 * refusals, determinism).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SirllmUnitOutcomeSchema } from "../../../schemas/sirllm-eval.js";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { createEmbeddedEngine, type EmbeddedEngine } from "../../../shared/engines/embedded/index.js";
import type { Engine } from "../../../shared/engines/engine.js";
import { EngineError } from "../../../shared/errors.js";
import { generateRpsPlayers, generatedRpsUnits } from "../../../shared/sirllm/eval/rps-players.js";
import { rpsScript } from "../../../shared/sirllm/eval/rps-script.js";
import { runEvalUnit, TurnTokenizer, unitFailure } from "../../../shared/sirllm/eval/run-eval-unit.js";
import type { UnitScript } from "../../../shared/sirllm/eval/script-turn.js";
import { letterOptions, vicunaContext } from "../../../shared/sirllm/eval/vicuna-turn.js";
import type { FedToken, MemoryDriver, TurnWork } from "../../../shared/sirllm/turns/memory-driver.js";
import { memoryDriverFor } from "../../../shared/sirllm/turns/select-driver.js";

/** Characters as token ids (no BOS), so tests can reason about lengths. */
const charEngine = { name: "chars", kind: "fake", tokenize: async (t: string) => [...t].map((c) => c.charCodeAt(0)), detokenize: async (ids: readonly number[]) => String.fromCharCode(...ids) } as unknown as Engine;

/**
 * A driver that plays a script: at turn t (counted over the driver's life) the option `picks[t]` gets the best first-
 * token log-prob; `fail` may throw instead at a turn.
 */
function scriptedDriver(picks: readonly number[], fail?: (turn: number) => Error | null): MemoryDriver & { turns: number; owners: string[] } {
  const driver = {
    level: "token" as const,
    engine: charEngine,
    arbitraryTokenLogprobs: false,
    turns: 0,
    owners: [] as string[],
    async turn<T>(memory: { owner: string }, work: (turn: TurnWork) => Promise<T>): Promise<T> {
      const t = driver.turns++;
      driver.owners.push(memory.owner);
      const error = fail?.(t);
      if (error) throw error;
      const fed = (tokens: readonly number[]): FedToken[] => tokens.map((token) => ({ token, logprob: -1, previousLogprob: null, argmax: null }));
      return work({
        feed: async (tokens) => fed(tokens),
        probe: async (candidates) => candidates.map((c, i) => c.map((token) => ({ token, logprob: i === picks[t] ? -0.1 : -3, previousLogprob: null, argmax: null }))),
        generate: async () => {
          throw new Error("not used");
        },
      });
    },
  };
  return driver;
}

/** A three-turn DailyDialog-like script whose right answers are A, C, B. */
const script: UnitScript = {
  task: "dailydialog",
  unit: "7",
  template: "vicuna",
  turns: [0, 2, 1].map((answer, i) => ({
    id: `7_${i}`,
    line: i + 1,
    userText: `question ${i}`,
    context: vicunaContext(`question ${i}`),
    options: letterOptions(["A", "B", "C", "D"]),
    rule: "greedy-match-then-logprob" as const,
    scoring: { metric: "dailydialog" as const, answer },
  })),
};

const settings = { cacheSize: 64, sinks: 4, decay: 0.7, seed: 0 };

describe("runEvalUnit on a scripted driver", () => {
  it("should feed every turn from empty memory, choose by log-prob and score the choices", async () => {
    const driver = scriptedDriver([0, 1, 1]);
    const { outcome, work } = await runEvalUnit(script, "streaming", { driver, entropy: "paper", settings, owner: "eval:t:7:streaming" });
    expect(SirllmUnitOutcomeSchema.parse(outcome)).toEqual({
      version: 1,
      task: "dailydialog",
      unit: "7",
      policy: "streaming",
      result: { status: "ok", accuracy: { correct: 2, total: 3 } },
    });
    expect(driver.owners).toEqual(["eval:t:7:streaming", "eval:t:7:streaming", "eval:t:7:streaming"]);
    // Each turn: "USER: question i\n\nASSISTANT:" (28 characters) and its answer " X" (2): 30 tokens into memory;
    // the cache of 64 holds two turns, so the third evicts.
    expect(work).toEqual({ turns: 3, tokens: 90, evictions: 1, evictedTokens: 26 });
  });

  it("should make a refused turn, a non-retryable engine error or any 4xx a failed unit naming the turn", async () => {
    const tiny = await runEvalUnit(script, "full", { driver: scriptedDriver([0, 0, 0]), entropy: "paper", settings: { ...settings, cacheSize: 40 }, owner: "o" });
    expect(tiny.outcome.result).toEqual({ status: "failed", reason: expect.stringMatching(/^turn 2 of 3 \(id 7_1\): turn 1 \(30 tokens\) would overflow the context/) });
    expect(tiny.work.turns).toBe(1);

    const refused = scriptedDriver([0, 0, 0], (t) => (t === 2 ? new EngineError("prompt too long", { retryable: false, engineStatus: 400 }) : null));
    const out = await runEvalUnit(script, "sirllm", { driver: refused, entropy: "paper", settings, owner: "o" });
    expect(out.outcome).toMatchObject({ policy: "sirllm", result: { status: "failed", reason: "turn 3 of 3 (id 7_2): prompt too long" } });
  });

  it("should let an error a retry may fix propagate", async () => {
    const flaky = scriptedDriver([0, 0, 0], (t) => (t === 1 ? new EngineError("503", { retryable: true, engineStatus: 503 }) : null));
    await expect(runEvalUnit(script, "sirllm", { driver: flaky, entropy: "paper", settings, owner: "o" })).rejects.toThrow("503");
    const broken = scriptedDriver([0, 0, 0], () => new Error("socket hang up"));
    await expect(runEvalUnit(script, "sirllm", { driver: broken, entropy: "paper", settings, owner: "o" })).rejects.toThrow("socket hang up");
    expect(unitFailure(new EngineError("x", { retryable: true }))).toBeNull();
    expect(unitFailure(new TypeError("x"))).toBeNull();
  });

  it("should refuse an option that leaves no tokens after its context", async () => {
    // A tokenizer that drops everything after "ASSISTANT:" leaves the continuation empty.
    const engine = { ...charEngine, tokenize: async (t: string) => [...t.slice(0, t.indexOf("ASSISTANT:") + 10)].map((c) => c.charCodeAt(0)) } as Engine;
    const driver = { ...scriptedDriver([0, 0, 0]), engine };
    const { outcome } = await runEvalUnit(script, "sirllm", { driver, entropy: "paper", settings, owner: "o" });
    expect(outcome.result).toEqual({ status: "failed", reason: "turn 1 of 3 (id 7_0): option A of turn 7_0 leaves no tokens after the context" });
  });
});

describe("runEvalUnit on the embedded engine", () => {
  let engine: EmbeddedEngine;
  beforeAll(async () => {
    engine = await createEmbeddedEngine({ name: "local", modelPath: sharedFile("models/stories260K.gguf"), threads: 1 });
  });
  afterAll(async () => engine?.close());

  const [player] = generatedRpsUnits(generateRpsPlayers({ count: 1, seed: 3, rounds: 8 }));
  const rps = rpsScript(player!);
  const rpsSettings = { cacheSize: 300, sinks: 4, decay: 0.9, seed: 0 };

  it("should tokenize a turn as the authors do: the context alone without BOS, an option as the rest of context + option", async () => {
    const turn = rps.turns[0]!;
    const { context, continuations } = await new TurnTokenizer(engine).turn(turn);
    expect(context).toEqual(await engine.tokenize(turn.context));
    expect(context[0]).not.toBe(engine.bosToken);
    for (const [i, c] of continuations.entries()) {
      // (Detokenized alone, a leading space is dropped; the authors' spelling check removes spaces anyway.)
      expect((await engine.detokenize(c)).trim()).toBe(turn.options[i]!.label);
      expect([...context, ...c]).toEqual(await engine.tokenize(turn.context + turn.options[i]!.continuation));
    }
  });

  it("should play a player's rounds at the kv level with evictions, the same way every time", async () => {
    const driver = memoryDriverFor(engine, "kv", "paper");
    const run = () => runEvalUnit(rps, "sirllm", { driver, entropy: "paper", settings: rpsSettings, owner: "eval:test:p:sirllm" });
    const first = await run();
    expect(first.outcome.result).toEqual({ status: "ok", rounds: expect.stringMatching(/^[WTL]{8}$/) });
    expect(first.work.turns).toBe(8);
    expect(first.work.evictions).toBeGreaterThan(3);
    expect(first.work.tokens).toBeGreaterThan(8 * 80);
    expect(await run()).toEqual(first);
  });

  it("should choose the same under every policy while nothing has been evicted", async () => {
    const driver = memoryDriverFor(engine, "kv", "paper");
    const short = { ...rps, turns: rps.turns.slice(0, 3) };
    const big = { ...rpsSettings, cacheSize: 512 };
    const sirllm = await runEvalUnit(short, "sirllm", { driver, entropy: "paper", settings: big, owner: "a" });
    const streaming = await runEvalUnit(short, "streaming", { driver, entropy: "paper", settings: big, owner: "b" });
    expect(sirllm.work.evictions).toBe(0);
    expect(streaming.outcome.result).toEqual(sirllm.outcome.result);
  });

  it("should make a turn larger than the cache a failed unit", async () => {
    const driver = memoryDriverFor(engine, "token", "paper");
    const { outcome, work } = await runEvalUnit(rps, "streaming", { driver, entropy: "paper", settings: { ...rpsSettings, cacheSize: 64 }, owner: "o" });
    expect(outcome.result).toEqual({ status: "failed", reason: expect.stringMatching(/^turn 1 of 8 \(id 0\): turn 0 \(\d+ tokens\) cannot fit even after eviction/) });
    expect(work.turns).toBe(0);
  });
});
