/**
 * Where a free-form step's answer is in an output (assay's rule; MTI-Bench's free-form tasks have no tags for most
 * steps and the authors publish no scorer):
 * 1. `<taskN>…<taskN/>` (or `</taskN>` when lenient) when the output has it — the tasks that ask for it (030-033,
 *    step 2) get their tag's content;
 * 2. otherwise, an output that answers this step alone (Single-Task Inference, a lone batch instance) is the answer,
 *    whole and stripped;
 * 3. otherwise the output is cut at step markers — a line starting `#k`, `Step k`, `(k)` or `k.`/`k)`/`k:` for an
 *    instance's steps (Multi-Task Inference), or `Instruction 1` / `Instruction 2` for a batch pair's instances
 *    (followed by the step marker inside, when there is one) — and the answer is the text after the marker, up to the
 *    next marker; with no marker for it the answer is empty (ROUGE-L 0).
 */
import type { MtiAnswerLocation } from "../run/run-unit.js";
import { nthTaskAnswer } from "../run/answer-scorer.js";
import { pythonStrip } from "../scoring/python-strip.js";

const stepMarker = (k: number) => new RegExp(`^[ \\t]*(?:#{1,6}[ \\t]*)?(?:#[ \\t]*${k}\\b|step[ \\t]*#?[ \\t]*${k}\\b|\\(${k}\\)|${k}[.):])[ \\t:.)-]*`, "im");
const instanceMarker = (slot: number) => new RegExp(`^[ \\t]*(?:#{1,6}[ \\t]*)?instruction[ \\t]*${slot + 1}\\b[ \\t:.)-]*`, "im");

/** The text after the first match of `marker` up to the first match of any of `others` after it. */
function section(text: string, marker: RegExp, others: readonly RegExp[]): string | null {
  const m = marker.exec(text);
  if (m === null) return null;
  const rest = text.slice(m.index + m[0].length);
  let end = rest.length;
  for (const o of others) {
    const n = o.exec(rest);
    if (n !== null && n.index < end) end = n.index;
  }
  return rest.slice(0, end);
}

/**
 * The answer text for one step under the rule above, and how it was found.
 *
 * @example
 * segmentAnswer("#1: Hallo Welt\n#2: Ein Gruß", { step: 2, tag: 2, occurrence: 0, call: { kind: "all-steps", steps: 2 } }, false);
 * // { text: "Ein Gruß", how: "marker", lenient: false }
 */
export function segmentAnswer(output: string, at: MtiAnswerLocation, lenient: boolean): { text: string; how: "tag" | "whole" | "marker" | "none"; lenient: boolean } {
  const tagged = nthTaskAnswer(output, at.tag, at.occurrence, lenient);
  if (tagged !== null) return { text: tagged.text, how: "tag", lenient: tagged.lenientClose };
  const { call } = at;
  if (call.kind === "one-step") return { text: pythonStrip(output), how: "whole", lenient: false };
  let scope = output;
  if (call.kind === "pair") {
    const mine = section(output, instanceMarker(call.slot), [instanceMarker(1 - call.slot)]);
    if (mine === null) return { text: "", how: "none", lenient: false };
    scope = mine;
    const inner = section(scope, stepMarker(at.step), [stepMarker(at.step + 1)]);
    const text = pythonStrip(inner ?? scope);
    return { text, how: text === "" ? "none" : "marker", lenient: false };
  }
  const others = Array.from({ length: call.steps }, (_, i) => i + 1).filter((k) => k !== at.step).map(stepMarker);
  const mine = section(scope, stepMarker(at.step), others);
  const text = mine === null ? "" : pythonStrip(mine);
  return { text, how: text === "" ? "none" : "marker", lenient: false };
}
