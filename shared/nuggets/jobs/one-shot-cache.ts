/**
 * One-shot sums kept per (model identity, preset, anchor cap, anchor set, candidate content), so a job over a dataset
 * that shares examples with an earlier job scores only what it has not seen. The anchor side of the key is the
 * zero-shot cache's content hash (model, context size, BOS, preset with its cap, the anchors' tokens and spans); the
 * candidate side is the example's content hash. One small object per candidate:
 *
 *   t/{tenant}/cache/nuggets-oneshot/{zeroShotHash}/{candidateHash}.json   {"version":1,"oneShot":[-301.2,null,…]}
 *
 * Entries may be partial (a `select` job scores only some anchors); a later job merges what it adds. Writes are
 * last-writer-wins: two jobs writing one candidate at once write sums for the same pairs, so the worst a race does
 * is forget some sums, which are then scored again. A cache entry is an optimisation, never a source of truth: one
 * that does not parse or does not match the anchor count is ignored.
 */
import { z } from "zod";
import type { NuggetsExample } from "../../../schemas/nuggets.js";
import type { ObjectStore } from "../../store/object-store.js";
import { tenantKey } from "../../store/tenant-key.js";
import { candidateHash } from "../select/anchor-order.js";

export const OneShotCacheEntrySchema = z.object({
  version: z.literal(1),
  oneShot: z.array(z.number().nullable()),
});
export type OneShotCacheEntry = z.infer<typeof OneShotCacheEntrySchema>;

/** The cache of one anchor set (identified by its zero-shot content hash) for one tenant. */
export class OneShotCache {
  constructor(
    private readonly store: ObjectStore,
    private readonly tenant: string,
    /** `zeroShotHash(engine, preset, anchors)`. */
    readonly anchorSetHash: string,
    private readonly anchors: number,
  ) {}

  /** The folder holding this anchor set's entries. */
  get prefix(): string {
    return tenantKey(this.tenant, "cache", "nuggets-oneshot", this.anchorSetHash) + "/";
  }

  key(example: NuggetsExample): string {
    return `${this.prefix}${candidateHash(example)}.json`;
  }

  /** The sums known for a candidate (null where unknown), or null when nothing is. */
  async get(example: NuggetsExample): Promise<(number | null)[] | null> {
    let entry: OneShotCacheEntry | null;
    try {
      entry = await this.store.getJsonOrNull(this.key(example), OneShotCacheEntrySchema);
    } catch {
      return null; // malformed: ignored, and overwritten by the next write
    }
    return entry && entry.oneShot.length === this.anchors ? entry.oneShot : null;
  }

  /** Stores `oneShot` merged over `known` when it adds a sum; returns whether anything was written. */
  async put(example: NuggetsExample, known: readonly (number | null)[] | null, oneShot: readonly (number | null)[]): Promise<boolean> {
    if (oneShot.length !== this.anchors) return false;
    const merged = oneShot.map((v, j) => v ?? known?.[j] ?? null);
    const adds = merged.some((v, j) => v !== null && (known?.[j] ?? null) === null);
    if (!adds) return false;
    await this.store.putJson(this.key(example), { version: 1, oneShot: merged }, OneShotCacheEntrySchema);
    return true;
  }

  /** How many (candidate, anchor) sums are known for each candidate, or null for none. */
  async knownPairs(example: NuggetsExample): Promise<number> {
    const known = await this.get(example);
    return known ? known.filter((v) => v !== null).length : 0;
  }
}
