import { describe, expect, it } from "vitest";
import type { Engine, ScoreResult, SuffixScoreRequest } from "../../shared/engines/engine.js";

/** Text out of TinyStories' domain: the 260K test model is often wrong here, which is where log-prob bugs show. */
export const OFF_DOMAIN = "The stock market crashed because quantum physics dislikes bananas.";
const STORY = "Once upon a time, there was a little girl named Lily. She loved to play";

/**
 * Log-probs computed without any of the engine-under-test's scoring code (not its `score`, not its `scoreSuffixes`):
 * a float64 log-softmax over raw logits, or a hand computation. It is what `scoreSuffixes` is held to, so an engine
 * whose `scoreSuffixes` falls back to full prompts is not compared with itself.
 */
export interface LogprobReference {
  /** log p(tokens[i] | tokens[< i]) for every i from `from` on. */
  logprobs(tokens: readonly number[], from: number): Promise<number[]>;
  /** Largest |engine − reference| accepted; the caller says what measurement it covers (STYLE habit 14). */
  readonly tolerance: number;
}

/** A prefix and suffixes that exercise the boundary: one scored from its first token (`from` 0), one from inside. */
export async function suffixCase(engine: Pick<Engine, "tokenize">): Promise<SuffixScoreRequest> {
  const prefix = await engine.tokenize("Instruction:\nTell a story.\nResponse:\n", { bos: true });
  return {
    prefix,
    suffixes: [
      { tokens: await engine.tokenize(STORY), from: 0 },
      { tokens: await engine.tokenize(OFF_DOMAIN), from: 3 },
      { tokens: await engine.tokenize(" bananas"), from: 0 },
    ],
  };
}

/**
 * What is wrong with `results` as the answer to `request`, judged by `reference` over each full prompt
 * (`prefix ++ suffix`, scored from `prefix.length + from`); [] when nothing is.
 */
export async function suffixProblems(
  request: SuffixScoreRequest,
  results: readonly ScoreResult[],
  reference: LogprobReference,
): Promise<string[]> {
  const problems: string[] = [];
  if (results.length !== request.suffixes.length) {
    return [`${results.length} results for ${request.suffixes.length} suffixes`];
  }
  for (const [k, s] of request.suffixes.entries()) {
    const expected = await reference.logprobs([...request.prefix, ...s.tokens], request.prefix.length + s.from);
    const got = results[k]!.logprobs;
    if (got.length !== expected.length) {
      problems.push(`suffix ${k}: ${got.length} log-probs, expected ${expected.length}`);
      continue;
    }
    for (const [i, lp] of got.entries()) {
      const diff = Math.abs(lp - expected[i]!);
      if (!(diff <= reference.tolerance)) {
        problems.push(`suffix ${k} token ${s.from + i}: ${lp} vs reference ${expected[i]} (|diff| ${diff})`);
      }
    }
  }
  return problems;
}

/**
 * Wrong ways to fall back to full prompts, each keeping the result lengths right so only the numbers can tell: the
 * scored window shifted one position early, and the prefix dropped but for its last token.
 */
export const BROKEN_FALLBACKS: Record<string, (score: Engine["score"], r: SuffixScoreRequest) => Promise<ScoreResult[]>> = {
  "window shifted one position early": async (score, r) => {
    const out = await score(r.suffixes.map((s) => ({ tokens: [...r.prefix, ...s.tokens], from: r.prefix.length + s.from - 1 })));
    return out.map((res) => ({ logprobs: res.logprobs.slice(0, -1) }));
  },
  "prefix dropped but its last token": (score, r) =>
    score(r.suffixes.map((s) => ({ tokens: [r.prefix.at(-1)!, ...s.tokens], from: 1 + s.from }))),
};

/**
 * The behaviour every engine must show, whatever its transport. Run it with a function that yields a ready engine
 * (built in the caller's beforeAll) and the reference its log-probs are held to.
 */
export function engineContract(label: string, getEngine: () => Engine, getReference: () => LogprobReference): void {
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

    it("should score suffixes after a shared prefix as the reference scores each full prompt", async () => {
      const engine = getEngine();
      const request = await suffixCase(engine);
      const shared = await engine.scoreSuffixes(request);
      expect(shared.map((r) => r.logprobs.length)).toEqual(request.suffixes.map((s) => s.tokens.length - s.from));
      expect(await suffixProblems(request, shared, getReference())).toEqual([]);
      // score() on the full prompts is held to the same reference, so neither path can drift with the other.
      const full = await engine.score(
        request.suffixes.map((s) => ({ tokens: [...request.prefix, ...s.tokens], from: request.prefix.length + s.from })),
      );
      expect(await suffixProblems(request, full, getReference())).toEqual([]);
    });

    it("should be able to fail: a fallback that mis-computes positions does not pass the suffix check", async () => {
      const engine = getEngine();
      const request = await suffixCase(engine);
      const score: Engine["score"] = (requests) => engine.score(requests);
      for (const [name, broken] of Object.entries(BROKEN_FALLBACKS)) {
        const problems = await suffixProblems(request, await broken(score, request), getReference());
        expect(problems.length, `${name} passed the check`).toBeGreaterThan(0);
      }
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
