import type { Dim, Shape } from "../shared/analysis";
import { err, type LayerError } from "./layers/kind";
import { divDims, exactNumel, formatShape, mulDims, normAxis, numel, numelDim } from "./shape";
import { broadcast } from "./tensorOps";

/**
 * Shape rules of the tensor methods and functions of the model language's version 2 (permute,
 * transpose, matmul, chunk, F.pad, ...), with PyTorch's error conditions. Pure: shapes in, a shape
 * or an error out.
 */

type Result = Shape | LayerError;

function axis(op: string, d: number, rank: number, extra = 0): number | LayerError {
  const a = normAxis(d, rank + extra);
  if (a === undefined) {
    return err("invalid-dim", `${op}: dimension ${d} is out of range (expected to be in range of [${-(rank + extra)}, ${rank + extra - 1}])`);
  }
  return a;
}

const isErr = (x: unknown): x is LayerError => typeof x === "object" && x !== null && "code" in x;

export function permute(x: Shape, dims: readonly number[]): Result {
  if (dims.length !== x.length) {
    return err("invalid-dim", `permute: the number of dims (${dims.length}) does not match the input's ${x.length} dimensions ${formatShape(x)}`);
  }
  const seen = new Set<number>();
  const out: Dim[] = [];
  for (const d of dims) {
    const a = axis("permute", d, x.length);
    if (isErr(a)) return a;
    if (seen.has(a)) return err("invalid-dim", `permute: dimension ${d} is repeated in (${dims.join(", ")})`);
    seen.add(a);
    out.push(x[a]!);
  }
  return out;
}

export function transpose(x: Shape, d0: number, d1: number): Result {
  // PyTorch lets a 0-D tensor transpose its only "dimension" with itself.
  if (x.length === 0) return d0 === 0 || d0 === -1 ? (d1 === 0 || d1 === -1 ? [] : axisErr("transpose", d1, 0)) : axisErr("transpose", d0, 0);
  const a = axis("transpose", d0, x.length);
  if (isErr(a)) return a;
  const b = axis("transpose", d1, x.length);
  if (isErr(b)) return b;
  const out = [...x];
  [out[a], out[b]] = [x[b]!, x[a]!];
  return out;
}

function axisErr(op: string, d: number, rank: number): LayerError {
  return err("invalid-dim", `${op}: dimension ${d} is out of range for a ${rank}-D tensor`);
}

export function t(x: Shape): Result {
  if (x.length > 2) return err("shape-mismatch", `t() expects a tensor with <= 2 dimensions, but the input is ${x.length}-D ${formatShape(x)}`);
  return x.length === 2 ? [x[1]!, x[0]!] : [...x];
}

export function unsqueeze(x: Shape, d: number): Result {
  const a = axis("unsqueeze", d, x.length, 1);
  if (isErr(a)) return a;
  return [...x.slice(0, a), 1, ...x.slice(a)];
}

/** squeeze(): every size-1 dimension (a symbolic batch is never taken for 1); squeeze(d): that one if it is 1. */
export function squeeze(x: Shape, dims: readonly number[] | null): Result {
  if (dims === null) return x.filter((d) => d !== 1);
  const axes = new Set<number>();
  for (const d of dims) {
    const a = x.length === 0 ? (d === 0 || d === -1 ? -1 : undefined) : normAxis(d, x.length);
    if (a === undefined) return axisErr("squeeze", d, x.length);
    axes.add(a);
  }
  return x.filter((s, i) => !(axes.has(i) && s === 1));
}

export function expand(x: Shape, sizes: readonly Dim[]): Result {
  if (sizes.length < x.length) {
    return err(
      "shape-mismatch",
      `expand: the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${x.length})`,
    );
  }
  const lead = sizes.length - x.length;
  const out: Dim[] = [];
  for (let i = 0; i < sizes.length; i++) {
    const want = sizes[i]!;
    if (i < lead) {
      if (want === -1) return err("invalid-argument", `expand: -1 is not allowed in a leading, non-existing dimension (size ${i} of (${sizes.join(", ")}))`);
      out.push(want);
      continue;
    }
    const have = x[i - lead]!;
    if (want === -1 || want === have) out.push(have);
    else if (have === 1) out.push(want);
    else {
      return err(
        "shape-mismatch",
        `expand: the expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i}. Target sizes: (${sizes.join(", ")}). Tensor sizes: ${formatShape(x)}`,
      );
    }
  }
  return out;
}

