/**
 * The bench's workload, built from real instruction data and the engine's own tokenizer: NUGGETS one-shot prompts
 * (a candidate example, then an anchor example, scored over the anchor's answer), groups of one candidate against
 * many anchors for shared-prefix scoring, and greedy generation from anchor queries.
 */
import type { GenerateRequest, ScoreRequest, SuffixScoreRequest } from "../shared/engines/engine.js";
import { renderExample } from "../shared/nuggets/template.js";
import type { NuggetsExample } from "../schemas/nuggets.js";

/** How much work one round does. */
export interface WorkloadSize {
  /** NUGGETS one-shot prompts scored per round (one request each, and again as one batched request). */
  readonly scorePrompts: number;
  /** Prompts generated from per round. */
  readonly generatePrompts: number;
  /** Greedy tokens asked for per generation. */
  readonly generateTokens: number;
  /** Candidates (shared prefixes) in the shared-prefix case. */
  readonly prefixGroups: number;
  /** Anchors (suffixes) each candidate is scored against. */
  readonly suffixesPerGroup: number;
  /** Shortest and longest one-shot prompt accepted, in tokens (BOS included). */
  readonly promptTokens: readonly [number, number];
}

/** The token ids of one rendered example. */
export interface TokenizedExample {
  /** tok(query): instruction (and input) up to `Response:\n`. */
  readonly query: readonly number[];
  /** tok(query + output). */
  readonly full: readonly number[];
}

export interface BenchWorkload {
  /** One-shot prompts, each `BOS + candidate + anchor`, scored from the anchor's answer. */
  readonly score: ScoreRequest[];
  /** One per candidate: prefix `BOS + candidate`, one suffix per anchor (the same anchors for every candidate). */
  readonly sharedPrefix: SuffixScoreRequest[];
  /** `BOS + anchor query`, greedy. */
  readonly generate: GenerateRequest[];
}

/** Renders and tokenises examples (no BOS: the workload adds it once per prompt, as NUGGETS does). */
export async function tokenizeExamples(
  examples: readonly NuggetsExample[],
  tokenize: (text: string) => Promise<number[]>,
): Promise<TokenizedExample[]> {
  const out: TokenizedExample[] = [];
  for (const example of examples) {
    const { query, full } = renderExample(example);
    out.push({ query: await tokenize(query), full: await tokenize(full) });
  }
  return out;
}

/**
 * Picks the workload from tokenised examples, in order, so the same data and tokenizer always give the same
 * workload. Only examples with an answer to score are used; each example is used in one role only.
 * Throws a RangeError when the examples cannot fill `size`.
 */
export function buildWorkload(examples: readonly TokenizedExample[], bos: readonly number[], size: WorkloadSize): BenchWorkload {
  const [minTokens, maxTokens] = size.promptTokens;
  const pool = examples.filter((e) => e.full.length > e.query.length);
  let next = 0;
  const take = (accept: (e: TokenizedExample) => boolean): TokenizedExample => {
    while (next < pool.length) {
      const e = pool[next++]!;
      if (accept(e)) return e;
    }
    throw new RangeError("not enough examples to build the bench workload");
  };
  // Halves of a one-shot prompt: each example at most half the longest prompt, so most pairs land in range.
  const half = (e: TokenizedExample) => e.full.length >= minTokens / 3 && bos.length + 2 * e.full.length <= maxTokens;
  const fits = (candidate: TokenizedExample, anchor: TokenizedExample) => {
    const n = bos.length + candidate.full.length + anchor.full.length;
    return n >= minTokens && n <= maxTokens;
  };

  const score: ScoreRequest[] = [];
  while (score.length < size.scorePrompts) {
    const candidate = take(half);
    const anchor = take((a) => half(a) && fits(candidate, a));
    score.push(oneShot(bos, candidate, anchor));
  }

  const candidates: TokenizedExample[] = [];
  const anchors: TokenizedExample[] = [];
  while (candidates.length < size.prefixGroups) candidates.push(take(half));
  while (anchors.length < size.suffixesPerGroup) anchors.push(take((a) => candidates.every((c) => fits(c, a))));
  const sharedPrefix = candidates.map((c) => ({
    prefix: [...bos, ...c.full],
    suffixes: anchors.map((a) => ({ tokens: [...a.full], from: a.query.length })),
  }));

  const generate: GenerateRequest[] = [];
  while (generate.length < size.generatePrompts) {
    const e = take((q) => q.query.length >= minTokens / 3 && bos.length + q.query.length + size.generateTokens <= maxTokens);
    generate.push({ prompt: [...bos, ...e.query], params: { maxTokens: size.generateTokens, temperature: 0 } });
  }
  return { score, sharedPrefix, generate };
}

/**
 * The shared-prefix requests as full prompts, in one of two orders. `grouped` keeps each candidate's prompts
 * together; `interleaved` goes anchor by anchor, so consecutive prompts never share a candidate — the cost of a
 * server that recomputes every prefix (vLLM skips its prefix cache when prompt log-probs are asked for).
 */
export function fullPrompts(groups: readonly SuffixScoreRequest[], order: "grouped" | "interleaved"): ScoreRequest[] {
  const one = (g: SuffixScoreRequest, j: number): ScoreRequest => {
    const s = g.suffixes[j]!;
    return { tokens: [...g.prefix, ...s.tokens], from: g.prefix.length + s.from };
  };
  const out: ScoreRequest[] = [];
  const anchors = Math.max(0, ...groups.map((g) => g.suffixes.length));
  if (order === "grouped") groups.forEach((g) => g.suffixes.forEach((_, j) => out.push(one(g, j))));
  else for (let j = 0; j < anchors; j++) for (const g of groups) if (j < g.suffixes.length) out.push(one(g, j));
  return out;
}

function oneShot(bos: readonly number[], candidate: TokenizedExample, anchor: TokenizedExample): ScoreRequest {
  const prefix = [...bos, ...candidate.full];
  return { tokens: [...prefix, ...anchor.full], from: prefix.length + anchor.query.length };
}
