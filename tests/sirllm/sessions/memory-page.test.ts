import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { escapeHtml, renderMemoryPage, type MemoryPageInput, type MemoryPageToken } from "../../../shared/sirllm/sessions/memory-page.js";

const ID = "ss_0123456789abcdefghij";

function page(overrides: Partial<MemoryPageInput> = {}): MemoryPageInput {
  return {
    sessionId: ID,
    policy: "sirllm",
    cacheSize: 8,
    sinks: 2,
    decay: 0.9,
    turnCount: 2,
    tokenCount: 10,
    evictions: 1,
    memoryLevel: "kv",
    entropyPreset: "paper",
    tokens: [
      tok(0, "<s>", 6.5, 0, true),
      tok(1, "Hello", 4.0, 0, true),
      tok(2, " there", null, 0, false),
      tok(3, ",", 0.5, 0, true),
      tok(4, " friend", 2.0, 0, true),
      tok(5, "\n", null, 1, false),
      tok(6, " Hi", 1.0, 1, true),
      tok(7, "!", 0.25, 1, true),
      tok(8, " Bye", 3.0, 1, true),
      tok(9, ".", 0, 1, true),
    ],
    ...overrides,
  };
}

function tok(index: number, text: string, entropy: number | null, turn: number, kept: boolean): MemoryPageToken {
  return { index, text, entropy, turn, kept };
}

interface Span {
  readonly classes: string[];
  readonly title: string;
  readonly style: string | null;
  readonly html: string;
}

/** The token spans, in order (each token's span holds only glyph spans, never another token). */
function tokenSpans(html: string): Span[] {
  const out: Span[] = [];
  const main = html.slice(html.indexOf('<main class="memory">'));
  const re = /<span class="(tok [^"]*)" title="([^"]*)"(?: style="([^"]*)")?>((?:[^<]|<span class="glyph">[^<]*<\/span>)*)<\/span>/g;
  for (const m of main.matchAll(re)) out.push({ classes: m[1]!.split(" "), title: m[2]!, style: m[3] ?? null, html: m[4]! });
  return out;
}

function alpha(style: string | null): number {
  const m = /rgba\(245, 158, 11, ([0-9.]+)\)/.exec(style ?? "");
  if (!m) throw new Error(`no shading in ${style}`);
  return Number(m[1]);
}

function parse(html: string): any {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", htmlEntities: true }).parse(html);
}

