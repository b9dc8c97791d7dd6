/**
 * Choosing an anchor set (REFERENCE.md §1): `random` (size, seed) and `kmeans` (k, seed). A provided file needs no
 * code here: it is a dataset (`parseDataset`).
 */
import { kmeans } from "ml-kmeans";
import { ValidationError } from "../errors.js";
import type { NuggetsExample } from "../../schemas/nuggets.js";
import { mulberry32 } from "../random/mulberry32.js";
import { renderExample } from "./template.js";

/** A chosen anchor set: `examples[i]` is `pool[indices[i]]`; indices ascending, distinct. */
export interface AnchorSet {
  readonly indices: number[];
  readonly examples: NuggetsExample[];
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new ValidationError("seed must be an integer", { seed });
}

/**
 * `size` distinct examples drawn uniformly without replacement (a partial Fisher–Yates shuffle driven by
 * mulberry32), the same for the same pool, size and seed. The paper's "1000 random samples" has no code, so the
 * seed is what makes a run repeatable.
 *
 * @example
 * randomAnchors(pool, 1000, 0).indices; // the same 1000 indices every time
 */
export function randomAnchors(pool: readonly NuggetsExample[], size: number, seed: number): AnchorSet {
  checkSeed(seed);
  if (!Number.isInteger(size) || size < 1 || size > pool.length) {
    throw new ValidationError(`anchor set size must be between 1 and the pool's ${pool.length} examples`, { size });
  }
  const next = mulberry32(seed);
  const order = Array.from(pool, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(next() * (order.length - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const indices = order.slice(0, size).sort((a, b) => a - b);
  return { indices, examples: indices.map((i) => pool[i]!) };
}

/** Embeds texts, one vector per text in order (e.g. `(t) => engine.embed(t)`; batching is the caller's). */
export type Embed = (texts: string[]) => Promise<number[][]>;

/** Options for {@link kmeansAnchors}. */
export interface KmeansAnchorOptions {
  /** Lloyd iterations at most (ml-kmeans' default 100). */
  readonly maxIterations?: number;
}

/**
 * K-Means anchors: embed each example's full templated text, cluster with ml-kmeans (k-means++ init, seeded), and take
 * the example nearest each centre (squared Euclidean). When two centres share a nearest example, the later centre
 * takes its nearest example not yet taken, so the set has exactly k examples. The authors used scikit-learn
 * `KMeans(100, random_state=0)`; a different k-means++ random stream means the same seed does not pick the same set.
 *
 * @example
 * const { indices } = await kmeansAnchors(pool, (texts) => engine.embed(texts), 100, 0);
 */
export async function kmeansAnchors(
  examples: readonly NuggetsExample[],
  embed: Embed,
  k: number,
  seed: number,
  options: KmeansAnchorOptions = {},
): Promise<AnchorSet & { centroids: number[][] }> {
  checkSeed(seed);
  if (!Number.isInteger(k) || k < 1 || k > examples.length) {
    throw new ValidationError(`k must be between 1 and the pool's ${examples.length} examples`, { k });
  }
  const vectors = await embed(examples.map((e) => renderExample(e).full));
  return kmeansAnchorsFromVectors(examples, vectors, k, seed, options);
}

/**
 * {@link kmeansAnchors} over embeddings computed already (`vectors[i]` for `examples[i]`), e.g. in checkpointed
 * chunks across several invocations.
 */
export function kmeansAnchorsFromVectors(
  examples: readonly NuggetsExample[],
  vectors: number[][],
  k: number,
  seed: number,
  options: KmeansAnchorOptions = {},
): AnchorSet & { centroids: number[][] } {
  checkSeed(seed);
  if (!Number.isInteger(k) || k < 1 || k > examples.length) {
    throw new ValidationError(`k must be between 1 and the pool's ${examples.length} examples`, { k });
  }
  checkVectors(vectors, examples.length);
  const result = kmeans(vectors, k, {
    initialization: "kmeans++",
    seed,
    ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
  });
  const centroids = result.centroids;
  const taken = new Set<number>();
  for (const centre of centroids) {
    let best = -1;
    let bestDistance = Infinity;
    vectors.forEach((v, i) => {
      if (taken.has(i)) return;
      const d = squaredDistance(v, centre);
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    });
    taken.add(best);
  }
  const indices = [...taken].sort((a, b) => a - b);
  return { indices, examples: indices.map((i) => examples[i]!), centroids };
}

function checkVectors(vectors: number[][], expected: number): void {
  if (!Array.isArray(vectors) || vectors.length !== expected) {
    throw new ValidationError(`embedding returned ${vectors?.length} vectors for ${expected} texts`);
  }
  const dim = vectors[0]?.length ?? 0;
  if (dim === 0) throw new ValidationError("embedding vectors are empty");
  vectors.forEach((v, i) => {
    if (v.length !== dim || !v.every(Number.isFinite)) {
      throw new ValidationError(`embedding ${i} has the wrong length or a non-finite value`, { index: i, dim });
    }
  });
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}
