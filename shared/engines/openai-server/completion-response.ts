/**
 * Pure builders for the parts of vLLM's `/v1/completions` response that carry log-probs. Inputs are per-position
 * entries already decoded to text; outputs are exactly the JSON vLLM sends.
 */

/** One scored position: the token that is there, its log-prob and rank, the top alternatives, all with their text. */
export interface DecodedPosition {
  readonly token: number;
  readonly logprob: number;
  /** null where the engine cannot rank (an engine without detailed log-probs). */
  readonly rank: number | null;
  readonly piece: string;
  readonly top: readonly { readonly token: number; readonly logprob: number; readonly piece: string }[];
}

/** vLLM's `Logprob` as serialised in `prompt_logprobs`. */
export interface WireLogprob {
  readonly logprob: number;
  readonly rank: number | null;
  readonly decoded_token: string;
}

/** `choices[].logprobs` (OpenAI's legacy completions shape). */
export interface WireCompletionLogprobs {
  readonly text_offset: number[];
  readonly token_logprobs: (number | null)[];
  readonly tokens: string[];
  readonly top_logprobs: (Record<string, number> | null)[];
}

/** OpenAI/vLLM send -9999 where a log-prob is -inf (JSON has no infinity). */
export function finiteLogprob(logprob: number): number {
  return Math.max(logprob, -9999);
}

/**
 * `choices[].prompt_logprobs`: `[null, {"<id>": {logprob, rank, decoded_token}, ...}, ...]`: null for the first
 * token (nothing predicts it), then the prompt token itself and, with `prompt_logprobs: k`, the k most likely tokens
 * (rank 1..k).
 */
export function buildPromptLogprobs(positions: readonly (DecodedPosition | null)[]): (Record<string, WireLogprob> | null)[] {
  return positions.map((p) => {
    if (p === null) return null;
    const entry: Record<string, WireLogprob> = {
      [String(p.token)]: { logprob: finiteLogprob(p.logprob), rank: p.rank, decoded_token: p.piece },
    };
    p.top.forEach((t, i) => {
      entry[String(t.token)] ??= { logprob: finiteLogprob(t.logprob), rank: i + 1, decoded_token: t.piece };
    });
    return entry;
  });
}

/**
 * `choices[].logprobs` over the tokens a choice reports (with echo, the prompt's then the generated ones): each
 * token's text, its log-prob (null where there is none: the first prompt token), a `{text: logprob}` map of the
 * token and its top alternatives, and character offsets counted from 0 by summing token texts (as vLLM does).
 */
export function buildCompletionLogprobs(
  positions: readonly (DecodedPosition | null)[],
  pieces: readonly string[],
): WireCompletionLogprobs {
  const out: WireCompletionLogprobs = { text_offset: [], token_logprobs: [], tokens: [], top_logprobs: [] };
  let offset = 0;
  positions.forEach((p, i) => {
    const piece = pieces[i]!;
    out.tokens.push(piece);
    out.text_offset.push(offset);
    offset += piece.length;
    if (p === null) {
      out.token_logprobs.push(null);
      out.top_logprobs.push(null);
      return;
    }
    out.token_logprobs.push(finiteLogprob(p.logprob));
    const top: Record<string, number> = { [p.piece]: finiteLogprob(p.logprob) };
    for (const t of p.top) top[t.piece] = finiteLogprob(t.logprob);
    out.top_logprobs.push(top);
  });
  return out;
}
