/**
 * The two memory drivers against the numbers their engines give directly: a feed's log-probs are the engine's prompt
 * log-probs on memory + turn, a probe leaves memory as it was, a generated reply is appended, and the `reference`
 * preset's previous-token probability comes from the same logit row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedFile } from "../../../shared/config/shared-files.js";
import { createEmbeddedEngine, type EmbeddedEngine } from "../../../shared/engines/embedded/index.js";
import { createInstantFakeEngine } from "../../../shared/engines/fake/instant-fake-engine.js";
import { memoryDriverFor } from "../../../shared/sirllm/turns/select-driver.js";
import { sequenceDriver } from "../../../shared/sirllm/turns/sequence-driver.js";
import { statelessDriver } from "../../../shared/sirllm/turns/stateless-driver.js";
import type { MemoryDriver } from "../../../shared/sirllm/turns/memory-driver.js";

/**
 * One token's log-prob computed on the same tokens through different evaluation orders (the driver evaluates memory,
 * then the last kept token again, then the turn; `engine.score` evaluates them in one batch). llama.cpp's results
 * depend on batch splits: measured up to 2.6e-3 nats here (AMD EPYC, AVX-512); 1e-2 leaves headroom on other x86-64.
 */
const TOLERANCE = 1e-2;

let engine: EmbeddedEngine;
beforeAll(async () => {
  engine = await createEmbeddedEngine({ name: "local", modelPath: sharedFile("models/stories260K.gguf") });
});
afterAll(() => engine.close());

/**
 * `evict`: remove positions 4–8 before the turn. Only for drivers that recompute kept tokens on their own (`token`):
 * at `kv` the kept tokens keep what they computed with the evicted ones, which is the point of that level.
 */
async function checkDriver(driver: MemoryDriver, score: (tokens: number[], from: number) => Promise<number[]>, evict: boolean) {
  const memory = await engine.tokenize("Once upon a time, there was a little girl named Lily. She liked to play.");
  const evicted = evict ? [{ start: 4, end: 9 }] : [];
  const kept = evict ? [...memory.slice(0, 4), ...memory.slice(9)] : memory;
  const turn = await engine.tokenize(" One day, she saw a big dog.");
  const probes = [await engine.tokenize(" The end."), await engine.tokenize(" Tim ran.")];
  const out = await driver.turn({ owner: "drivers-test", before: memory, evicted }, async (w) => {
    const fed = await w.feed(turn);
    const probed = await w.probe(probes);
    const again = await w.feed(probes[0]!);
    return { fed, probed, again };
  });
  const expected = await score([...kept, ...turn], kept.length);
  out.fed.forEach((f, i) => expect(Math.abs(f.logprob! - expected[i]!)).toBeLessThan(TOLERANCE));
  // A probe is scored after the turn and rolled back: feeding the same tokens afterwards gives the same numbers.
  const probeExpected = await score([...kept, ...turn, ...probes[1]!], kept.length + turn.length);
  out.probed[1]!.forEach((f, i) => expect(Math.abs(f.logprob! - probeExpected[i]!)).toBeLessThan(TOLERANCE));
  out.again.forEach((f, i) => expect(Math.abs(f.logprob! - out.probed[0]![i]!.logprob!)).toBeLessThan(TOLERANCE));
}

describe("memory drivers", () => {
  const embeddedScore = async (tokens: number[], from: number) => (await engine.score([{ tokens, from }]))[0]!.logprobs;

  it.each(["kv", "token"] as const)("should feed and probe on the kept memory (embedded, %s)", async (level) => {
    await checkDriver(sequenceDriver(engine, level), embeddedScore, level === "token");
  });

  it("should feed and probe on the kept memory (stateless, over the embedded engine's plain interface)", async () => {
    await checkDriver(statelessDriver(engine), embeddedScore, true);
  });

  it("should give the previous token's probability from the same row as the token's own (embedded)", async () => {
    const tokens = await engine.tokenize("Tim and Sue went to the park.");
    const fed = await sequenceDriver(engine, "token").turn({ owner: "x", before: [], evicted: [] }, (w) => w.feed(tokens));
    expect(fed[0]).toMatchObject({ logprob: null, previousLogprob: null });
    for (let i = 1; i < tokens.length; i++) {
      const rows = await engine.scoreDetailed([{ tokens: [...tokens.slice(0, i), tokens[i - 1]!], from: i }], { topK: 0 });
      expect(Math.abs(fed[i]!.previousLogprob! - rows[0]!.positions[0]!.logprob)).toBeLessThan(TOLERANCE);
    }
  });

  it("should append a generated reply and report its raw log-probs", async () => {
    const prompt = await engine.tokenize("Once upon a time");
    const reply = await sequenceDriver(engine, "kv").turn({ owner: "gen", before: [], evicted: [] }, async (w) => {
      await w.feed(prompt);
      return w.generate({ maxTokens: 6, temperature: 0 });
    });
    const [direct] = await engine.generate([{ prompt, params: { maxTokens: 6, temperature: 0 } }]);
    expect(reply.tokens.map((t) => t.token)).toEqual(direct!.tokens);
    reply.tokens.forEach((t, i) => expect(Math.abs(t.logprob! - direct!.logprobs[i]!)).toBeLessThan(TOLERANCE));
    expect(reply.text).toBe(direct!.text);
  });

  it("should refuse kv and reference on a stateless engine, and memory past the embedded context", async () => {
    const fake = createInstantFakeEngine({ name: "fake" });
    expect(() => memoryDriverFor(fake, "kv", "paper")).toThrow(/only the embedded engine/);
    expect(() => memoryDriverFor(fake, "token", "reference")).toThrow(/only the embedded engine/);
    const long = Array.from({ length: 512 }, () => 100);
    await expect(sequenceDriver(engine, "token").turn({ owner: "x", before: [], evicted: [] }, (w) => w.feed(long))).rejects.toThrow(/exceeds the 511 tokens/);
  });
});
