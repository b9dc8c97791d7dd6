/**
 * A SirLLM session's memory as one HTML page (`GET /v1/sirllm/sessions/{id}/memory.html`): the tokens of the turns
 * shown, in order and grouped by turn; kept tokens shaded by entropy (relative to the highest among the kept ones but
 * the sinks), sinks marked apart, evicted tokens greyed and struck through. Pure: the page is a string.
 *
 * The page is self-contained — inline CSS, no scripts, no external resources — so it can be served with
 * `content-security-policy: default-src 'none'; style-src 'unsafe-inline'`. Every piece of text is HTML-escaped
 * (token text is model output); control characters are drawn as visible symbols, and the markup is well-formed
 * XML too (void elements self-closed), so an XML parser reads it.
 */

/** One token on the page. */
export interface MemoryPageToken {
  /** The token's index over the session's whole token stream. */
  index: number;
  text: string;
  /** Its entropy in memory (decayed, as stored); null when unknown (an evicted token). */
  entropy: number | null;
  turn: number;
  kept: boolean;
}

export interface MemoryPageInput {
  sessionId: string;
  policy: string;
  cacheSize: number;
  sinks: number;
  decay: number;
  /** Turns appended so far. */
  turnCount: number;
  /** Tokens streamed into the session so far. */
  tokenCount: number;
  /** Eviction steps so far (turns before which something was evicted). */
  evictions: number;
  memoryLevel: string;
  entropyPreset: string;
  /** The tokens shown, in stream order. */
  tokens: MemoryPageToken[];
  /**
   * Turns whose transcript is not stored: of those only the kept tokens (if any are in `tokens`) can be shown, and
   * their evicted tokens not at all.
   */
  missingTurns?: number[];
  /**
   * Tokens in memory now. Default: the kept tokens in `tokens`, which is short of it when some turns with kept tokens
   * are not shown.
   */
  memoryTokens?: number;
}

/** Lowest and highest opacity of a kept token's shading (entropy 0, and the highest entropy among the kept non-sinks). */
const SHADE_MIN = 0.08;
const SHADE_MAX = 0.85;

/**
 * The page.
 *
 * @example
 * renderMemoryPage({ sessionId: "ss_…", policy: "sirllm", cacheSize: 512, sinks: 4, decay: 1, turnCount: 3,
 *   tokenCount: 700, evictions: 1, memoryLevel: "kv", entropyPreset: "paper", tokens });
 */
