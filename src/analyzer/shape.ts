import type { Dim, Shape } from "../shared/analysis";
import { groupedNumber } from "../shared/count";

/**
 * Dimension arithmetic. A dimension is a number or a symbolic expression of the batch: `"N"`, a
 * multiple `"N*64"`, an exact division `"N/4"`, or both `"N*3/4"` (a reshape folds the batch
 * into another axis, or model code computes `x.shape[0] * 64`).
 */

/** A symbolic dimension `name × num / den`, with num/den in lowest terms (den ≥ 1). */
export interface SymTerm {
  name: string;
  num: number;
  den: number;
}

/** Reads "N", "N*64", "N/4", "N*3/4" (and the older "4*N"). Anything else is a plain name. */
export function parseTerm(d: string): SymTerm {
  const m = /^([A-Za-z_][\w]*)(?:\*(\d+))?(?:\/(\d+))?$/.exec(d);
  if (m) return { name: m[1]!, num: Number(m[2] ?? 1), den: Number(m[3] ?? 1) };
  const legacy = /^(\d+)\*(.+)$/.exec(d);
  if (legacy) return { name: legacy[2]!, num: Number(legacy[1]), den: 1 };
  return { name: d, num: 1, den: 1 };
}

/** The multiple of the batch (a whole multiple; a division counts as its numerator) and its name. */
export function parseSym(d: string): { coef: number; name: string } {
  const t = parseTerm(d);
  return { coef: t.num / t.den, name: t.name };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** `name × num / den` as a dimension: a number when num is 0, else "N", "N*64", "N/4", "N*3/4". */
export function formatTerm(name: string, num: number, den: number): Dim {
  if (num === 0) return 0;
  const g = gcd(num, den);
  const [n, d] = [num / g, den / g];
  return `${name}${n === 1 ? "" : `*${n}`}${d === 1 ? "" : `/${d}`}`;
}

export function isSymbolic(d: Dim): d is string {
  return typeof d === "string";
}

/** A product of dimensions: `name × num / den`, name null when every dimension is a number. */
export interface Numel {
  num: number;
  den: number;
  name: string | null;
}

/**
 * Product of the dimensions; undefined when it is not computable exactly: two symbols, or a
 * product above 2^53 (a double would round it, and a rounded size would be wrong).
 */
export function numel(shape: readonly Dim[]): Numel | undefined {
  let num = 1;
  let den = 1;
  let name: string | null = null;
  for (const d of shape) {
    if (typeof d === "number") num *= d;
    else {
      const s = parseTerm(d);
      if (name !== null) return undefined; // N*M: two symbols, unsupported
      name = s.name;
      num *= s.num;
      den *= s.den;
    }
    const g = gcd(num, den) || 1;
    num /= g;
    den /= g;
  }
  return Number.isSafeInteger(num) && Number.isSafeInteger(den) ? { num, den, name } : undefined;
}

/** A product as a dimension; undefined when it has a fractional coefficient without a symbol. */
export function numelDim(n: Numel): Dim | undefined {
  if (n.name === null) return n.den === 1 ? n.num : undefined;
  return formatTerm(n.name, n.num, n.den);
}

/**
 * Number of elements with every symbolic batch counted as 1 (the convention for MACs and memory),
 * exact; a division of the batch (N/4) counts its whole multiple, rounded up.
 */
export function exactNumel(shape: readonly Dim[]): bigint {
  let n = 1n;
  let d = 1n;
  for (const x of shape) {
    if (typeof x === "number") n *= BigInt(x);
    else {
      const t = parseTerm(x);
      n *= BigInt(t.num);
      d *= BigInt(t.den);
    }
  }
  return (n + d - 1n) / d;
}

export function mulDims(a: Dim, b: Dim): Dim | undefined {
  const p = numel([a, b]);
  return p && numelDim(p);
}

/** `a / b` exactly (a dimension divided by a number or by a multiple of the same symbol), or undefined. */
export function divDims(a: Dim, b: Dim): Dim | undefined {
  const x = numel([a]);
  const y = numel([b]);
  if (!x || !y || y.num === 0) return undefined;
  return divideNumel(x, y, true);
}

/**
 * `total / known`: a view's -1 entry, or undefined when it does not divide into a whole number
 * (or a whole multiple of the batch). `fractions`: a division of the batch (N/4) is a result too.
 */
export function divideNumel(total: Numel, known: Numel, fractions = false): Dim | undefined {
  if (known.num === 0) return undefined;
  const num = total.num * known.den;
  const den = total.den * known.num;
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den)) return undefined;
  const g = gcd(num, den) || 1;
  const [n, d] = [num / g, den / g];
  if (total.name === known.name) return d === 1 ? n : undefined;
  if (known.name !== null || total.name === null) return undefined;
  if (d !== 1 && !fractions) return undefined;
  return formatTerm(total.name, n, d);
}

/** Describes a product for messages: "12,544", "N", "64·N", "N/4". */
export function describeNumel(n: Numel): string {
  if (n.name === null) return n.den === 1 ? groupedNumber(n.num) : `${n.num}/${n.den}`;
  const coef = n.num === 1 ? "" : `${groupedNumber(n.num)}·`;
  return `${coef}${n.name}${n.den === 1 ? "" : `/${n.den}`}`;
}

export function dimsEqual(a: Dim, b: Dim): boolean {
  return a === b;
}

export function formatDim(d: Dim): string {
  return String(d);
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.map(formatDim).join(", ")}]`;
}

/** Normalises a possibly negative axis; undefined when out of range. */
export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined;
}

export type { Dim, Shape };