export function repeat(x: Shape, reps: readonly number[]): Result {
  if (reps.length < x.length) {
    return err(
      "shape-mismatch",
      `repeat: the number of repeat dims (${reps.length}) can not be smaller than the number of dimensions of the tensor (${x.length})`,
    );
  }
  const padded: Dim[] = [...Array<Dim>(reps.length - x.length).fill(1), ...x];
  const out: Dim[] = [];
  for (let i = 0; i < reps.length; i++) {
    const d = mulDims(padded[i]!, reps[i]!);
    if (d === undefined) return err("unsupported", `repeat of ${formatShape(x)} by (${reps.join(", ")}) is not exact`);
    out.push(d);
  }
  return out;
}

/** Sizes of the pieces of a dimension cut into `chunks` pieces (PyTorch: ceil(size / chunks) each, the last smaller). */
export function chunkSizes(op: string, size: Dim, chunks: number): Dim[] | LayerError {
  if (!Number.isInteger(chunks) || chunks <= 0) return err("invalid-argument", `${op}: chunks must be a positive integer, got ${chunks}`);
  if (typeof size !== "number") {
    const each = divDims(size, chunks);
    if (each === undefined || (typeof each === "string" && each.includes("/"))) {
      return err("unsupported", `${op}: dimension ${size} in ${chunks} chunks depends on the batch size`);
    }
    return Array<Dim>(chunks).fill(each);
  }
  const each = Math.ceil(size / chunks);
  if (each === 0) return [0];
  const n = Math.ceil(size / each);
  return Array.from({ length: n }, (_, i) => (i < n - 1 ? each : size - each * (n - 1)));
}

export function splitSizes(op: string, size: Dim, split: number | readonly number[]): Dim[] | LayerError {
  if (typeof split === "number") {
    if (!Number.isInteger(split) || split < 0) return err("invalid-argument", `${op}: split size must be a non-negative integer, got ${split}`);
    if (typeof size !== "number") {
      const n = divDims(size, split);
      return err(
        "unsupported",
        `${op}: dimension ${size} in pieces of ${split} makes ${n ?? "a batch-dependent number of"} pieces, which depends on the batch size`,
      );
    }
    if (split === 0) return size === 0 ? [0] : err("invalid-argument", `${op}: split size 0 cannot split a dimension of ${size}`);
    const n = Math.max(1, Math.ceil(size / split));
    return Array.from({ length: n }, (_, i) => Math.min(split, size - i * split));
  }
  const total = split.reduce((a, b) => a + b, 0);
  if (total !== size) {
    return err("shape-mismatch", `${op}: split sizes (${split.join(", ")}) add up to ${total}, but the dimension has size ${size}`);
  }
  return [...split];
}

/** The pieces of chunk/split along `dim`. */
export function pieces(op: string, x: Shape, dim: number, sizes: (size: Dim) => Dim[] | LayerError): Shape[] | LayerError {
  const a = axis(op, dim, x.length);
  if (isErr(a)) return a;
  const s = sizes(x[a]!);
  if (isErr(s)) return s;
  return s.map((d) => x.map((v, i) => (i === a ? d : v)));
}

export function narrow(x: Shape, dim: number, start: number, length: number): Result {
  const a = axis("narrow", dim, x.length);
  if (isErr(a)) return a;
  const size = x[a]!;
  if (typeof size !== "number") return err("unsupported", `narrow along the symbolic dimension ${size} of ${formatShape(x)} depends on the batch size`);
  const s = start < 0 ? start + size : start;
  if (s < 0 || s > size) return err("invalid-argument", `narrow: start (${start}) is out of bounds for dimension ${dim} of size ${size}`);
  if (length < 0 || s + length > size) return err("invalid-argument", `narrow: start (${start}) + length (${length}) exceeds dimension size (${size})`);
  return x.map((v, i) => (i === a ? length : v));
}

export function select(x: Shape, dim: number, index: number): Result {
  if (x.length === 0) return err("invalid-dim", "select() cannot be applied to a 0-dim tensor");
  const a = axis("select", dim, x.length);
  if (isErr(a)) return a;
  const size = x[a]!;
  if (typeof size === "number" && (index < -size || index >= size)) {
    return err("invalid-argument", `select: index ${index} out of range for tensor of size ${formatShape(x)} at dimension ${dim}`);
  }
  return x.filter((_, i) => i !== a);
}

