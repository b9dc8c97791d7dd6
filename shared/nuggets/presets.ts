/**
 * The NUGGETS presets. Both score the same tokens; they differ where the authors' code differs from the paper
 * (REFERENCE.md §1):
 * - `paper` (default): BOS in front of both conditions, so the only difference between them is the demonstration;
 *   the anchor is cut only where the engine's context forces it.
 * - `reference`: the authors' code — no BOS in the zero-shot sequence, BOS before the candidate in the one-shot
 *   sequence, anchor query+output cut to 200 tokens.
 */
import { ValidationError } from "../errors.js";
import type { NuggetsPreset, NuggetsPresetName } from "../../schemas/nuggets.js";

/** The registry of presets, by name. */
export const NUGGETS_PRESETS: Readonly<Record<NuggetsPresetName, NuggetsPreset>> = Object.freeze({
  paper: Object.freeze({ name: "paper", zeroShotBos: true, oneShotBos: true, maxAnchorTokens: null }),
  reference: Object.freeze({ name: "reference", zeroShotBos: false, oneShotBos: true, maxAnchorTokens: 200 }),
});

/** The preset assay uses when a caller names none. */
export const DEFAULT_NUGGETS_PRESET: NuggetsPresetName = "paper";

/**
 * A preset by name, with `maxAnchorTokens` optionally overridden (`null` lifts the cap; `undefined` keeps the
 * preset's own).
 *
 * @example
 * resolvePreset("reference", { maxAnchorTokens: 256 }); // reference quirks, anchors cut at 256 tokens
 */
export function resolvePreset(
  name: NuggetsPresetName = DEFAULT_NUGGETS_PRESET,
  overrides: { maxAnchorTokens?: number | null | undefined } = {},
): NuggetsPreset {
  const base = NUGGETS_PRESETS[name];
  if (!base) throw new ValidationError(`unknown NUGGETS preset "${String(name)}"`, { known: Object.keys(NUGGETS_PRESETS) });
  const cap = overrides.maxAnchorTokens;
  if (cap !== undefined && cap !== null && !(Number.isInteger(cap) && cap > 0)) {
    throw new ValidationError("maxAnchorTokens must be a positive integer or null", { maxAnchorTokens: cap });
  }
  return cap === undefined ? base : { ...base, maxAnchorTokens: cap };
}
