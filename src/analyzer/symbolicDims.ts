import { divDims, mulDims, numel, parseTerm, formatTerm } from "./shape";
import { SymDim, type Value } from "./values";

/**
 * Arithmetic on symbolic dimensions of the batch: `x.shape[0] * 64` is `N*64`, `N / 4` is `N/4`
 * (an exact division), `(N*64) / 64` is `N` again and `(N*64) / N` is 64. Anything else (N + 1,
 * N * N, 64 / N) is not a dimension the analyzer can represent: the result is a message naming it.
 */

export type SymOp = "*" | "/" | "+" | "-" | "%";

const asDim = (v: SymDim | number): string | number => (v instanceof SymDim ? v.dim : v);

const toValue = (d: string | number | undefined): Value | undefined => (d === undefined ? undefined : typeof d === "number" ? d : new SymDim(d));

/** The result of `l op r` where one side is a symbolic dimension, or why it has none. */
export function symbolicArith(op: SymOp, l: SymDim | number, r: SymDim | number): { value: Value } | { problem: string } {
  const shown = `${asDim(l)} ${op} ${asDim(r)}`;
  const bad = (why: string) => ({ problem: `${shown} ${why}` });
  if (typeof l === "number" && !Number.isInteger(l)) return bad("is not a whole dimension: symbolic batch dimensions multiply and divide by integers only");
  if (typeof r === "number" && !Number.isInteger(r)) return bad("is not a whole dimension: symbolic batch dimensions multiply and divide by integers only");
  switch (op) {
    case "*": {
      if (l instanceof SymDim && r instanceof SymDim) return bad("multiplies two symbolic dimensions, which the analyzer cannot represent");
      if ((typeof l === "number" && l < 0) || (typeof r === "number" && r < 0)) return bad("would be a negative dimension");
      const v = toValue(mulDims(asDim(l), asDim(r)));
      return v === undefined ? bad("is above 2^53") : { value: v };
    }
    case "/": {
      if (typeof l === "number") return bad("divides by a symbolic dimension, which the analyzer cannot represent");
      if (typeof r === "number" && r <= 0) return bad("divides by a number that is not positive");
      const v = toValue(divDims(asDim(l), asDim(r)));
      return v === undefined ? bad("is not a whole multiple of a number: only the same symbol divides a symbolic dimension") : { value: v };
    }
    case "+":
    case "-": {
      if (l instanceof SymDim && r instanceof SymDim) {
        const a = parseTerm(l.dim);
        const b = parseTerm(r.dim);
        if (a.name === b.name) {
          const den = a.den * b.den;
          const num = op === "+" ? a.num * b.den + b.num * a.den : a.num * b.den - b.num * a.den;
          if (num >= 0) return { value: toValue(formatTerm(a.name, num, den))! };
        }
      }
      return bad("is not a multiple of the batch: only N*k and N/k are symbolic dimensions (give the input a fixed batch to compute it)");
    }
    case "%": {
      // N*64 % 64 is 0 whatever N is; other remainders depend on the batch.
      if (l instanceof SymDim && typeof r === "number" && r > 0) {
        const t = numel([l.dim]);
        if (t && t.den === 1 && t.num % r === 0) return { value: 0 };
      }
      return bad("depends on the batch size, which is symbolic");
    }
  }
}
