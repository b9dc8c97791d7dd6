import type { Engine } from "../engine.js";

/** Preceding tokens used to decode one token, so a word-initial token keeps its leading space. */
const WINDOW = 4;

/**
 * The text each token contributes in context, as vLLM's incremental detokenizer reports it (`decoded_token`,
 * `logprobs.tokens`): the decoding of the window ending at the token minus the decoding of the window before it.
 * Where that is not a clean extension (a partial UTF-8 character), the token is decoded on its own. With
 * `asTokenIds` every piece is vLLM's lossless `"token_id:<id>"` form instead (`return_tokens_as_token_ids`).
 */
export class TokenPieces {
  private readonly contextText = new Map<number, Promise<string>>();

  constructor(
    private readonly engine: Pick<Engine, "detokenize">,
    private readonly tokens: readonly number[],
    private readonly asTokenIds = false,
  ) {}

  /** The piece of `token` (default: the sequence's own token) at `position`, after tokens[< position]. */
  async at(position: number, token: number = this.tokens[position]!): Promise<string> {
    if (this.asTokenIds) return `token_id:${token}`;
    const context = this.tokens.slice(Math.max(0, position - WINDOW), position);
    let before = this.contextText.get(position);
    if (!before) {
      before = this.engine.detokenize(context);
      this.contextText.set(position, before);
    }
    const [prefix, whole] = await Promise.all([before, this.engine.detokenize([...context, token])]);
    return whole.startsWith(prefix) ? whole.slice(prefix.length) : this.engine.detokenize([token]);
  }

  /** Pieces for positions [from, to). */
  range(from: number, to: number = this.tokens.length): Promise<string[]> {
    return Promise.all(Array.from({ length: Math.max(0, to - from) }, (_, i) => this.at(from + i)));
  }
}