/** The header's text (tags dropped, entities decoded enough for the numbers and names the tests look for). */
function headerText(html: string): string {
  const header = html.slice(html.indexOf("<header>"), html.indexOf("</header>"));
  return header.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

describe("renderMemoryPage: document", () => {
  it("should be a complete, well-formed, self-contained HTML5 document", () => {
    const html = renderMemoryPage(page());
    expect(html.startsWith("<!DOCTYPE html>\n<html lang=\"en\">")).toBe(true);
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
    expect(XMLValidator.validate(html)).toBe(true);
    const doc = parse(html);
    expect(doc.html.head.meta[0]["@charset"]).toBe("utf-8");
    expect(doc.html.head.title).toBe(`SirLLM memory · ${ID}`);
    expect(doc.html.body["@data-session"]).toBe(ID);
    // Nothing the CSP `default-src 'none'; style-src 'unsafe-inline'` would block, nothing that runs.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|<embed|src=|href=|url\(|@import|\son[a-z]+=/i);
    expect(html).toMatch(/<style>[^<]*white-space: pre-wrap[^<]*<\/style>/);
  });

  it("should stay well-formed whatever the token text holds", () => {
    const nasty = ["<", ">", "&", '"', "'", "</span>", "<!--", "]]>", "&amp;", "\u0000", "\u0007", "\r\n", "\u0085", "\uD800", "\uDC00x", "\uFFFF", "😀", "\t"];
    const html = renderMemoryPage(page({ tokens: nasty.map((text, i) => tok(i, text, i, 0, i % 2 === 0)) }));
    expect(XMLValidator.validate(html)).toBe(true);
    expect(tokenSpans(html)).toHaveLength(nasty.length);
  });
});

describe("renderMemoryPage: escaping", () => {
  it("should render a token <script>alert(1)</script> as inert text", () => {
    const html = renderMemoryPage(page({ tokens: [tok(3, "<script>alert(1)</script>", 1, 0, true), tok(4, "a & b", 1, 0, false)] }));
    expect(html).not.toContain("<script");
    expect(html).not.toContain("</script>");
    const [script, amp] = tokenSpans(html);
    expect(script!.html).toBe("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(amp!.html).toBe("a &amp; b");
    expect(XMLValidator.validate(html)).toBe(true);
  });

  it("should escape quotes in attributes, and every other piece of text too", () => {
    const evil = `x" onmouseover="alert(1)' <b>&`;
    const html = renderMemoryPage(page({ sessionId: evil, policy: "<i>p</i>", memoryLevel: "kv&", entropyPreset: "'paper'" }));
    expect(html).not.toContain('" onmouseover="');
    expect(html).not.toContain("<b>");
    expect(html).not.toContain("<i>");
    expect(html).toContain(`data-session="x&quot; onmouseover=&quot;alert(1)&#39; &lt;b&gt;&amp;"`);
    expect(XMLValidator.validate(html)).toBe(true);
    const doc = parse(html);
    expect(doc.html.body["@data-session"]).toBe(evil); // the attribute reads back as exactly the text
    expect(doc.html.head.title).toBe(`SirLLM memory · ${evil}`);
    const header = headerText(html);
    expect(header).toContain("&lt;i&gt;p&lt;/i&gt;");
    expect(header).toContain("kv&amp;");
    expect(header).toContain("&#39;paper&#39;");
  });

  it("should escape token text with quotes, and draw control characters instead of emitting them", () => {
    const html = renderMemoryPage(page({ tokens: [tok(3, `say "hi" it's`, 1, 0, true), tok(4, "a\u0000b\u001bc\rd", 1, 0, true)] }));
    const [quotes, controls] = tokenSpans(html);
    expect(quotes!.html).toBe("say &quot;hi&quot; it&#39;s");
    expect(controls!.html).toBe('a<span class="glyph">␀</span>b<span class="glyph">␛</span>c<span class="glyph">␍</span>d');
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\r]/);
  });

  it("escapeHtml should escape the five markup characters and nothing else printable", () => {
    expect(escapeHtml(`<a href="x">'&'</a> é 😀`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt; é 😀");
    expect(escapeHtml("line\nnext\ttab")).toBe("line\nnext\ttab");
  });
});

describe("renderMemoryPage: tokens", () => {
  it("should mark kept and evicted tokens, in order, with the tooltip index · turn · entropy", () => {
    const spans = tokenSpans(renderMemoryPage(page()));
    expect(spans).toHaveLength(10);
    expect(spans.map((s) => s.classes.includes("kept"))).toEqual([true, true, false, true, true, false, true, true, true, true]);
    expect(spans.map((s) => s.classes.includes("evicted"))).toEqual([false, false, true, false, false, true, false, false, false, false]);
    expect(spans.every((s) => s.classes.includes("kept") !== s.classes.includes("evicted"))).toBe(true);
    expect(spans[3]!.title).toBe("index 3 · turn 0 · entropy 0.500");
    expect(spans[6]!.title).toBe("index 6 · turn 1 · entropy 1.000");
    expect(spans[2]!.title).toBe("index 2 · turn 0 · evicted");
    expect(spans[2]!.style).toBeNull(); // evicted tokens are greyed, not shaded
    expect(spans.map((s) => s.html)).toEqual([
      "&lt;s&gt;",
      "Hello",
      " there",
      ",",
      " friend",
      '<span class="glyph">↵</span>\n',
      " Hi",
      "!",
      " Bye",
      ".",
    ]);
  });

  it("should mark the sinks apart and not shade them, nor let their entropy set the scale", () => {
    const spans = tokenSpans(renderMemoryPage(page()));
    expect(spans.filter((s) => s.classes.includes("sink")).map((s) => s.title)).toEqual([
      "index 0 · turn 0 · entropy 6.500 · sink",
      "index 1 · turn 0 · entropy 4.000 · sink",
    ]);
    expect(spans[0]!.style).toBeNull();
    // The highest entropy among the kept non-sinks is 3.0 (" Bye"): it gets the full shade; 0 gets the least.
    expect(alpha(spans[8]!.style)).toBeCloseTo(0.85, 3);
    expect(alpha(spans[9]!.style)).toBeCloseTo(0.08, 3);
    expect(alpha(spans[4]!.style)).toBeCloseTo(0.08 + 0.77 * (2 / 3), 3);
    const shades = [3, 4, 6, 7, 8, 9].map((i) => alpha(spans[i]!.style));
    const entropies = [0.5, 2, 1, 0.25, 3, 0];
    for (let a = 0; a < shades.length; a++) {
      for (let b = 0; b < shades.length; b++) {
        if (entropies[a]! > entropies[b]!) expect(shades[a]!).toBeGreaterThan(shades[b]!);
      }
    }
  });

  it("should not mark an evicted token as a sink, and shade evenly when every kept entropy is 0", () => {
    const spans = tokenSpans(
      renderMemoryPage(page({ sinks: 1, tokens: [tok(0, "a", 0, 0, false), tok(1, "b", 0, 0, true), tok(2, "c", null, 0, true)] })),
    );
    expect(spans[0]!.classes).toEqual(["tok", "evicted"]);
    expect(alpha(spans[1]!.style)).toBeCloseTo(0.08, 3);
    expect(spans[2]!.title).toBe("index 2 · turn 0 · entropy unknown");
    expect(alpha(spans[2]!.style)).toBeCloseTo(0.08, 3);
  });

  it("should keep whitespace, and show newlines and empty tokens", () => {
    const html = renderMemoryPage(page({ tokens: [tok(2, "  two spaces", 1, 0, true), tok(3, "a\n\nb", 1, 0, true), tok(4, "", 1, 0, true)] }));
    const [spaces, newlines, empty] = tokenSpans(html);
    expect(spaces!.html).toBe("  two spaces");
    expect(newlines!.html).toBe('a<span class="glyph">↵</span>\n<span class="glyph">↵</span>\nb');
    expect(empty!.html).toBe('<span class="glyph">∅</span>');
    expect(empty!.classes).toContain("blank");
    expect(html).toMatch(/\.tokens \{[^}]*white-space: pre-wrap/);
  });

  it("should group tokens by turn, with a label per group", () => {
    const html = renderMemoryPage(page());
    const turns = [...html.matchAll(/<section class="turn[^"]*" data-turn="(\d+)">\n<h2>([^\n]*)<\/h2>/g)].map((m) => [m[1], m[2]!.replace(/<[^>]+>/g, "")]);
    expect(turns).toEqual([
      ["0", "turn 0 · 4 of 5 tokens kept"],
      ["1", "turn 1 · 4 of 5 tokens kept"],
    ]);
    const doc = parse(html);
    const sections = doc.html.body.main.section;
    expect(sections).toHaveLength(2);
    expect(sections.map((s: any) => s.div.span.length)).toEqual([5, 5]);
  });

  it("should show missing turns and turns not shown", () => {
    const tokens = [tok(0, "a", 1, 0, true), tok(1, "b", 2, 0, true), tok(20, "c", 1, 3, true), tok(30, "d", 1, 5, true), tok(31, "e", 0, 5, true)];
    const html = renderMemoryPage(page({ turnCount: 8, tokens, missingTurns: [3, 4] }));
    expect(XMLValidator.validate(html)).toBe(true);
    const main = html.slice(html.indexOf("<main"));
    const blocks = [...main.matchAll(/<p class="gap">([^<]*)<\/p>|<section class="(turn[^"]*)" data-turn="(\d+)">\n<h2>([^\n]*)<\/h2>/g)].map((m) =>
      m[1] !== undefined ? `gap: ${m[1]}` : `${m[2]} ${m[3]}: ${m[4]!.replace(/<[^>]+>/g, "")}`,
    );
    expect(blocks).toEqual([
      "turn 0: turn 0 · 2 of 2 tokens kept",
      "gap: turns 1–2 not shown",
      "turn missing 3: turn 3 · transcript not stored: 1 kept tokens shown, evicted ones unknown",
      "turn missing 4: turn 4 · transcript not stored",
      "turn 5: turn 5 · 2 of 2 tokens kept",
      "gap: turns 6–7 not shown",
    ]);
    expect(headerText(html)).toContain("Transcript not stored for turns 3, 4: only their kept tokens can be shown.");
  });
});

describe("renderMemoryPage: header", () => {
  it("should show the settings and counts", () => {
    const html = renderMemoryPage(page());
    const doc = parse(html);
    const pairs = (dl: any) => Object.fromEntries(dl.div.map((d: any) => [d.dt, String(d.dd["#text"] ?? d.dd)]));
    const [settings, counts] = doc.html.body.header.dl;
    expect(pairs(settings)).toEqual({
      policy: "sirllm",
      "cache size": "8 tokens",
      sinks: "2",
      decay: "0.9",
      "memory level": "kv",
      entropy: "paper",
    });
    expect(pairs(counts)).toEqual({
      kept: "8 / 8",
      streamed: "10",
      evicted: "2",
      evictions: "1",
      turns: "2",
      shown: "10 tokens, 8 kept",
    });
    expect(doc.html.body.header.h1.code).toBe(ID);
    expect(html).toContain('<div class="bar" style="width: 100.0%">');
  });

  it("should count memory from memoryTokens when given (turns with kept tokens may not be shown)", () => {
    const text = headerText(renderMemoryPage(page({ memoryTokens: 6, cacheSize: 12, tokenCount: 40, evictions: 3, turnCount: 9 })));
    expect(text).toContain("kept 6 / 12");
    expect(text).toContain("streamed 40");
    expect(text).toContain("evicted 34");
    expect(text).toContain("evictions 3");
    expect(text).toContain("turns 9");
  });

  it("should render an empty memory", () => {
    const html = renderMemoryPage(page({ tokens: [], turnCount: 0, tokenCount: 0, evictions: 0 }));
    expect(XMLValidator.validate(html)).toBe(true);
    expect(tokenSpans(html)).toEqual([]);
    expect(html).toContain('<p class="empty">');
    expect(html).not.toContain('class="gap"');
    const text = headerText(html);
    expect(text).toContain("kept 0 / 8");
    expect(text).toContain("evicted 0");
    expect(text).toContain("turns 0");
    expect(html).toContain('<div class="bar" style="width: 0.0%">');
  });

  it("should carry a legend with every kind of token", () => {
    const html = renderMemoryPage(page());
    const legend = html.slice(html.indexOf('<section class="legend"'), html.indexOf("</section>", html.indexOf('<section class="legend"')));
    expect(legend).toContain('class="tok kept sink"');
    expect(legend).toContain('class="tok kept"');
    expect(legend).toContain('class="tok evicted"');
    expect(legend).toContain("↵");
  });
});
