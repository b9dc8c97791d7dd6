/**
 * `float ** float` as CPython's `float_pow` (Objects/floatobject.c) computes it: the special cases (zero, one,
 * negative bases, infinities, NaN) are Python's own code and are reproduced exactly; the general case calls the C
 * library's `pow`, whose last bit is the library's business. That case is reproduced only for integral exponents,
 * where the exact result is a rational computable with BigInt: it is accepted when it is representable, or when it
 * lies far enough from a rounding midpoint that any `pow` within glibc's documented 0.54 ULP error bound (glibc ≥ 2.28,
 * the ARM optimized-routines `pow`, which rounds subnormal results once) must return the correctly rounded double.
 * Everything else (fractional exponents such as `2 ** 0.5`, results near a midpoint) is not evaluated.
 */
import { bitLength, doubleToRational, roundRational } from "./exact-double.js";
import { raises, unsupported } from "./python-evaluation-error.js";

/** A correctly rounded result this close to a midpoint (in ULP) might be rounded the other way by libm's pow. */
const MIDPOINT_MARGIN = 0.05;
/** Exact powers are computed with BigInt only up to this many bits. */
const MAX_EXACT_BITS = 1 << 18;

/** CPython's DOUBLE_IS_ODD_INTEGER. */
function isOddInteger(x: number): boolean {
  return Number.isFinite(x) && Number.isInteger(x) && Math.abs(x % 2) === 1;
}

/** |base| ** exponent for a positive finite base ≠ 1 and a non-zero integral exponent, or a failure. */
function exactPositivePow(base: number, exponent: number): number {
  const estimate = exponent * Math.log2(base);
  if (estimate > 1030) throw raises("OverflowError: (34, 'Numerical result out of range')");
  if (estimate < -1090) return 0; // far below the smallest subnormal: every pow underflows to 0 (Python allows it)
  const { numerator, denominator } = doubleToRational(base);
  const n = Math.abs(exponent);
  if (bitLength(numerator) * n > MAX_EXACT_BITS || bitLength(denominator) * n > MAX_EXACT_BITS) {
    throw unsupported("exponent too large to evaluate exactly");
  }
  const power = BigInt(n);
  const [top, bottom] = exponent > 0 ? [numerator ** power, denominator ** power] : [denominator ** power, numerator ** power];
  const rounded = roundRational(top, bottom);
  if (!Number.isFinite(rounded.value)) throw raises("OverflowError: (34, 'Numerical result out of range')");
  if (rounded.exact) return rounded.value;
  // The bound is on the result before its final rounding, so it holds in the subnormal range as well.
  if (Math.abs(rounded.ulpFraction - 0.5) < MIDPOINT_MARGIN) throw unsupported("pow result too close to a rounding midpoint");
  return rounded.value;
}

/**
 * `iv ** iw` for two Python floats.
 *
 * @throws PythonEvaluationError (`raises`) where CPython raises (0.0 to a negative power, overflow);
 *   (`unsupported`) for complex results and results that depend on the C library.
 * @example
 * pythonFloatPow(2, -1); // 0.5
 * pythonFloatPow(1.1, 2); // 1.2100000000000002
 */
export function pythonFloatPow(iv: number, iw: number): number {
  if (iw === 0) return 1;
  if (Number.isNaN(iv)) return iv;
  if (Number.isNaN(iw)) return iv === 1 ? 1 : iw;
  if (!Number.isFinite(iw)) {
    const magnitude = Math.abs(iv);
    if (magnitude === 1) return 1;
    return iw > 0 === magnitude > 1 ? Math.abs(iw) : 0;
  }
  if (!Number.isFinite(iv)) {
    const odd = isOddInteger(iw);
    if (iw > 0) return odd ? iv : Math.abs(iv);
    return odd ? (iv < 0 ? -0 : 0) : 0;
  }
  if (iv === 0) {
    if (iw < 0) throw raises("ZeroDivisionError: 0.0 cannot be raised to a negative power");
    return isOddInteger(iw) ? iv : 0;
  }
  let base = iv;
  let negate = false;
  if (base < 0) {
    if (!Number.isInteger(iw)) throw unsupported("a negative number to a fractional power is complex");
    base = -base;
    negate = isOddInteger(iw);
  }
  if (base === 1) return negate ? -1 : 1;
  if (!Number.isInteger(iw)) throw unsupported("fractional exponents depend on the C library's pow");
  const result = exactPositivePow(base, iw);
  return negate ? -result : result;
}
