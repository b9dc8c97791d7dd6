/**
 * A small seeded PRNG (mulberry32) so sampled generations are reproducible from `seed` alone, independent of
 * llama.cpp's sampler state. Returns floats in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  // Any integer seed (vLLM accepts int64) folds into 32 bits.
  let state = Number(BigInt.asUintN(32, BigInt(Math.trunc(seed))));
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for requests that give none. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
