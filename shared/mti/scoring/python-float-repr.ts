/**
 * `repr(float)` as CPython 3 prints it (`float_repr_style == 'short'`). The digits are the shortest that round-trip,
 * which are also the digits of JavaScript's `Number.prototype.toString`; only the layout differs: Python switches to
 * scientific notation when the decimal exponent is below -4 or at least 16, writes the exponent with a sign and at
 * least two digits, and gives an integral float a trailing ".0" in fixed notation.
 */

/** The shortest round-trip digits of a positive finite double and its decimal exponent (value = d.ddd × 10^exponent). */
function shortestDigits(x: number): { digits: string; exponent: number } {
  const text = String(x);
  const e = text.indexOf("e");
  if (e >= 0) return { digits: text.slice(0, e).replace(".", ""), exponent: Number(text.slice(e + 1)) };
  const [whole = "", fraction = ""] = text.split(".");
  if (whole !== "0") {
    return { digits: (whole + fraction).replace(/0+$/, ""), exponent: whole.length - 1 };
  }
  const zeros = /^0*/.exec(fraction)![0].length;
  return { digits: fraction.slice(zeros), exponent: -(zeros + 1) };
}

/**
 * `repr(x)` (and `str(x)`) of a Python float.
 *
 * @example
 * pythonFloatRepr(1e-5); // "1e-05"
 * pythonFloatRepr(1e16); // "1e+16"
 * pythonFloatRepr(1e15); // "1000000000000000.0"
 * pythonFloatRepr(-0); // "-0.0"
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const { digits, exponent } = shortestDigits(Math.abs(x));
  if (exponent < -4 || exponent >= 16) {
    const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const magnitude = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${mantissa}e${exponent < 0 ? "-" : "+"}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits.padEnd(exponent + 1, "0")}.0`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}
