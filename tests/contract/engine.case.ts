import { describe, expect, it } from "vitest";
import type { Engine } from "../../shared/engines/engine.js";

/** Text out of TinyStories' domain: the 260K test model is often wrong here, which is where log-prob bugs show. */
export const OFF_DOMAIN = "The stock market crashed because quantum physics dislikes bananas.";
const STORY = "Once upon a time, there was a little girl named Lily. She loved to play";

/**
 * The behaviour every engine must show, whatever its transport. Run it with a function that yields a ready engine
 * (built in the caller's beforeAll).
 */
export function engineContract(label: string, getEngine: () => Engine): void {
  describe(`engine contract: ${label}`, () => {
    it("should round-trip text through tokenize/detokenize and put BOS first only when asked", async () => {
      const engine = getEngine();
      const plain = await engine.tokenize(STORY);
      const withBos = await engine.tokenize(STORY, { bos: true });
      expect(withBos).toEqual([engine.bosToken, ...plain]);
      expect((await engine.detokenize(plain)).trim()).toBe(STORY);
    });

    it("should score every token from `from` on, with finite negative log-probs, one result per request in order", async () => {
      const engine = getEngine();
      const a = await engine.tokenize(STORY, { bos: true });
      const b = await engine.tokenize(OFF_DOMAIN, { bos: true });
      const [ra, rb, rc] = await engine.score([
        { tokens: a, from: 1 },
        { tokens: b, from: 1 },
        { tokens: a, from: 5 },
      ]);
      expect(ra!.logprobs).toHaveLength(a.length - 1);
      expect(rb!.logprobs).toHaveLength(b.length - 1);
      expect(rc!.logprobs).toHaveLength(a.length - 5);
      for (const lp of [...ra!.logprobs, ...rb!.logprobs]) {
        expect(Number.isFinite(lp)).toBe(true);
        expect(lp).toBeLessThanOrEqual(0);
      }
      // Scoring from a later position is the tail of scoring from 1 (same context, same numbers).
      rc!.logprobs.forEach((lp, i) => expect(lp).toBeCloseTo(ra!.logprobs[i + 4]!, 4));
      // The in-domain story is far more likely per token than the off-domain sentence.
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      expect(mean(ra!.logprobs)).toBeGreaterThan(mean(rb!.logprobs));
    });

    it("should score suffixes after a shared prefix as if each were one full prompt", async () => {
      const engine = getEngine();
      const prefix = await engine.tokenize("Instruction:\nTell a story.\nResponse:\n", { bos: true });
      const s1 = await engine.tokenize(STORY);
      const s2 = await engine.tokenize(OFF_DOMAIN);
      const shared = await engine.scoreSuffixes({ prefix, suffixes: [{ tokens: s1, from: 0 }, { tokens: s2, from: 3 }] });
      const full = await engine.score([
        { tokens: [...prefix, ...s1], from: prefix.length },
        { tokens: [...prefix, ...s2], from: prefix.length + 3 },
      ]);
      expect(shared.map((r) => r.logprobs.length)).toEqual([s1.length, s2.length - 3]);
      shared.forEach((r, k) => r.logprobs.forEach((lp, i) => expect(Math.abs(lp - full[k]!.logprobs[i]!)).toBeLessThan(1e-4)));
    });

    it("should generate greedily and deterministically, with maxTokens 0 generating nothing", async () => {
      const engine = getEngine();
      const prompt = await engine.tokenize("Once upon a time", { bos: true });
      const [g1, g2, none] = await engine.generate([
        { prompt, params: { maxTokens: 8, temperature: 0 } },
        { prompt, params: { maxTokens: 8, temperature: 0 } },
        { prompt, params: { maxTokens: 0, temperature: 0 } },
      ]);
      expect(g1!.tokens).toHaveLength(8);
      expect(g1!.tokens).toEqual(g2!.tokens);
      expect(g1!.logprobs).toHaveLength(8);
      expect(none!.tokens).toEqual([]);
    });
  });
}