export function indexSelect(x: Shape, dim: number, index: Shape): Result {
  if (index.length > 1) return err("shape-mismatch", `indexSelect: the index must be 0-D or 1-D, got ${formatShape(index)}`);
  const a = x.length === 0 ? 0 : axis("indexSelect", dim, x.length);
  if (isErr(a)) return a;
  const n = index[0] ?? 1;
  return x.length === 0 ? [] : x.map((v, i) => (i === a ? n : v));
}

/** Reduction over `dims` (all when null): sum, mean, amax, std, var, norm, max/min with a dim. */
export function reduce(op: string, x: Shape, dims: readonly number[] | null, keepdim: boolean): Result {
  if (dims === null || dims.length === 0) return keepdim ? x.map(() => 1) : [];
  const axes = new Set<number>();
  for (const d of dims) {
    const a = x.length === 0 ? (d === 0 || d === -1 ? 0 : undefined) : normAxis(d, x.length);
    if (a === undefined) return axisErr(op, d, x.length);
    if (axes.has(a)) return err("invalid-dim", `${op}: dim ${d} appears multiple times in the list of dims`);
    axes.add(a);
  }
  if (keepdim) return x.map((d, i) => (axes.has(i) ? 1 : d));
  return x.filter((_, i) => !axes.has(i));
}

export function checkDim(op: string, x: Shape, dim: number): Result {
  const a = x.length === 0 ? (dim === 0 || dim === -1 ? 0 : undefined) : normAxis(dim, x.length);
  return a === undefined ? axisErr(op, dim, x.length) : x;
}

/** torch.matmul's rule: 1-D operands are promoted and the added dimension removed; batch dimensions broadcast. */
export function matmul(op: string, a: Shape, b: Shape): Result {
  if (a.length === 0 || b.length === 0)
    return err("shape-mismatch", `${op}: both arguments need at least 1 dimension, got ${formatShape(a)} and ${formatShape(b)}`);
  const aa = a.length === 1 ? [1, a[0]!] : a;
  const bb = b.length === 1 ? [b[0]!, 1] : b;
  const k1 = aa[aa.length - 1]!;
  const k2 = bb[bb.length - 2]!;
  if (k1 !== k2) {
    const m = (s: Shape) => (s.length === 1 ? `${s[0]}` : `${s.slice(0, -1).reduce<Dim>((p, d) => mulDims(p, d) ?? "?", 1)}x${s[s.length - 1]}`);
    return err(
      "shape-mismatch",
      `${op}: ${formatShape(a)} and ${formatShape(b)} cannot be multiplied (${m(a)} and ${b.length === 1 ? b[0] : `${b[b.length - 2]}x${b[b.length - 1]}`}): ${k1} ≠ ${k2}`,
    );
  }
  const batch = broadcast(op, aa.slice(0, -2), bb.slice(0, -2));
  if (isErr(batch)) return batch;
  const out: Dim[] = [...batch];
  if (a.length > 1) out.push(aa[aa.length - 2]!);
  if (b.length > 1) out.push(bb[bb.length - 1]!);
  return out;
}

/** Multiply–accumulates of a matmul with the batch counted as 1: every output element sums k products. */
export function matmulMacs(a: Shape, out: Shape): bigint {
  const k = a[a.length - 1]!;
  return exactNumel(out) * exactNumel([k]);
}

export function bmm(a: Shape, b: Shape): Result {
  if (a.length !== 3) return err("shape-mismatch", `bmm: batch1 must be a 3D tensor, got ${formatShape(a)}`);
  if (b.length !== 3) return err("shape-mismatch", `bmm: batch2 must be a 3D tensor, got ${formatShape(b)}`);
  if (a[0] !== b[0] || a[2] !== b[1]) {
    return err(
      "shape-mismatch",
      `bmm: expected ${formatShape(b)} to have size ${a[0]} at dimension 0 and ${a[2]} at dimension 1 to multiply ${formatShape(a)}`,
    );
  }
  return [a[0]!, a[1]!, b[2]!];
}

