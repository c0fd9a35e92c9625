import type { Dim, Shape } from "../shared/analysis";

/**
 * Dimension arithmetic. A dimension is a number or a symbolic batch: `"N"`, or a multiple of one
 * (`"4*N"`) after a reshape folds the batch into another axis.
 */

interface Symbolic {
  coef: number;
  name: string;
}

export function parseSym(d: string): Symbolic {
  const m = /^(\d+)\*(.+)$/.exec(d);
  return m ? { coef: Number(m[1]), name: m[2] ?? d } : { coef: 1, name: d };
}

function formatSym(coef: number, name: string): Dim {
  return coef === 1 ? name : `${coef}*${name}`;
}

export function isSymbolic(d: Dim): d is string {
  return typeof d === "string";
}

/**
 * Product of the dimensions as `{ coef, name }`; name is null when every dimension is a number.
 * Undefined when it is not computable exactly: two symbols, or a product above 2^53 (a double
 * would round it, and a rounded size would be wrong).
 */
export function numel(shape: readonly Dim[]): { coef: number; name: string | null } | undefined {
  let coef = 1;
  let name: string | null = null;
  for (const d of shape) {
    if (typeof d === "number") coef *= d;
    else {
      const s = parseSym(d);
      if (name !== null) return undefined; // N*M: two symbols, unsupported
      name = s.name;
      coef *= s.coef;
    }
  }
  return Number.isSafeInteger(coef) ? { coef, name } : undefined;
}

/** Number of elements with every symbolic batch counted as 1 (the convention for MACs and memory), exact. */
export function exactNumel(shape: readonly Dim[]): bigint {
  let n = 1n;
  for (const d of shape) n *= BigInt(typeof d === "number" ? d : parseSym(d).coef);
  return n;
}

export function mulDims(a: Dim, b: Dim): Dim | undefined {
  const p = numel([a, b]);
  if (!p) return undefined;
  return p.name === null ? p.coef : formatSym(p.coef, p.name);
}

/** `total / known` for a view's -1 entry, or undefined when it does not divide. */
export function divideNumel(total: { coef: number; name: string | null }, known: { coef: number; name: string | null }): Dim | undefined {
  if (known.coef === 0 || total.coef % known.coef !== 0) return undefined;
  const coef = total.coef / known.coef;
  if (total.name === known.name) return coef;
  if (known.name === null && total.name !== null) return formatSym(coef, total.name);
  return undefined;
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
