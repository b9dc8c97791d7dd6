/**
 * ROUGE-L for MTI-Bench's free-form tasks (translation, summary), as the paper reports per step; the authors publish
 * no scorer. Computed by js-rouge (promptfoo's maintained fork of the `rouge` package): summary-level ROUGE-L — the
 * union longest common subsequence over its sentence segmentation — as an F-measure with β = 1, on its Penn-Treebank
 * tokenizer, case-insensitive. An empty answer (or reference) scores 0 rather than the library's error.
 */
import { l as rougeLibraryL } from "js-rouge";

/**
 * @example
 * rougeL("the cat sat on the mat", "The cat sat on a mat"); // 0.833…
 */
export function rougeL(candidate: string, reference: string): number {
  if (candidate.trim() === "" || reference.trim() === "") return 0;
  const score = rougeLibraryL(candidate, reference, { caseSensitive: false });
  return Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
}