export function renderMemoryPage(input: MemoryPageInput): string {
  const keptShown = input.tokens.filter((t) => t.kept).length;
  const inMemory = input.memoryTokens ?? keptShown;
  // Sinks are marked apart, not shaded, so their entropy (the first token's is often the highest) sets no scale.
  const maxEntropy = input.tokens.reduce(
    (max, t) => (t.kept && t.index >= input.sinks && isUsableEntropy(t.entropy) ? Math.max(max, t.entropy) : max),
    0,
  );
  const title = `SirLLM memory · ${input.sessionId}`;
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    `<body data-session="${escapeHtml(input.sessionId)}">`,
    header(input, inMemory, keptShown),
    legend(),
    '<main class="memory">',
    sections(input, maxEntropy),
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function header(input: MemoryPageInput, inMemory: number, keptShown: number): string {
  const evicted = Math.max(0, input.tokenCount - inMemory);
  const settings: [string, string][] = [
    ["policy", input.policy],
    ["cache size", `${num(input.cacheSize)} tokens`],
    ["sinks", num(input.sinks)],
    ["decay", num(input.decay)],
    ["memory level", input.memoryLevel],
    ["entropy", input.entropyPreset],
  ];
  const counts: [string, string, string][] = [
    ["kept", `${num(inMemory)} / ${num(input.cacheSize)}`, "tokens in memory / cache size"],
    ["streamed", num(input.tokenCount), "tokens streamed into the session"],
    ["evicted", num(evicted), "tokens evicted so far"],
    ["evictions", num(input.evictions), "eviction steps (turns before which something was evicted)"],
    ["turns", num(input.turnCount), "turns so far"],
    ["shown", `${num(input.tokens.length)} tokens, ${num(keptShown)} kept`, "tokens on this page"],
  ];
  const fill = input.cacheSize > 0 ? Math.min(1, Math.max(0, inMemory / input.cacheSize)) : 0;
  const missing = [...new Set(input.missingTurns ?? [])].sort((a, b) => a - b);
  return [
    "<header>",
    `<h1>Memory of session <code>${escapeHtml(input.sessionId)}</code></h1>`,
    '<dl class="settings">',
    ...settings.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`),
    "</dl>",
    '<dl class="counts">',
    ...counts.map(([k, v, hint]) => `<div title="${escapeHtml(hint)}"><dt>${escapeHtml(k)}</dt><dd class="count-${escapeHtml(k)}">${escapeHtml(v)}</dd></div>`),
    "</dl>",
    `<div class="fill" title="${escapeHtml(`${num(inMemory)} of ${num(input.cacheSize)} tokens in memory`)}"><div class="bar" style="width: ${(fill * 100).toFixed(1)}%"></div></div>`,
    missing.length === 0
      ? ""
      : `<p class="note">Transcript not stored for ${missing.length === 1 ? "turn" : "turns"} ${escapeHtml(missing.map(num).join(", "))}: ` +
        `only ${missing.length === 1 ? "its" : "their"} kept tokens can be shown.</p>`,
    "</header>",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

function legend(): string {
  const sample = (cls: string, text: string, tip: string, style = "") =>
    `<span class="${cls}" title="${escapeHtml(tip)}"${style === "" ? "" : ` style="${style}"`}>${escapeHtml(text)}</span>`;
  return [
    '<section class="legend" aria-label="legend">',
    "<h2>Legend</h2>",
    '<ul class="samples">',
    `<li>${sample("tok kept sink", "sink", "always kept")} attention sink: one of the session's first tokens, always kept</li>`,
    `<li>${sample("tok kept", "low", "kept, low entropy", `background-color: ${shade(0)}`)} ` +
      `${sample("tok kept", "high", "kept, highest entropy", `background-color: ${shade(1)}`)} ` +
      "kept, shaded by entropy (relative to the highest among the kept tokens but the sinks)</li>",
    `<li>${sample("tok evicted", "evicted", "evicted")} evicted: no longer in memory</li>`,
    `<li><span class="glyph">↵</span> a newline · <span class="glyph">∅</span> a token with no text · ` +
      `<span class="glyph">␀</span> a control character</li>`,
    "</ul>",
    "</section>",
  ].join("\n");
}

interface TurnGroup {
  readonly turn: number;
  readonly tokens: MemoryPageToken[];
  readonly missing: boolean;
}

/** The tokens grouped by turn (consecutive tokens of one turn), with placeholders for missing turns not otherwise shown. */
function groups(input: MemoryPageInput): TurnGroup[] {
  const missing = new Set(input.missingTurns ?? []);
  const out: TurnGroup[] = [];
  for (const token of input.tokens) {
    const last = out[out.length - 1];
    if (last !== undefined && last.turn === token.turn) last.tokens.push(token);
    else out.push({ turn: token.turn, tokens: [token], missing: missing.has(token.turn) });
  }
  const shown = new Set(out.map((g) => g.turn));
  for (const turn of [...missing].filter((t) => !shown.has(t)).sort((a, b) => a - b)) {
    const at = out.findIndex((g) => g.turn > turn);
    const placeholder: TurnGroup = { turn, tokens: [], missing: true };
    if (at === -1) out.push(placeholder);
    else out.splice(at, 0, placeholder);
  }
  return out;
}

function sections(input: MemoryPageInput, maxEntropy: number): string {
  const all = groups(input);
  if (all.length === 0) return '<p class="empty">Nothing in memory yet: the session has no turns to show.</p>';
  const out: string[] = [];
  let previous = -1;
  for (const group of all) {
    if (group.turn > previous + 1) out.push(gap(previous + 1, group.turn - 1));
    out.push(section(group, input.sinks, maxEntropy));
    previous = Math.max(previous, group.turn);
  }
  if (previous < input.turnCount - 1) out.push(gap(previous + 1, input.turnCount - 1));
  return out.join("\n");
}

function gap(from: number, to: number): string {
  const which = from === to ? `turn ${num(from)}` : `turns ${num(from)}–${num(to)}`;
  return `<p class="gap">${escapeHtml(which)} not shown</p>`;
}

function section(group: TurnGroup, sinks: number, maxEntropy: number): string {
  const kept = group.tokens.filter((t) => t.kept).length;
  let sub: string;
  if (group.missing) {
    sub = group.tokens.length === 0 ? "transcript not stored" : `transcript not stored: ${num(kept)} kept tokens shown, evicted ones unknown`;
  } else {
    sub = `${num(kept)} of ${num(group.tokens.length)} tokens kept`;
  }
  const body = group.tokens.map((t) => tokenSpan(t, sinks, maxEntropy)).join("");
  return [
    `<section class="turn${group.missing ? " missing" : ""}" data-turn="${escapeHtml(num(group.turn))}">`,
    `<h2>turn ${escapeHtml(num(group.turn))} <span class="sub">· ${escapeHtml(sub)}</span></h2>`,
    group.tokens.length === 0 ? "" : `<div class="tokens">${body}</div>`,
    "</section>",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

function tokenSpan(token: MemoryPageToken, sinks: number, maxEntropy: number): string {
  const sink = token.kept && token.index < sinks;
  const classes = ["tok", token.kept ? "kept" : "evicted"];
  if (sink) classes.push("sink");
  if (token.text === "") classes.push("blank");
  const parts = [`index ${num(token.index)}`, `turn ${num(token.turn)}`];
  if (token.entropy !== null) parts.push(`entropy ${Number.isFinite(token.entropy) ? token.entropy.toFixed(3) : String(token.entropy)}`);
  else if (token.kept) parts.push("entropy unknown");
  if (sink) parts.push("sink");
  if (!token.kept) parts.push("evicted");
  let style = "";
  if (token.kept && !sink) {
    const level = isUsableEntropy(token.entropy) && maxEntropy > 0 ? Math.min(1, token.entropy / maxEntropy) : 0;
    style = ` style="background-color: ${shade(level)}"`;
  }
  return `<span class="${classes.join(" ")}" title="${escapeHtml(parts.join(" · "))}"${style}>${tokenText(token.text)}</span>`;
}

function isUsableEntropy(entropy: number | null): entropy is number {
  return entropy !== null && Number.isFinite(entropy) && entropy >= 0;
}

/** The kept-token shading at `level` ∈ [0, 1] of the highest entropy. */
function shade(level: number): string {
  return `rgba(245, 158, 11, ${(SHADE_MIN + (SHADE_MAX - SHADE_MIN) * level).toFixed(3)})`;
}

function num(n: number): string {
  return String(n);
}

/** What must not reach the page as itself: markup characters, and characters XML or HTML reject or hide. */
const SPECIAL =
  /[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** A control character's visible stand-in (U+2400 pictures; C1 controls, lone surrogates and non-characters as U+FFFD). */
function standIn(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return "\u2421";
  return "\uFFFD";
}

/**
 * Text as HTML, for element content and attribute values alike: `& < > " '` as entities, control characters as
 * visible stand-ins.
 */
export function escapeHtml(text: string): string {
  return text.replace(SPECIAL, (ch) => ENTITIES[ch] ?? standIn(ch));
}

/** A token's text: escaped, each newline drawn (↵) before it breaks the line, control characters drawn, "" as ∅. */
function tokenText(text: string): string {
  if (text === "") return '<span class="glyph">∅</span>';
  return text
    .split("\n")
    .map((line) => line.replace(SPECIAL, (ch) => ENTITIES[ch] ?? `<span class="glyph">${standIn(ch)}</span>`))
    .join('<span class="glyph">↵</span>\n');
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.3rem; margin: 0 0 0.75rem; }
h1 code { font-size: 1.1rem; }
h2 { font-size: 0.95rem; margin: 0 0 0.35rem; color: #444; }
h2 .sub { font-weight: normal; color: #6b7280; }
dl { display: flex; flex-wrap: wrap; gap: 0.4rem 1.4rem; margin: 0.4rem 0; }
dl div { display: flex; gap: 0.35rem; }
dt { color: #6b7280; }
dt::after { content: ":"; }
dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.fill { height: 6px; max-width: 24rem; background: #e5e7eb; border-radius: 3px; overflow: hidden; margin: 0.5rem 0 0.75rem; }
.fill .bar { height: 100%; background: #f59e0b; }
.note { color: #92400e; background: #fffbeb; border: 1px solid #fde68a; border-radius: 4px; padding: 0.35rem 0.6rem; }
.legend { border-top: 1px solid #e5e7eb; border-bottom: 1px solid #e5e7eb; padding: 0.5rem 0; margin-bottom: 1rem; }
.legend ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.35rem 1.5rem; }
.samples .tok { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; padding: 0 0.2em; }
.turn { margin: 0 0 1rem; }
.turn.missing h2 { color: #92400e; }
.tokens { font: 13px/1.7 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
.tok { border-radius: 2px; }
.tok.kept { color: #1f2328; }
.tok.sink { background-color: #dbeafe; outline: 1px solid #2563eb; outline-offset: -1px; color: #1e3a8a; }
.tok.evicted { color: #9ca3af; text-decoration: line-through; text-decoration-color: #d1d5db; }
.glyph { color: #9ca3af; font-size: 0.85em; user-select: none; }
.tok.evicted .glyph { color: #d1d5db; }
.gap { color: #6b7280; font-style: italic; margin: 0 0 1rem; }
.empty { color: #6b7280; font-style: italic; }
`;
