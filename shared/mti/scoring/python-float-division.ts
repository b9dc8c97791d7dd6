/**
 * Python's floor division and modulo of floats, transcribed from CPython's `_float_div_mod` and `float_rem`
 * (Objects/floatobject.c). JavaScript's `%` is C's `fmod` (exact, sign of the dividend), so the steps carry over
 * one for one, including the signs of zero results. C's `if (x)` is true for NaN, JavaScript's is not, hence the
 * explicit `!== 0`.
 */
import { raises } from "./python-evaluation-error.js";

/**
 * `vx // wx` for floats.
 *
 * @example
 * pythonFloatFloorDiv(-7.5, 2); // -4
 */
export function pythonFloatFloorDiv(vx: number, wx: number): number {
  if (wx === 0) throw raises("ZeroDivisionError: float floor division by zero");
  let mod = vx % wx;
  let div = (vx - mod) / wx;
  if (mod !== 0) {
    if (wx < 0 !== mod < 0) {
      mod += wx;
      div -= 1;
    }
  }
  if (div !== 0) {
    let floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
    return floordiv;
  }
  const quotient = vx / wx; // copysign(0.0, vx / wx)
  return quotient < 0 || Object.is(quotient, -0) ? -0 : 0;
}

/**
 * `vx % wx` for floats: the result has the sign of the divisor.
 *
 * @example
 * pythonFloatMod(7.5, -2); // -0.5
 */
export function pythonFloatMod(vx: number, wx: number): number {
  if (wx === 0) throw raises("ZeroDivisionError: float modulo");
  let mod = vx % wx;
  if (mod !== 0) {
    if (wx < 0 !== mod < 0) mod += wx;
  } else {
    mod = wx < 0 || Object.is(wx, -0) ? -0 : 0;
  }
  return mod;
}
