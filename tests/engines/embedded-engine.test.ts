import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedFile } from "../../shared/config/shared-files.js";
import { createEmbeddedEngine, type EmbeddedEngine } from "../../shared/engines/embedded/index.js";
import { logSoftmaxAt } from "../../shared/engines/engine.js";
import { EngineError, ValidationError } from "../../shared/errors.js";

// Out of TinyStories' domain, so the 260K model is often wrong: the interesting case for log-probs.
const OFF_DOMAIN = "The stock market crashed because quantum physics dislikes bananas.";
const STORY = "Once upon a time, there was a little girl named Lily. She loved to play";

/** Generated log-probs vs teacher-forced ones: llama.cpp's float32 results depend on batch shape (seen: 5e-4). */
const GEN_TOLERANCE = 2e-3;

let engine: EmbeddedEngine;

beforeAll(async () => {
  engine = await createEmbeddedEngine({ name: "test", modelPath: sharedFile("models/stories260K.gguf") });
});
afterAll(async () => {
  await engine?.close();
});

/** Evaluates `tokens` on a cleared sequence and returns the full logit row after each token, indexed by token id. */
async function rawLogitRows(sequence: LlamaContextSequence, tokens: number[], vocab: number): Promise<number[][]> {
  await sequence.clearHistory();
  const out = await sequence.controlledEvaluate(tokens.map((t) => [t as Token, { generateNext: { logits: true } }]));
  return out.map((r) => {
    const row = new Array<number>(vocab).fill(-Infinity);
    for (const [t, v] of r!.next.logits!) row[t] = v;
    return row;
  });
}

