/**
 * Exact conversions between rationals and doubles, for the places where CPython rounds an exact quantity once
 * (`int / int` in `long_true_divide`) and for checking what a correctly rounded `pow` must return.
 */

/** Number of bits in |n| (0 for 0). */
export function bitLength(n: bigint): number {
  if (n < 0n) n = -n;
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + Math.floor(Math.log2(parseInt(hex[0]!, 16))) + 1;
}

/** m × 2^e for an integer m below 2^54 whose product is representable; avoids 2^e under- or overflowing on its own. */
function scaleByPowerOfTwo(m: number, e: number): number {
  let value = m;
  let rest = e;
  while (rest > 1000) {
    value *= 2 ** 1000;
    rest -= 1000;
  }
  while (rest < -1000) {
    value *= 2 ** -1000;
    rest += 1000;
  }
  return value * 2 ** rest;
}

/** A rational rounded to the nearest double, ties to even. */
export interface RoundedRational {
  /** The double, ±Infinity when the magnitude rounds past the largest finite double. */
  readonly value: number;
  /** Whether the rational is exactly representable. */
  readonly exact: boolean;
  /** Where the rational lies between the two neighbouring doubles, in units of the last place (0 ≤ f < 1). */
  readonly ulpFraction: number;
  /** Whether the result is below the normal range (a subnormal or zero from a non-zero rational). */
  readonly subnormal: boolean;
}

/**
 * Correctly rounds `numerator / denominator` to a double (round half to even, gradual underflow).
 *
 * @example
 * roundRational(1n, 3n).value; // 0.3333333333333333
 * roundRational(2n ** 1024n, 2n).value; // 8.98846567431158e+307
 */
export function roundRational(numerator: bigint, denominator: bigint): RoundedRational {
  if (denominator === 0n) throw new RangeError("denominator must not be zero");
  const negative = numerator < 0n !== denominator < 0n;
  const a = numerator < 0n ? -numerator : numerator;
  const b = denominator < 0n ? -denominator : denominator;
  const signed = (x: number) => (negative ? -x : x);
  if (a === 0n) return { value: signed(0), exact: true, ulpFraction: 0, subnormal: false };

  // A quotient of ≥ 120 bits leaves ≥ 67 bits below the kept 53, enough to tell how far from a midpoint it lies.
  const shift = 120 - (bitLength(a) - bitLength(b));
  const n = shift >= 0 ? a << BigInt(shift) : a;
  const d = shift >= 0 ? b : b << BigInt(-shift);
  const q = n / d;
  const sticky = n % d !== 0n;
  const qBits = bitLength(q);
  const topExponent = qBits - 1 - shift; // the value lies in [2^topExponent, 2^(topExponent+1))
  const subnormal = topExponent < -1022;
  const keep = subnormal ? 53 - (-1022 - topExponent) : 53;
  const drop = qBits - keep; // ≥ 67 - 53 > 0 in the normal range, larger for subnormals
  const dropped = q & ((1n << BigInt(drop)) - 1n);
  let mantissa = q >> BigInt(drop);
  const half = 1n << BigInt(drop - 1);
  if (dropped > half || (dropped === half && (sticky || (mantissa & 1n) === 1n))) mantissa += 1n;
  const exact = dropped === 0n && !sticky;
  // 64 leading bits of the dropped part are plenty for a fraction compared against margins like 0.05.
  const fractionBits = Math.min(drop, 64);
  const ulpFraction = Number(dropped >> BigInt(drop - fractionBits)) / 2 ** fractionBits;
  const exponent = drop - shift;
  if (topExponent > 1023) return { value: signed(Infinity), exact: false, ulpFraction, subnormal: false };
  const value = scaleByPowerOfTwo(Number(mantissa), exponent);
  return { value: signed(value), exact, ulpFraction, subnormal };
}

/**
 * A finite double as an exact fraction `numerator / 2^k` (`denominator` a power of two, `numerator` odd unless zero).
 *
 * @example
 * doubleToRational(0.75); // { numerator: 3n, denominator: 4n }
 */
export function doubleToRational(x: number): { numerator: bigint; denominator: bigint } {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite double: ${x}`);
  if (x === 0) return { numerator: 0n, denominator: 1n };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n === 1n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  let mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  let exponent = (biased === 0 ? 1 : biased) - 1075;
  while ((mantissa & 1n) === 0n) {
    mantissa >>= 1n;
    exponent += 1;
  }
  return exponent >= 0
    ? { numerator: sign * (mantissa << BigInt(exponent)), denominator: 1n }
    : { numerator: sign * mantissa, denominator: 1n << BigInt(-exponent) };
}
