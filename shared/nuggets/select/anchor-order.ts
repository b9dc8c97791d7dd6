/**
 * The order a `select` run scores a candidate's anchors in: a permutation drawn from the job's seed and the
 * candidate's content hash (Fisher–Yates over mulberry32). Random, so the first anchors scored are a fair sample of
 * the set and a verdict comes early; drawn from the content, not the position, so the same example scores the same
 * anchors first in any dataset it appears in (and finds them in the one-shot cache).
 */
import { createHash } from "node:crypto";
import type { NuggetsExample } from "../../../schemas/nuggets.js";
import { mulberry32 } from "../../random/mulberry32.js";

/**
 * A candidate's content hash: what its one-shot prompt is rendered from (`input` absent and empty render alike).
 *
 * @example
 * candidateHash({ instruction: "Add 2 and 3.", output: "5" }) === candidateHash({ instruction: "Add 2 and 3.", input: "", output: "5" });
 */
export function candidateHash(example: NuggetsExample): string {
  return createHash("sha256")
    .update(JSON.stringify(["nuggets-candidate/1", example.instruction, example.input ?? "", example.output]))
    .digest("hex");
}

/**
 * A permutation of 0..anchors-1 from (seed, candidate hash). Deterministic across machines and Node versions.
 *
 * @example
 * anchorOrder(0, candidateHash(example), 20); // e.g. [13, 2, 17, …], the same on every run
 */
export function anchorOrder(seed: number, hash: string, anchors: number): number[] {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  // 32 bits of the candidate's hash, mixed with the seed's low and high words.
  const mixed = (Number.parseInt(hash.slice(0, 8), 16) ^ (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) | 0, 0x9e3779b1)) >>> 0;
  const next = mulberry32(mixed);
  const order = Array.from({ length: anchors }, (_, i) => i);
  for (let i = anchors - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