/** F.scaledDotProductAttention: q [..., L, E], k [..., S, E], v [..., S, Ev] → [..., L, Ev]. */
export function attention(q: Shape, k: Shape, v: Shape): Result {
  const op = "F.scaledDotProductAttention";
  if (q.length < 2 || k.length < 2 || v.length < 2)
    return err("shape-mismatch", `${op} needs at least 2-D query, key and value, got ${[q, k, v].map(formatShape).join(", ")}`);
  if (q[q.length - 1] !== k[k.length - 1])
    return err("shape-mismatch", `${op}: query ${formatShape(q)} and key ${formatShape(k)} must have the same embedding size`);
  if (k[k.length - 2] !== v[v.length - 2])
    return err("shape-mismatch", `${op}: key ${formatShape(k)} and value ${formatShape(v)} must have the same sequence length`);
  const b1 = broadcast(op, q.slice(0, -2), k.slice(0, -2));
  if (isErr(b1)) return b1;
  const b2 = broadcast(op, b1, v.slice(0, -2));
  if (isErr(b2)) return b2;
  return [...b2, q[q.length - 2]!, v[v.length - 1]!];
}

/** F.pad: `pad` lists (before, after) pairs from the last dimension backwards; negative entries crop. */
export function pad(x: Shape, p: readonly number[], mode: string): Result {
  if (p.length % 2 !== 0) return err("invalid-argument", `F.pad: the padding length must be divisible by 2, got ${p.length}`);
  const k = p.length / 2;
  if (k > x.length) return err("invalid-argument", `F.pad: the padding length (${p.length}) is too large for a ${x.length}-D input ${formatShape(x)}`);
  if (mode !== "constant") {
    if (!(x.length === k + 1 || x.length === k + 2) || k > 3) {
      return err(
        "invalid-argument",
        `F.pad: ${mode} padding of ${k} dimension${k === 1 ? "" : "s"} needs a ${k + 1}-D or ${k + 2}-D input, got ${formatShape(x)}`,
      );
    }
  }
  const out = [...x];
  for (let i = 0; i < k; i++) {
    const a = x.length - 1 - i;
    const size = x[a]!;
    const [before, after] = [p[2 * i]!, p[2 * i + 1]!];
    if (typeof size !== "number") return err("unsupported", `F.pad of the symbolic dimension ${size} of ${formatShape(x)} is not supported`);
    if (mode === "reflect" && (before >= size || after >= size)) {
      return err("invalid-argument", `F.pad: reflect padding (${before}, ${after}) must be smaller than the dimension it pads (${size}) of ${formatShape(x)}`);
    }
    if (mode === "replicate" && size === 0) return err("invalid-argument", `F.pad: replicate padding needs a non-empty dimension, got ${formatShape(x)}`);
    const n = size + before + after;
    if (n < 0) return err("invalid-argument", `F.pad: padding (${before}, ${after}) makes dimension ${a} of ${formatShape(x)} negative`);
    out[a] = n;
  }
  return out;
}

/** F.layerNorm: the last dimensions must be `normalizedShape`. */
export function layerNorm(x: Shape, normalized: readonly number[]): Result {
  const tail = x.slice(x.length - normalized.length);
  if (normalized.length > x.length || tail.some((d, i) => d !== normalized[i])) {
    return err("shape-mismatch", `F.layerNorm: normalizedShape [${normalized.join(", ")}] must be the last dimensions of the input, got ${formatShape(x)}`);
  }
  return [...x];
}

export function groupNorm(x: Shape, groups: number): Result {
  if (x.length < 2) return err("shape-mismatch", `F.groupNorm expects an input of at least 2 dimensions [N, C, *], got ${formatShape(x)}`);
  const c = x[1]!;
  if (typeof c !== "number" || c % groups !== 0) return err("shape-mismatch", `F.groupNorm: ${c} channels are not divisible into ${groups} groups`);
  return [...x];
}

/** F.linear(x, weight [out, in] or [in]). */
export function linear(x: Shape, w: Shape): Result {
  if (w.length === 0 || w.length > 2) return err("shape-mismatch", `F.linear: weight must be 1-D or 2-D, got ${formatShape(w)}`);
  const inF = w[w.length - 1]!;
  if (x.length === 0 || x[x.length - 1] !== inF) {
    return err("shape-mismatch", `F.linear expects ${inF} input features (weight ${formatShape(w)}) but receives ${formatShape(x)}`);
  }
  return w.length === 2 ? [...x.slice(0, -1), w[0]!] : x.slice(0, -1);
}

export function numelValue(x: Shape): Dim | undefined {
  const n = numel(x);
  return n && numelDim(n);
}
