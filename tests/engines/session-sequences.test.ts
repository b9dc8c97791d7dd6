/**
 * The embedded engine's sequences kept for SirLLM sessions: a session keeps its own KV cache across other work and
 * other sessions (up to `sessionSequences` of them), and the least recently used one is handed over when they run out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedFile } from "../../shared/config/shared-files.js";
import { createEmbeddedEngine, type EmbeddedEngine } from "../../shared/engines/embedded/index.js";

let engine: EmbeddedEngine;
beforeAll(async () => {
  engine = await createEmbeddedEngine({ name: "local", modelPath: sharedFile("models/stories260K.gguf"), sessionSequences: 2 });
});
afterAll(() => engine.close());

/** Puts `text`'s tokens in the owner's sequence and says whether it was resident. */
const visit = (owner: string, text: string) =>
  engine.withSequence(
    async (a) => {
      const tokens = await engine.tokenize(text);
      const held = [...a.sequence.contextTokens];
      if (!a.resident) await a.sequence.clearHistory();
      await a.sequence.controlledEvaluate(tokens.slice(a.resident ? held.length : 0).map((t) => t as never));
      return { resident: a.resident, held };
    },
    { owner },
  );

describe("session sequences", () => {
  it("should keep each of two sessions resident across the other's turns and plain engine calls", async () => {
    expect((await visit("a", "Once upon a time")).resident).toBe(false);
    expect((await visit("b", "Tim had a dog")).resident).toBe(false);
    await engine.score([{ tokens: await engine.tokenize("The sun was hot."), from: 1 }]);
    const a = await visit("a", "Once upon a time there was");
    expect(a.resident).toBe(true);
    expect(a.held).toEqual(await engine.tokenize("Once upon a time"));
    expect((await visit("b", "Tim had a dog named Max")).resident).toBe(true);
  });

  it("should hand the least recently used sequence to a third session, which then rebuilds", async () => {
    await visit("a", "Once upon a time");
    await visit("b", "Tim had a dog");
    expect((await visit("c", "Lily liked red")).resident).toBe(false); // takes a's (least recently used)
    expect((await visit("b", "Tim had a dog")).resident).toBe(true);
    expect((await visit("a", "Once upon a time")).resident).toBe(false);
  });

  it("should not keep a sequence for a session whose turn failed", async () => {
    await visit("d", "A bird sang");
    await expect(engine.withSequence(async () => Promise.reject(new Error("boom")), { owner: "d" })).rejects.toThrow();
    expect((await visit("d", "A bird sang")).resident).toBe(false);
  });
});
