/**
 * Zero-shot sums are computed once per (model, preset, anchor tokens, context size) and cached per tenant under a
 * content hash, so a later job over the same anchors on the same model reuses them without calling the engine.
 */
import { NuggetsZeroShotRecordSchema, type NuggetsPreset, type NuggetsZeroShotRecord } from "../../../schemas/nuggets.js";
import type { Engine } from "../../engines/engine.js";
import type { ObjectStore } from "../../store/object-store.js";
import type { PreparedAnchor } from "../anchor-tokens.js";
import { zeroShotScores } from "../score-candidate.js";
import { stableHash } from "../../jobs/job-id.js";
import { tenantKey } from "../../store/tenant-key.js";

/** Anchors per zero-shot engine call: bounded so one request stays a reasonable size for an HTTP endpoint. */
const ZERO_SHOT_BATCH = 32;

/**
 * The content hash: everything the sums depend on. The token ids stand for the tokenizer and the anchor texts; the
 * context size matters because it can cut anchors; BOS because the `paper` preset prepends it.
 */
export function zeroShotHash(
  engine: Pick<Engine, "model" | "contextSize" | "bosToken">,
  preset: NuggetsPreset,
  anchors: readonly PreparedAnchor[],
): string {
  return stableHash({
    kind: "nuggets-zeroshot/1",
    model: engine.model,
    contextSize: engine.contextSize,
    bosToken: engine.bosToken,
    preset,
    anchors: anchors.map((a) => [a.spanStart, a.tokens]),
  });
}

/** Where the zero-shot sums for one content hash are cached. */
export function zeroShotCacheKey(tenant: string, hash: string): string {
  return tenantKey(tenant, "cache", "nuggets-zeroshot", `${hash}.json`);
}

/** The cached sums, or computed, stored (create-once) and returned. */
export async function zeroShotViaCache(
  store: ObjectStore,
  tenant: string,
  engine: Engine,
  preset: NuggetsPreset,
  anchors: readonly PreparedAnchor[],
): Promise<{ key: string; record: NuggetsZeroShotRecord; cached: boolean }> {
  const key = zeroShotCacheKey(tenant, zeroShotHash(engine, preset, anchors));
  const hit = await store.getJsonOrNull(key, NuggetsZeroShotRecordSchema);
  if (hit && hit.zeroShot.length === anchors.length) return { key, record: hit, cached: true };
  const zeroShot: number[] = [];
  for (let i = 0; i < anchors.length; i += ZERO_SHOT_BATCH) {
    zeroShot.push(...(await zeroShotScores(anchors.slice(i, i + ZERO_SHOT_BATCH), engine, preset)));
  }
  const record: NuggetsZeroShotRecord = NuggetsZeroShotRecordSchema.parse({
    version: 1,
    preset: preset.name,
    maxAnchorTokens: preset.maxAnchorTokens,
    model: engine.model,
    zeroShot,
    spanTokens: anchors.map((a) => a.spanEnd - a.spanStart),
  });
  // Another job may have computed the same sums meanwhile: same content, so either copy is right.
  await store.createOnceJson(key, record, NuggetsZeroShotRecordSchema);
  return { key, record, cached: false };
}