describe("embedded engine: scoring", () => {
  it("should equal an independent float64 log-softmax over the full logits where the model is often wrong", async () => {
    const tokens = await engine.tokenize(OFF_DOMAIN, { bos: true });
    const [scored] = await engine.score([{ tokens, from: 1 }]);
    const rows = await engine.withSequence(({ sequence: seq }) => rawLogitRows(seq, tokens, 512));
    let wrong = 0;
    for (let i = 1; i < tokens.length; i++) {
      const row = rows[i - 1]!;
      const argmax = row.indexOf(Math.max(...row));
      if (argmax !== tokens[i]) wrong++;
      expect(Math.abs(scored!.logprobs[i - 1]! - logSoftmaxAt(row, tokens[i]!))).toBeLessThan(1e-4);
    }
    expect(scored!.logprobs).toHaveLength(tokens.length - 1);
    // The test only means something if the target is often not the most likely token.
    expect(wrong / (tokens.length - 1)).toBeGreaterThan(0.4);
  });

  it("should show that the filtered-logits shortcut gives wrong log-probs (why the engine uses full rows)", async () => {
    const tokens = await engine.tokenize(OFF_DOMAIN, { bos: true });
    const [scored] = await engine.score([{ tokens, from: 1 }]);
    const shortcut = await engine.withSequence(async ({ sequence: seq }) => {
      await seq.clearHistory();
      const out = await seq.controlledEvaluate(
        tokens.slice(0, -1).map((t, i) => [
          t as Token,
          {
            generateNext: {
              logits: { filter: { tokens: [tokens[i + 1]! as Token], includeMax: true } },
              totalLogitWeight: true,
            },
          },
        ]),
      );
      return out.map((r, i) => {
        const logits = r!.next.logits!;
        const max = Math.max(...logits.values());
        return logits.get(tokens[i + 1]! as Token)! - max - Math.log(r!.next.totalLogitWeight!);
      });
    });
    const errors = shortcut.map((lp, i) => Math.abs(lp - scored!.logprobs[i]!));
    // node-llama-cpp 3.22.1 omits the max logit despite includeMax, so the shortcut is off by nats.
    expect(Math.max(...errors)).toBeGreaterThan(1);
  });

  it("should score from a later position as the tail of scoring from 1", async () => {
    const tokens = await engine.tokenize(STORY, { bos: true });
    const [all, tail, none] = await engine.score([
      { tokens, from: 1 },
      { tokens, from: 6 },
      { tokens, from: tokens.length },
    ]);
    expect(tail!.logprobs).toHaveLength(tokens.length - 6);
    tail!.logprobs.forEach((lp, k) => expect(lp).toBeCloseTo(all!.logprobs[5 + k]!, 4));
    expect(none!.logprobs).toEqual([]);
  });

  it("should give scoreSuffixes the same log-probs as scoring each full prompt from scratch", async () => {
    const prefix = await engine.tokenize("Once upon a time, there was a", { bos: true });
    const suffixes = [
      { tokens: await engine.tokenize(" little girl named Lily."), from: 0 },
      { tokens: await engine.tokenize(" big dog who liked bananas."), from: 2 },
      { tokens: await engine.tokenize(" quantum stock market."), from: 0 },
      { tokens: await engine.tokenize(" cat."), from: 2 },
    ];
    const viaPrefix = await engine.scoreSuffixes({ prefix, suffixes });
    // Disturb the cache in between, then check again from a cold start.
    await engine.score([{ tokens: await engine.tokenize(OFF_DOMAIN, { bos: true }), from: 3 }]);
    const again = await engine.scoreSuffixes({ prefix, suffixes });
    for (const [i, s] of suffixes.entries()) {
      const tokens = [...prefix, ...s.tokens];
      await engine.withSequence(({ sequence: seq }) => seq.clearHistory());
      const [scratch] = await engine.score([{ tokens, from: prefix.length + s.from }]);
      expect(viaPrefix[i]!.logprobs).toHaveLength(s.tokens.length - s.from);
      for (const [k, lp] of scratch!.logprobs.entries()) {
        expect(Math.abs(viaPrefix[i]!.logprobs[k]! - lp)).toBeLessThan(1e-4);
        expect(Math.abs(again[i]!.logprobs[k]! - lp)).toBeLessThan(1e-4);
      }
    }
  });

  it("should evaluate the shared prefix once in scoreSuffixes", async () => {
    const prefix = await engine.tokenize("Once upon a time, there was a little girl", { bos: true });
    const suffixes = [
      { tokens: await engine.tokenize(" named Lily."), from: 0 },
      { tokens: await engine.tokenize(" who liked cats."), from: 1 },
      { tokens: await engine.tokenize(" named Lily too."), from: 0 },
    ];
    // Count the tokens llama.cpp evaluates by wrapping the engine's own sequence for the duration of one call.
    let evaluated = 0;
    const restore = await engine.withSequence(async ({ sequence: seq }) => {
      await seq.clearHistory();
      const original = seq.controlledEvaluate.bind(seq);
      seq.controlledEvaluate = ((input, options) => {
        evaluated += input.length;
        return original(input, options);
      }) as typeof seq.controlledEvaluate;
      return () => void (seq.controlledEvaluate = original);
    });
    try {
      await engine.scoreSuffixes({ prefix, suffixes });
    } finally {
      restore();
    }
    expect(evaluated).toBe(prefix.length + suffixes.reduce((n, s) => n + s.tokens.length, 0));
  });

  it("should score differently with and without BOS", async () => {
    const plain = await engine.tokenize(STORY);
    const withBos = await engine.tokenize(STORY, { bos: true });
    expect(withBos).toEqual([engine.bosToken, ...plain]);
    const [a, b] = await engine.score([
      { tokens: plain, from: 1 },
      { tokens: withBos, from: 2 },
    ]);
    expect(a!.logprobs).toHaveLength(b!.logprobs.length);
    const maxDiff = Math.max(...a!.logprobs.map((lp, i) => Math.abs(lp - b!.logprobs[i]!)));
    expect(maxDiff).toBeGreaterThan(0.01);
  });

  it("should reject an over-long prompt, a bad token id and a bad `from` with ValidationError", async () => {
    const long = Array.from({ length: engine.contextSize + 1 }, () => 300);
    await expect(engine.score([{ tokens: long, from: 1 }])).rejects.toBeInstanceOf(ValidationError);
    await expect(engine.generate([{ prompt: long, params: { maxTokens: 1 } }])).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(engine.score([{ tokens: [1, 512], from: 1 }])).rejects.toBeInstanceOf(ValidationError);
    await expect(engine.detokenize([9999])).rejects.toBeInstanceOf(ValidationError);
    await expect(engine.scoreSuffixes({ prefix: long, suffixes: [{ tokens: [300], from: 0 }] })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(engine.embed([""])).rejects.toBeInstanceOf(ValidationError);
    await expect(engine.score([{ tokens: [1, 300], from: 0 }])).rejects.toBeInstanceOf(ValidationError);
    // The engine still works afterwards.
    const [ok] = await engine.score([{ tokens: [1, 403, 407], from: 1 }]);
    expect(ok!.logprobs).toHaveLength(2);
  });

  it("should serve concurrent calls one at a time with the same results as serial calls", async () => {
    const a = await engine.tokenize(STORY, { bos: true });
    const b = await engine.tokenize(OFF_DOMAIN, { bos: true });
    const serialA = await engine.score([{ tokens: a, from: 1 }]);
    const serialGen = await engine.generate([{ prompt: b, params: { maxTokens: 8 } }]);
    const serialB = await engine.score([{ tokens: b, from: 2 }]);
    const [ca, cg, cb] = await Promise.all([
      engine.score([{ tokens: a, from: 1 }]),
      engine.generate([{ prompt: b, params: { maxTokens: 8 } }]),
      engine.score([{ tokens: b, from: 2 }]),
    ]);
    expect(ca).toEqual(serialA);
    expect(cg).toEqual(serialGen);
    expect(cb).toEqual(serialB);
  });
});

describe("embedded engine: generation", () => {
  it("should decode greedily and deterministically, with log-probs matching teacher-forced scores", async () => {
    const prompt = await engine.tokenize("Once upon a time", { bos: true });
    const [g1] = await engine.generate([{ prompt, params: { maxTokens: 12 } }]);
    const [g2] = await engine.generate([{ prompt, params: { maxTokens: 12, temperature: 0 } }]);
    expect(g2!.tokens).toEqual(g1!.tokens);
    expect(g2!.text).toBe(g1!.text);
    expect(g1!.tokens).toHaveLength(12);
    expect(g1!.finishReason).toBe("length");
    expect(g1!.text.trimStart()).toBe(await engine.detokenize(g1!.tokens));
    const [scored] = await engine.score([{ tokens: [...prompt, ...g1!.tokens], from: prompt.length }]);
    // Token-at-a-time decoding and batched teacher forcing round float32 differently inside llama.cpp.
    scored!.logprobs.forEach((lp, i) => expect(Math.abs(lp - g1!.logprobs[i]!)).toBeLessThan(GEN_TOLERANCE));
    g2!.logprobs.forEach((lp, i) => expect(Math.abs(lp - g1!.logprobs[i]!)).toBeLessThan(GEN_TOLERANCE));
  });

  it("should reproduce seeded samples and vary across seeds", async () => {
    const prompt = await engine.tokenize("Once upon a time", { bos: true });
    const params = { maxTokens: 16, temperature: 1.2, topP: 0.95 };
    const [a] = await engine.generate([{ prompt, params: { ...params, seed: 7 } }]);
    const [b] = await engine.generate([{ prompt, params: { ...params, seed: 7 } }]);
    expect(b).toEqual(a);
    const others = await engine.generate(
      [1, 2, 3].map((seed) => ({ prompt, params: { ...params, seed } })),
    );
    expect(others.some((o) => o.text !== a!.text)).toBe(true);
    // Log-probs are of the model's own distribution, before temperature.
    const [scored] = await engine.score([{ tokens: [...prompt, ...a!.tokens], from: prompt.length }]);
    scored!.logprobs.forEach((lp, i) => expect(Math.abs(lp - a!.logprobs[i]!)).toBeLessThan(GEN_TOLERANCE));
  });

  it("should generate nothing for maxTokens 0", async () => {
    const prompt = await engine.tokenize("Once upon a time", { bos: true });
    const [g] = await engine.generate([{ prompt, params: { maxTokens: 0 } }]);
    expect(g).toEqual({ tokens: [], text: "", logprobs: [], finishReason: "length" });
  });

  it("should cut the text before a stop string and finish with 'stop'", async () => {
    const prompt = await engine.tokenize("Once upon a time", { bos: true });
    const [free] = await engine.generate([{ prompt, params: { maxTokens: 24 } }]);
    const stop = free!.text.slice(12, 16);
    const expected = free!.text.slice(0, free!.text.indexOf(stop));
    const [cut] = await engine.generate([{ prompt, params: { maxTokens: 24, stop: ["never-appears", stop] } }]);
    expect(cut!.finishReason).toBe("stop");
    expect(cut!.text).toBe(expected);
    expect(cut!.tokens.length).toBeLessThan(free!.tokens.length);
    expect(cut!.tokens).toEqual(free!.tokens.slice(0, cut!.tokens.length));
  });
  // EOS stopping is not exercised: stories260K (llama2.c) separates stories with BOS and gives EOS p < 1e-10.
});

describe("embedded engine: tokens and embeddings", () => {
  it("should round-trip text and not parse special tokens from text", async () => {
    const tokens = await engine.tokenize(STORY);
    expect(await engine.detokenize(tokens)).toBe(STORY);
    expect(await engine.detokenize([engine.bosToken!, ...tokens])).toBe(STORY);
    expect(await engine.tokenize("<s>")).not.toContain(engine.bosToken);
    expect(await engine.tokenize("")).toEqual([]);
  });

  it("should embed texts as fixed-size vectors that are deterministic and distinguish texts", async () => {
    const [a, b, a2] = await engine.embed(["Once upon a time", "The stock market crashed", "Once upon a time"]);
    expect(a).toHaveLength(64);
    expect(a2).toEqual(a);
    expect(b).not.toEqual(a);
    expect(a!.every(Number.isFinite)).toBe(true);
  });

  it("should declare its capabilities and context", () => {
    expect(engine.kind).toBe("embedded");
    expect(engine.contextSize).toBe(512);
    expect(engine.bosToken).toBe(1);
    expect(engine.capabilities).toEqual({
      promptLogprobs: true,
      sharedPrefix: true,
      generate: true,
      embeddings: true,
      kvSequences: true,
      chat: false,
    });
  });
});

describe("embedded engine: lifecycle", () => {
  it("should refuse calls after close with a non-retryable EngineError", async () => {
    const other = await createEmbeddedEngine({ name: "closing", modelPath: sharedFile("models/stories260K.gguf") });
    await other.close();
    const error = await other.score([{ tokens: [1, 403], from: 1 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).retryable).toBe(false);
  });
});
