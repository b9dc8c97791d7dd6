import { mulberry32 } from "../../random/mulberry32.js";

/**
 * Seeded randomness for sampled generations, so they are reproducible from `seed` alone, independent of llama.cpp's
 * sampler state. Any integer seed (vLLM accepts int64) folds into 32 bits. Returns floats in [0, 1).
 */
export const seededRandom = (seed: number): (() => number) => mulberry32(Math.trunc(seed));

/** A seed for requests that give none. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
