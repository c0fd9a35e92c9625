import type { Dim, Shape } from "../shared/analysis";
import { err, type LayerError } from "./layers/kind";
import { describeNumel, divideNumel, formatShape, normAxis, numel } from "./shape";

/** Shape rules of the tensor operations used inside `forward` (add, mul, cat, view, mean, ...). */

/** NumPy/PyTorch broadcasting of two shapes (a number broadcasts as a scalar: pass []). */
export function broadcast(op: string, a: Shape, b: Shape): Shape | LayerError {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else return err("shape-mismatch", `${op} cannot broadcast ${formatShape(a)} with ${formatShape(b)}: dimension ${i} is ${x} vs ${y}`);
  }
  return out;
}

export function cat(shapes: readonly Shape[], dim: number): Shape | LayerError {
  const first = shapes[0];
  if (!first) return err("shape-mismatch", "torch.cat needs at least one tensor");
  const d = normAxis(dim, first.length);
  if (d === undefined) return err("invalid-dim", `torch.cat dim ${dim} is out of range for ${formatShape(first)}`);
  let total: Dim = 0;
  for (const s of shapes) {
    if (s.length !== first.length) {
      return err("shape-mismatch", `torch.cat needs tensors of the same rank, got ${shapes.map(formatShape).join(" and ")}`);
    }
    for (let i = 0; i < s.length; i++) {
      if (i !== d && s[i] !== first[i]) {
        return err(
          "shape-mismatch",
          `torch.cat along dim ${dim} needs equal sizes in every other dimension, but dimension ${i} is ${first[i]} vs ${s[i]} (${shapes.map(formatShape).join(", ")})`,
        );
      }
    }
    const x = s[d]!;
    if (typeof x !== "number" || typeof total !== "number")
      return err("unsupported", `torch.cat along the symbolic batch dimension is not supported (${shapes.map(formatShape).join(", ")})`);
    total += x;
  }
  const out = [...first];
  out[d] = total;
  return out;
}

/** view/reshape: `dims` may hold one -1 and symbolic dimensions. */
export function view(op: string, x: Shape, dims: readonly Dim[]): Shape | LayerError {
  const total = numel(x);
  if (!total) return err("unsupported", `${op} of ${formatShape(x)} is not supported`);
  const holes = dims.filter((d) => d === -1).length;
  if (holes > 1) return err("invalid-argument", `${op} allows only one -1, got (${dims.join(", ")})`);
  const known = numel(dims.filter((d) => d !== -1));
  if (!known) return err("unsupported", `${op} with two symbolic dimensions is not supported`);
  const show = `${op}(${dims.join(", ")})`;
  if (dims.some((d) => typeof d === "number" && d !== -1 && !(Number.isInteger(d) && d >= 0))) {
    return err("invalid-argument", `${show}: sizes must be non-negative integers`);
  }
  if (holes === 1) {
    const hole = divideNumel(total, known);
    if (hole === undefined) {
      const exact = divideNumel(total, known, true);
      const why =
        exact !== undefined && known.num !== 0
          ? `the -1 would be ${exact}, not a whole multiple of ${total.name ?? "the batch"}`
          : `its ${describeNumel(total)} elements do not divide into ${describeNumel(known)}`;
      return err("shape-mismatch", `${show} cannot reshape ${formatShape(x)}: ${why}`);
    }
    return dims.map((d) => (d === -1 ? hole : d));
  }
  if (known.num !== total.num || known.den !== total.den || known.name !== total.name) {
    return err("shape-mismatch", `${show} cannot reshape ${formatShape(x)} (${describeNumel(total)} elements) into ${describeNumel(known)} elements`);
  }
  return [...dims];
}

export function mean(x: Shape, dims: readonly number[], keepdim: boolean): Shape | LayerError {
  const axes = new Set<number>();
  for (const d of dims) {
    const a = normAxis(d, x.length);
    if (a === undefined) return err("invalid-dim", `mean dim ${d} is out of range for ${formatShape(x)}`);
    axes.add(a);
  }
  if (keepdim) return x.map((d, i) => (axes.has(i) ? 1 : d));
  return x.filter((_, i) => !axes.has(i));
}
