/**
 * mulberry32: a small seeded 32-bit PRNG. Deterministic across platforms and Node versions (integer arithmetic
 * only), which is what a recorded seed needs; not for anything secret.
 *
 * @example
 * const next = mulberry32(42);
 * next(); // same value on every run, in [0, 1)
 */
export function mulberry32(seed: number): () => number {
  // Seeds equal modulo 2^32 give the same stream.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
