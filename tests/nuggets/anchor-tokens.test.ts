import { describe, expect, it } from "vitest";
import { anchorTokenLimit, prepareAnchor, prepareCandidate } from "../../shared/nuggets/anchor-tokens.js";
import { NUGGETS_PRESETS, resolvePreset } from "../../shared/nuggets/presets.js";
import { renderExample } from "../../shared/nuggets/template.js";
import { charTokenize } from "./fakes.js";

const { paper, reference } = NUGGETS_PRESETS;

/** An instruction that makes the query exactly `n` characters long (no input). */
function instructionForQueryLength(n: number): string {
  const overhead = "Instruction:\n\nResponse:\n".length;
  return "x".repeat(n - overhead);
}

describe("prepareAnchor", () => {
  it("should span exactly the output tokens: len(tok(query)) .. len(tok(full))", async () => {
    const ex = { instruction: "Say hi.", output: "hello" };
    const a = await prepareAnchor(ex, charTokenize, paper, 512);
    const { query, full } = renderExample(ex);
    expect(a.spanStart).toBe(query.length);
    expect(a.spanEnd).toBe(full.length);
    expect(String.fromCharCode(...a.tokens.slice(a.spanStart, a.spanEnd))).toBe("hello");
    expect(a.tokens).toEqual(charTokenize(full));
  });

  it("should follow the authors' position arithmetic when the boundary token merges", async () => {
    // "\n" followed by a letter becomes one token; a query ending in "\n" keeps it alone.
    const MERGED = 1000;
    const mergeTokenize = (text: string): number[] => {
      const out: number[] = [];
      for (let i = 0; i < text.length; i++) {
        if (text[i] === "\n" && /[a-z]/.test(text[i + 1] ?? "")) {
          out.push(MERGED + text.charCodeAt(i + 1));
          i++;
        } else out.push(text.charCodeAt(i));
      }
      return out;
    };
    const a = await prepareAnchor({ instruction: "Q", output: "hi" }, mergeTokenize, paper, 512);
    // tok(query) ends with a lone "\n"; in tok(full) that position holds "\nh", so only "i" is scored.
    expect(a.tokens[a.spanStart - 1]).toBe(MERGED + "h".charCodeAt(0));
    expect(a.tokens.slice(a.spanStart, a.spanEnd)).toEqual(["i".charCodeAt(0)]);
  });

  it("should cut query+output at 200 tokens in the reference preset and drop the answer tokens past it", async () => {
    const ex = { instruction: instructionForQueryLength(198), output: "abcd" };
    const a = await prepareAnchor(ex, charTokenize, reference, 4096);
    expect(a.tokens).toHaveLength(200);
    expect(a.spanStart).toBe(198);
    expect(a.spanEnd).toBe(200);
    expect(String.fromCharCode(...a.tokens.slice(a.spanStart))).toBe("ab");
    expect(a.fullTokens).toBe(202);
  });

  it("should leave an empty span when the query alone fills the reference cap", async () => {
    const ex = { instruction: instructionForQueryLength(230), output: "abcd" };
    const a = await prepareAnchor(ex, charTokenize, reference, 4096);
    expect(a.tokens).toHaveLength(200);
    expect(a.spanStart).toBe(200);
    expect(a.spanEnd).toBe(200);
    expect(a.queryTokens).toBe(230);
  });

  it("should not cut at 200 in the paper preset, only at the context limit less the BOS place", async () => {
    const ex = { instruction: instructionForQueryLength(250), output: "y".repeat(50) };
    expect((await prepareAnchor(ex, charTokenize, paper, 4096)).tokens).toHaveLength(300);
    const cut = await prepareAnchor(ex, charTokenize, paper, 280);
    expect(cut.tokens).toHaveLength(279);
    expect(cut.spanEnd - cut.spanStart).toBe(29);
  });

  it("should honour an overridden cap", async () => {
    const ex = { instruction: instructionForQueryLength(100), output: "abcdef" };
    const a = await prepareAnchor(ex, charTokenize, resolvePreset("reference", { maxAnchorTokens: 103 }), 4096);
    expect(a.tokens.slice(a.spanStart).length).toBe(3);
    expect(resolvePreset("reference", { maxAnchorTokens: null }).maxAnchorTokens).toBeNull();
    expect(() => resolvePreset("paper", { maxAnchorTokens: 0 })).toThrow(/maxAnchorTokens/);
  });

  it("should accept an async tokenizer", async () => {
    const a = await prepareAnchor({ instruction: "Q", output: "ab" }, async (t) => charTokenize(t), paper, 512);
    expect(a.spanEnd - a.spanStart).toBe(2);
  });
});

describe("anchorTokenLimit", () => {
  it("should reserve the BOS place only where the zero-shot prompt has one", () => {
    expect(anchorTokenLimit(paper, 512)).toBe(511);
    expect(anchorTokenLimit(reference, 512)).toBe(200);
    expect(anchorTokenLimit(reference, 150)).toBe(150);
    expect(() => anchorTokenLimit(paper, 1)).toThrow(/too small/);
  });
});

describe("prepareCandidate", () => {
  it("should tokenise the candidate's full text, output included, uncut", async () => {
    const ex = { instruction: "x".repeat(300), output: "done" };
    const tokens = await prepareCandidate(ex, charTokenize);
    expect(tokens).toEqual(charTokenize(renderExample(ex).full));
  });
});
