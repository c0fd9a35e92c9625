/**
 * Exact counts: parameters, MACs and bytes. A count is a number while it is at most 2^53 (every
 * integer up to there is exact in a double), and its decimal digits beyond — the contract's rule for
 * `summary --json` ("Counts that exceed 2^53 are exact: such a count is a decimal string"), kept in
 * memory too so that the analysis stays plain JSON across process boundaries.
 */
export type Count = number | string;

const LIMIT = 2n ** 53n;

/** The count of an exact integer. */
export function toCount(n: bigint): Count {
  return n <= LIMIT && n >= -LIMIT ? Number(n) : n.toString();
}

/** The exact integer of a count (a number count must be an integer). */
export function countBig(c: Count): bigint {
  return BigInt(c);
}

/** Exact sum. */
export function addCounts(...cs: readonly Count[]): Count {
  let s = 0n;
  for (const c of cs) s += BigInt(c);
  return toCount(s);
}

/** Exact sum of `pick` over the items. */
export function sumCounts<T>(items: readonly T[], pick: (x: T) => Count): Count {
  let s = 0n;
  for (const x of items) s += BigInt(pick(x));
  return toCount(s);
}

/** Exact product of integers (each a safe integer or a count). */
export function product(...factors: readonly (number | bigint | string)[]): bigint {
  let p = 1n;
  for (const f of factors) p *= BigInt(f);
  return p;
}

/** The nearest double, for rounded displays (`1.15G`) and comparisons. */
export function countNumber(c: Count): number {
  return typeof c === "number" ? c : Number(c);
}

/** `1,234,567`: every digit, exact. */
export function countDigits(c: Count): string {
  return typeof c === "number" ? groupedNumber(c) : groupDigits(c);
}

/**
 * `n.toLocaleString("en-US")`, without loading ICU's locale data for a safe integer (the first
 * toLocaleString of a process costs 40–100 ms, most of `cnn-studio summary`'s formatting).
 */
export function groupedNumber(n: number): string {
  return Number.isSafeInteger(n) && !Object.is(n, -0) ? groupDigits(String(n)) : n.toLocaleString("en-US");
}

function groupDigits(digits: string): string {
  const neg = digits.startsWith("-");
  const d = neg ? digits.slice(1) : digits;
  let out = "";
  for (let i = 0; i < d.length; i++) {
    if (i > 0 && (d.length - i) % 3 === 0) out += ",";
    out += d[i];
  }
  return (neg ? "-" : "") + out;
}

/**
 * `c / 10^exponent` with `decimals` digits after the point, rounded half up, exact for every count
 * (`toFixed` would round the double and switch to exponent notation from 1e21).
 */
export function countFixed(c: Count, exponent: number, decimals: number): string {
  const n = BigInt(c);
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const shift = exponent - decimals;
  const scaled = shift >= 0 ? (abs + (shift > 0 ? 5n * 10n ** BigInt(shift - 1) : 0n)) / 10n ** BigInt(shift) : abs * 10n ** BigInt(-shift);
  const digits = scaled.toString().padStart(decimals + 1, "0");
  const int = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals);
  return `${neg ? "-" : ""}${int}${decimals > 0 ? `.${frac}` : ""}`;
}
