/** Number formats of the report tables. */

/** µs as ms, with a precision that suits its size. */
export const ms = (us: number) => (us >= 10_000 ? (us / 1000).toFixed(0) : us >= 1000 ? (us / 1000).toFixed(1) : (us / 1000).toFixed(2));
/** A whole number with thousands separators. */
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
/** a ÷ b as `1.23×`, or `—` when b is 0 or missing. */
export const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '—');
