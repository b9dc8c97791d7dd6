/**
 * Where the earliest stop string occurs in `text`, looking only at `searchFrom` onwards (callers pass the start of
 * the newly decoded text less the longest stop string, so each step rescans only the tail). Null if none occurs.
 */
export function findStop(
  text: string,
  stops: readonly string[],
  searchFrom = 0,
): { readonly index: number; readonly stop: string } | null {
  let best: { index: number; stop: string } | null = null;
  for (const stop of stops) {
    if (stop === "") continue;
    const index = text.indexOf(stop, Math.max(0, searchFrom));
    if (index >= 0 && (best === null || index < best.index)) best = { index, stop };
  }
  return best;
}
