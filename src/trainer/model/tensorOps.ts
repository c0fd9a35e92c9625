import type * as tfc from "@tensorflow/tfjs-core";
import type { AttrValue, Dim } from "../../shared/analysis";
import { CompileError, padCrop, type NodeFn, type RunCtx } from "./layers/common";
import { parseTerm } from "../../analyzer/shape";
import { axisOf, bool, num, torch as torchValue, type Attrs, type Value } from "./value";

/**
 * The tfjs lowering of the version-2 tensor operations (permute, transpose, chunk, matmul, softmax
 * over any axis, F.pad, F.layerNorm, reductions, ...), by the label the analyzer gives their graph
 * nodes, with PyTorch's dimension numbering. They work in PyTorch's layout (`torchOf`), except
 * element-wise ones, which keep their input's layout. Every one is differentiable.
 */

type TF = RunCtx["tf"];
type Fn = (x: tfc.Tensor, ctx: RunCtx, inputs: readonly Value[]) => tfc.Tensor;

const norm = (d: number, rank: number): number => {
  const a = d < 0 ? d + rank : d;
  if (!(a >= 0 && a < rank)) throw new Error(`dimension ${d} is out of range for a ${rank}-D tensor`);
  return a;
};

function ints(a: Attrs, key: string): number[] | null {
  const v = a[key];
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return [v];
  if (Array.isArray(v) && v.every((x): x is number => typeof x === "number")) return v;
  throw new CompileError(`${key} should hold integers, got ${JSON.stringify(v)}`);
}

function dimList(a: Attrs, key: string): Dim[] {
  const v = a[key];
  if (!Array.isArray(v)) throw new CompileError(`${key} should be a list of sizes, got ${JSON.stringify(v)}`);
  return v;
}

/** A size: a number, -1, or a symbolic batch ("N", "N*64", "N/4") resolved at run time. */
export function resolveDim(d: Dim, ctx: RunCtx): number {
  if (typeof d === "number") return d;
  const { name, num: n, den } = parseTerm(d);
  const v = ctx.symbols.get(name);
  if (v === undefined) throw new Error(`unknown symbolic dimension ${d}`);
  if ((v * n) % den !== 0) throw new Error(`${d} is not a whole number for a batch of ${v}`);
  return (v * n) / den;
}

const optNum = (a: Attrs, key: string): number | null => (typeof a[key] === "number" ? (a[key] as number) : null);

/**
 * `x.indexSelect(dim, index)`. gather's gradient needs UnsortedSegmentSum, which the WebAssembly
 * backend lacks: there, a one-hot product along `dim` (exact: one term per row; its gradient Oᵀ·dy),
 * as nn.Embedding does (layers/reshape.ts).
 */
function indexSelect(tf: TF, x: tfc.Tensor, index: tfc.Tensor, dim: number): tfc.Tensor {
  if (tf.getKernel("UnsortedSegmentSum", tf.getBackend())) return tf.gather(x, index, dim);
  const rows = x.shape[dim]!;
  const front = dim === 0 ? x : tf.transpose(x, [dim, ...[...Array(x.rank).keys()].filter((i) => i !== dim)]);
  const picked = tf.matMul(tf.cast(tf.oneHot(tf.reshape(index, [-1]), rows), "float32"), tf.reshape(front, [rows, -1]));
  const out = tf.reshape(picked, [index.size, ...front.shape.slice(1)]);
  if (dim === 0) return out;
  const back = [...Array(x.rank).keys()].map((i) => (i === dim ? 0 : i < dim ? i + 1 : i));
  return tf.transpose(out, back);
}

/** `f` along `dim` of x: the axis moved last, `f` applied to the last axis, moved back. */
function alongLast(tf: TF, x: tfc.Tensor, dim: number, f: (t: tfc.Tensor) => tfc.Tensor): tfc.Tensor {
  const rank = x.rank;
  const d = norm(dim, rank);
  if (d === rank - 1) return f(x);
  const perm = [...Array(rank).keys()].filter((i) => i !== d).concat(d);
  const inv = perm.map((_, i) => perm.indexOf(i));
  return tf.transpose(f(tf.transpose(x, perm)), inv);
}

/** Reductions over `dims` (all when null), PyTorch's keepdim. */
function reduction(
  tf: TF,
  x: tfc.Tensor,
  dims: number[] | null,
  keepdim: boolean,
  f: (t: tfc.Tensor, axes: number[], keep: boolean) => tfc.Tensor,
): tfc.Tensor {
  const axes = dims === null || dims.length === 0 ? [...Array(x.rank).keys()] : dims.map((d) => norm(d, x.rank));
  return f(x, axes, keepdim);
}

function variance(tf: TF, x: tfc.Tensor, axes: number[], keep: boolean, correction: number): tfc.Tensor {
  const mean = tf.mean(x, axes, true);
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  return tf.div(tf.sum(tf.square(tf.sub(x, mean)), axes, keep), Math.max(0, n - correction));
}

/** Offsets and sizes of the pieces of chunk/split along a dimension of `size`. */
function pieces(type: "chunk" | "split", a: Attrs, size: number): number[] {
  if (type === "chunk") {
    const chunks = num(a, "chunks");
    const each = Math.ceil(size / chunks);
    const n = each === 0 ? 1 : Math.ceil(size / each);
    return Array.from({ length: n }, (_, i) => (i < n - 1 ? each : size - each * (n - 1)));
  }
  const s = a.splitSizeOrSections;
  if (Array.isArray(s)) return s.map(Number);
  const each = Number(s);
  return Array.from({ length: Math.max(1, Math.ceil(size / each)) }, (_, i) => Math.min(each, size - i * each));
}

function slice(tf: TF, x: tfc.Tensor, dim: number, start: number, length: number): tfc.Tensor {
  const begin = x.shape.map((_, i) => (i === dim ? start : 0));
  const size = x.shape.map((s, i) => (i === dim ? length : s));
  return tf.slice(x, begin, size);
}

/** numpy/PyTorch matmul: 1-D operands promoted, batch dimensions broadcast. */
function matmul(tf: TF, a: tfc.Tensor, b: tfc.Tensor): tfc.Tensor {
  const a2 = a.rank === 1 ? tf.reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.rank === 1 ? tf.reshape(b, [b.shape[0]!, 1]) : b;
  const ab = a2.shape.slice(0, -2);
  const bb = b2.shape.slice(0, -2);
  const n = Math.max(ab.length, bb.length);
  const batch = Array.from({ length: n }, (_, i) => Math.max(ab[ab.length - n + i] ?? 1, bb[bb.length - n + i] ?? 1));
  const [m, k] = a2.shape.slice(-2) as [number, number];
  const p = b2.shape[b2.rank - 1]!;
  const count = batch.reduce((x, y) => x * y, 1);
  const a3 = tf.reshape(tf.broadcastTo(a2, [...batch, m, k]), [count, m, k]);
  const b3 = tf.reshape(tf.broadcastTo(b2, [...batch, k, p]), [count, k, p]);
  const out = tf.reshape(tf.matMul(a3 as tfc.Tensor3D, b3 as tfc.Tensor3D), [...batch, m, p]);
  const shape = [...batch, ...(a.rank > 1 ? [m] : []), ...(b.rank > 1 ? [p] : [])];
  return tf.reshape(out, shape);
}

function softmaxAlong(tf: TF, x: tfc.Tensor, dim: number, log: boolean): tfc.Tensor {
  return alongLast(tf, x, dim, (t) => (log ? tf.logSoftmax(t) : tf.softmax(t)));
}

/** PyTorch's F.pad on the last dimensions, in the value's own layout. */
function pad(tf: TF, v: Value, a: Attrs): tfc.Tensor {
  const p = ints(a, "pad") ?? [];
  const mode = String(a.mode ?? "constant");
  const value = optNum(a, "value") ?? 0;
  const amounts: [number, number][] = v.t.shape.map(() => [0, 0]);
  for (let i = 0; i < p.length / 2; i++) amounts[axisOf(v, -1 - i)] = [p[2 * i]!, p[2 * i + 1]!];
  if (mode === "constant") return padCrop(tf, v.t, amounts, value);
  // reflect mirrors without the edge, replicate repeats the edge, circular wraps around; built from
  // slices, so the gradient is exact (tfjs's MirrorPad gradient drops the reflected part).
  let t = v.t;
  amounts.forEach(([before, after], axis) => {
    if (before === 0 && after === 0) return;
    const size = t.shape[axis]!;
    const parts: tfc.Tensor[] = [];
    const edge = (start: number, n: number, first: boolean): tfc.Tensor => {
      if (mode === "reflect") return tf.reverse(slice(tf, t, axis, first ? 1 : size - 1 - n, n), axis);
      if (mode === "circular") return slice(tf, t, axis, first ? size - n : 0, n);
      return tf.concat(Array<tfc.Tensor>(n).fill(slice(tf, t, axis, start, 1)), axis);
    };
    if (before > 0) parts.push(edge(0, before, true));
    parts.push(t);
    if (after > 0) parts.push(edge(size - 1, after, false));
    t = tf.concat(parts, axis);
  });
  return t;
}

function layerNorm(tf: TF, x: tfc.Tensor, a: Attrs, params: readonly tfc.Tensor[]): tfc.Tensor {
  const k = (ints(a, "normalizedShape") ?? []).length;
  const axes = [...Array(k).keys()].map((i) => x.rank - k + i);
  const mean = tf.mean(x, axes, true);
  const centered = tf.sub(x, mean);
  const varr = tf.mean(tf.square(centered), axes, true);
  let y = tf.mul(centered, tf.rsqrt(tf.add(varr, num(a, "eps", 1e-5))));
  if (params[0]) y = tf.mul(y, params[0]);
  if (params[1]) y = tf.add(y, params[1]);
  return y;
}

function groupNorm(tf: TF, x: tfc.Tensor, a: Attrs, params: readonly tfc.Tensor[]): tfc.Tensor {
  const g = num(a, "numGroups");
  const [n, c] = x.shape as [number, number];
  const grouped = tf.reshape(x, [n, g, -1]);
  const mean = tf.mean(grouped, [2], true);
  const centered = tf.sub(grouped, mean);
  const varr = tf.mean(tf.square(centered), [2], true);
  let y = tf.reshape(tf.mul(centered, tf.rsqrt(tf.add(varr, num(a, "eps", 1e-5)))), x.shape);
  const perChannel = [1, c, ...Array<number>(x.rank - 2).fill(1)];
  if (params[0]) y = tf.mul(y, tf.reshape(params[0], perChannel));
  if (params[1]) y = tf.add(y, tf.reshape(params[1], perChannel));
  return y;
}

function attention(tf: TF, ctx: RunCtx, a: Attrs, [q, k, v, mask]: tfc.Tensor[]): tfc.Tensor {
  const e = q!.shape[q!.rank - 1]!;
  const scale = optNum(a, "scale") ?? 1 / Math.sqrt(e);
  let scores = tf.mul(matmul(tf, q!, tf.transpose(k!, [...Array(k!.rank - 2).keys(), k!.rank - 1, k!.rank - 2])), scale);
  const [l, s] = scores.shape.slice(-2) as [number, number];
  if (bool(a, "isCausal", false)) {
    const causal = tf.linalg.bandPart(tf.ones([l, s]), -1, 0);
    scores = tf.where(tf.cast(causal, "bool"), scores, tf.fill([l, s], -Infinity));
  }
  if (mask) scores = mask.dtype === "bool" ? tf.where(tf.broadcastTo(mask, scores.shape), scores, tf.fill(scores.shape, -Infinity)) : tf.add(scores, mask);
  let weights = tf.softmax(scores);
  const p = num(a, "dropoutP", 0);
  if (p > 0) weights = tf.div(tf.mul(weights, tf.cast(tf.greaterEqual(tf.randomUniform(weights.shape, 0, 1, "float32", ctx.nextSeed()), p), "float32")), 1 - p);
  return matmul(tf, weights, v!);
}

function adaptiveAvgPool1d(tf: TF, x: tfc.Tensor, o: number): tfc.Tensor {
  const len = x.shape[x.rank - 1]!;
  const parts = Array.from({ length: o }, (_, i) => {
    const start = Math.floor((i * len) / o);
    const end = Math.ceil(((i + 1) * len) / o);
    return tf.mean(slice(tf, x, x.rank - 1, start, end - start), [x.rank - 1], true);
  });
  return tf.concat(parts, x.rank - 1);
}

function roll(tf: TF, x: tfc.Tensor, shifts: number[], dims: number[] | null): tfc.Tensor {
  if (dims === null) return tf.reshape(roll(tf, tf.reshape(x, [-1]), shifts, [0]), x.shape);
  let t = x;
  dims.forEach((d, i) => {
    const axis = norm(d, x.rank);
    const size = t.shape[axis]!;
    const s = (((shifts[i] ?? 0) % size) + size) % size;
    if (s !== 0) t = tf.concat([slice(tf, t, axis, size - s, s), slice(tf, t, axis, 0, size - s)], axis);
  });
  return t;
}

/** Operations of one tensor in PyTorch's layout. */
const TORCH_LAYOUT: Record<string, (a: Attrs) => Fn> = {
  permute:
    (a) =>
    (x, { tf }) =>
      tf.transpose(
        x,
        (ints(a, "dims") ?? []).map((d) => norm(d, x.rank)),
      ),
  transpose:
    (a) =>
    (x, { tf }) => {
      const perm = [...Array(x.rank).keys()];
      const [i, j] = [norm(num(a, "dim0"), x.rank), norm(num(a, "dim1"), x.rank)];
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
      return tf.transpose(x, perm);
    },
  t:
    () =>
    (x, { tf }) =>
      x.rank === 2 ? tf.transpose(x, [1, 0]) : x,
  unsqueeze:
    (a) =>
    (x, { tf }) =>
      tf.expandDims(x, norm(num(a, "dim"), x.rank + 1)),
  squeeze:
    (a) =>
    (x, { tf }) => {
      const dims = ints(a, "dim");
      const axes = dims === null ? null : dims.map((d) => norm(d, x.rank));
      return tf.reshape(
        x,
        x.shape.filter((s, i) => !(s === 1 && (axes === null || axes.includes(i)))),
      );
    },
  expand: (a) => (x, ctx) => expand(ctx, x, dimList(a, "size")),
  expandAs: (a) => (x, ctx) => expand(ctx, x, dimList(a, "size")),
  repeat:
    (a) =>
    (x, { tf }) => {
      const reps = ints(a, "repeats") ?? [];
      const padded = tf.reshape(x, [...Array<number>(reps.length - x.rank).fill(1), ...x.shape]);
      return tf.tile(padded, reps);
    },
  chunk:
    (a) =>
    (x, { tf }) =>
      piece(tf, x, "chunk", a),
  split:
    (a) =>
    (x, { tf }) =>
      piece(tf, x, "split", a),
  narrow:
    (a) =>
    (x, { tf }) => {
      const d = norm(num(a, "dim"), x.rank);
      const start = num(a, "start");
      return slice(tf, x, d, start < 0 ? start + x.shape[d]! : start, num(a, "length"));
    },
  select:
    (a) =>
    (x, { tf }) => {
      const d = norm(num(a, "dim"), x.rank);
      const i = num(a, "index");
      const s = slice(tf, x, d, i < 0 ? i + x.shape[d]! : i, 1);
      return tf.reshape(
        s,
        x.shape.filter((_, k) => k !== d),
      );
    },
  flip:
    (a) =>
    (x, { tf }) =>
      tf.reverse(
        x,
        (ints(a, "dims") ?? []).map((d) => norm(d, x.rank)),
      ),
  roll:
    (a) =>
    (x, { tf }) =>
      roll(tf, x, ints(a, "shifts") ?? [], ints(a, "dims")),
  softmax:
    (a) =>
    (x, { tf }) =>
      softmaxAlong(tf, x, num(a, "dim"), false),
  logSoftmax:
    (a) =>
    (x, { tf }) =>
      softmaxAlong(tf, x, num(a, "dim"), true),
  sum:
    (a) =>
    (x, { tf }) =>
      reduction(tf, x, ints(a, "dim"), bool(a, "keepdim", false), (t, ax, k) => tf.sum(t, ax, k)),
  amax:
    (a) =>
    (x, { tf }) =>
      reduction(tf, x, ints(a, "dim"), bool(a, "keepdim", false), (t, ax, k) => extreme(tf, t, ax, k, true)),
  amin:
    (a) =>
    (x, { tf }) =>
      reduction(tf, x, ints(a, "dim"), bool(a, "keepdim", false), (t, ax, k) => extreme(tf, t, ax, k, false)),
  max:
    (a) =>
    (x, { tf }) =>
      reduction(tf, x, ints(a, "dim"), bool(a, "keepdim", false), (t, ax, k) => tf.max(t, ax, k)),
  min:
    (a) =>
    (x, { tf }) =>
      reduction(tf, x, ints(a, "dim"), bool(a, "keepdim", false), (t, ax, k) => tf.min(t, ax, k)),
  argmax:
    (a) =>
    (x, { tf }) =>
      argExtreme(tf, x, a, true),
  argmin:
    (a) =>
    (x, { tf }) =>
      argExtreme(tf, x, a, false),
  var:
    (a) =>
    (x, { tf }) =>
      reduction(tf, x, ints(a, "dim"), bool(a, "keepdim", false), (t, ax, k) => variance(tf, t, ax, k, num(a, "correction", 1))),
  std:
    (a) =>
    (x, { tf }) =>
      reduction(tf, x, ints(a, "dim"), bool(a, "keepdim", false), (t, ax, k) => tf.sqrt(variance(tf, t, ax, k, num(a, "correction", 1)))),
  norm:
    (a) =>
    (x, { tf }) => {
      const p = typeof a.p === "number" ? a.p : 2;
      return reduction(tf, x, ints(a, "dim"), bool(a, "keepdim", false), (t, ax, k) =>
        p === 2 ? tf.sqrt(tf.sum(tf.square(t), ax, k)) : tf.pow(tf.sum(tf.pow(tf.abs(t), p), ax, k), 1 / p),
      );
    },
  normalize:
    (a) =>
    (x, { tf }) => {
      const p = num(a, "p", 2);
      const d = norm(num(a, "dim", 1), x.rank);
      const n = p === 2 ? tf.sqrt(tf.sum(tf.square(x), [d], true)) : tf.pow(tf.sum(tf.pow(tf.abs(x), p), [d], true), 1 / p);
      return tf.div(x, tf.maximum(n, num(a, "eps", 1e-12)));
    },
  adaptiveAvgPool1d:
    (a) =>
    (x, { tf }) =>
      adaptiveAvgPool1d(tf, x, num(a, "outputSize")),
};

/** The same values, no gradient (PyTorch's detach). */
function stopGradient(tf: TF, x: tfc.Tensor): tfc.Tensor {
  const f = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => ({
    value: tf.clone(args[0] as tfc.Tensor),
    gradFunc: (dy: tfc.Tensor | tfc.Tensor[]) => tf.zerosLike(dy as tfc.Tensor),
  }));
  return f(x);
}

/**
 * amax/amin with PyTorch's gradient: split evenly between equal extremes (tfjs's Max gradient gives
 * each of them the whole of it).
 */
function extreme(tf: TF, x: tfc.Tensor, axes: number[], keep: boolean, max: boolean): tfc.Tensor {
  const f = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const t = args[0] as tfc.Tensor;
    const save = args[1] as tfc.GradSaveFunc;
    const kept = max ? tf.max(t, axes, true) : tf.min(t, axes, true);
    save([t, kept]);
    return {
      value: keep
        ? tf.clone(kept)
        : tf.reshape(
            kept,
            t.shape.filter((_, i) => !axes.includes(i)),
          ),
      gradFunc: (dy: tfc.Tensor | tfc.Tensor[], saved: tfc.Tensor[]) => {
        const [input, extremes] = saved as [tfc.Tensor, tfc.Tensor];
        const hits = tf.cast(tf.equal(input, extremes), "float32");
        const share = tf.div(hits, tf.sum(hits, axes, true));
        return tf.mul(share, tf.reshape(dy as tfc.Tensor, extremes.shape));
      },
    };
  });
  return f(x);
}

function argExtreme(tf: TF, x: tfc.Tensor, a: Attrs, max: boolean): tfc.Tensor {
  const d = norm(num(a, "dim"), x.rank);
  const i = tf.cast(max ? tf.argMax(x, d) : tf.argMin(x, d), "float32");
  return bool(a, "keepdim", false) ? tf.expandDims(i, d) : i;
}

function expand(ctx: RunCtx, x: tfc.Tensor, size: Dim[]): tfc.Tensor {
  const lead = size.length - x.rank;
  const target = size.map((d, i) => (d === -1 ? x.shape[i - lead]! : resolveDim(d, ctx)));
  return ctx.tf.broadcastTo(ctx.tf.reshape(x, [...Array<number>(lead).fill(1), ...x.shape]), target);
}

function piece(tf: TF, x: tfc.Tensor, type: "chunk" | "split", a: Attrs): tfc.Tensor {
  const d = norm(num(a, "dim", 0), x.rank);
  const sizes = pieces(type, a, x.shape[d]!);
  const index = num(a, "index");
  const start = sizes.slice(0, index).reduce((p, s) => p + s, 0);
  return slice(tf, x, d, start, sizes[index]!);
}

/** Element-wise operations of one tensor: the layout is kept. */
const ELEMENTWISE: Record<string, (a: Attrs) => (tf: TF, x: tfc.Tensor, ctx: RunCtx) => tfc.Tensor> = {
  sqrt: () => (tf, x) => tf.sqrt(x),
  rsqrt: () => (tf, x) => tf.rsqrt(x),
  exp: () => (tf, x) => tf.exp(x),
  log: () => (tf, x) => tf.log(x),
  abs: () => (tf, x) => tf.abs(x),
  neg: () => (tf, x) => tf.neg(x),
  float: () => (_tf, x) => x,
  to: () => (_tf, x) => x,
  clone: () => (_tf, x) => x,
  detach: () => (tf, x) => stopGradient(tf, x),
  gelu: () => (tf, x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))),
  pow: (a) => (tf, x) => tf.pow(x, num(a, "exponent")),
  clamp: (a) => (tf, x) => tf.clipByValue(x, optNum(a, "min") ?? -3.4e38, optNum(a, "max") ?? 3.4e38),
  clamp_: (a) => (tf, x) => tf.clipByValue(x, optNum(a, "min") ?? -3.4e38, optNum(a, "max") ?? 3.4e38),
  fill_: (a) => (tf, x) => tf.fill(x.shape, num(a, "value")),
  zero_: () => (tf, x) => tf.zerosLike(x),
  bernoulli_: (a) => (tf, x, ctx) => tf.cast(tf.less(tf.randomUniform(x.shape, 0, 1, "float32", ctx.nextSeed()), num(a, "p", 0.5)), "float32"),
  zerosLike: () => (tf, x) => tf.zerosLike(x),
  onesLike: () => (tf, x) => tf.onesLike(x),
};

/** Operations of several tensors, in PyTorch's layout, broadcasting as PyTorch does. */
const MULTI: Record<string, (a: Attrs) => (tf: TF, ts: tfc.Tensor[], ctx: RunCtx) => tfc.Tensor> = {
  matmul:
    () =>
    (tf, [a, b]) =>
      matmul(tf, a!, b!),
  bmm:
    () =>
    (tf, [a, b]) =>
      tf.matMul(a as tfc.Tensor3D, b as tfc.Tensor3D),
  maximum:
    () =>
    (tf, [a, b]) =>
      tf.maximum(a!, b!),
  minimum:
    () =>
    (tf, [a, b]) =>
      tf.minimum(a!, b!),
  pow:
    () =>
    (tf, [a, b]) =>
      tf.pow(a!, b!),
  addcmul:
    (a) =>
    (tf, [x, t1, t2]) =>
      tf.add(x!, tf.mul(tf.mul(t1!, t2!), num(a, "value", 1))),
  maskedFill:
    (a) =>
    (tf, [x, mask]) => {
      const shape = broadcastShape(x!.shape, mask!.shape);
      return tf.where(tf.cast(tf.broadcastTo(mask!, shape), "bool"), tf.fill(shape, num(a, "value")), tf.broadcastTo(x!, shape));
    },
  where: (a) => (tf, ts) => {
    const [cond, ...rest] = ts;
    const input = typeof a.input === "number" ? null : rest.shift()!;
    const other = typeof a.other === "number" ? null : rest.shift()!;
    const shape = [cond!, input, other].reduce<number[]>((s, t) => (t ? broadcastShape(s, t.shape) : s), []);
    const fill = (t: tfc.Tensor | null, v: AttrValue | undefined) => (t ? tf.broadcastTo(t, shape) : tf.fill(shape, Number(v)));
    return tf.where(tf.cast(tf.broadcastTo(cond!, shape), "bool"), fill(input, a.input), fill(other, a.other));
  },
  indexSelect:
    (a) =>
    (tf, [x, index]) =>
      indexSelect(tf, x!, tf.cast(index!, "int32"), norm(num(a, "dim"), x!.rank)),
  layerNorm:
    (a) =>
    (tf, [x, ...params]) =>
      layerNorm(tf, x!, a, params),
  groupNorm:
    (a) =>
    (tf, [x, ...params]) =>
      groupNorm(tf, x!, a, params),
  linear:
    () =>
    (tf, [x, w, b]) => {
      const out = w!.rank === 2 ? w!.shape[0]! : 1;
      const flat = tf.reshape(x!, [-1, x!.shape[x!.rank - 1]!]);
      let y = tf.matMul(flat as tfc.Tensor2D, tf.reshape(w!, [out, -1]) as tfc.Tensor2D, false, true);
      if (b) y = tf.add(y, b);
      return tf.reshape(y, w!.rank === 2 ? [...x!.shape.slice(0, -1), out] : x!.shape.slice(0, -1));
    },
  scaledDotProductAttention: (a) => (tf, ts, ctx) => attention(tf, ctx, a, ts),
  // an in-place operation on a view written back into the viewed tensor
  selectScatter:
    (a) =>
    (tf, [base, src]) => {
      const d = norm(num(a, "dim"), base!.rank);
      const i = num(a, "index") < 0 ? num(a, "index") + base!.shape[d]! : num(a, "index");
      return scatter(tf, base!, tf.expandDims(src!, d), d, i, 1);
    },
  sliceScatter:
    (a) =>
    (tf, [base, src]) => {
      const d = norm(num(a, "dim"), base!.rank);
      const start = num(a, "start") < 0 ? num(a, "start") + base!.shape[d]! : num(a, "start");
      return scatter(tf, base!, src!, d, start, num(a, "length"));
    },
};

/** `base` with entries [start, start + length) of `dim` replaced by `src`. */
function scatter(tf: TF, base: tfc.Tensor, src: tfc.Tensor, dim: number, start: number, length: number): tfc.Tensor {
  const size = base.shape[dim]!;
  const parts = [slice(tf, base, dim, 0, start), src, slice(tf, base, dim, start + length, size - start - length)];
  return tf.concat(
    parts.filter((p) => p.shape[dim] !== 0),
    dim,
  );
}

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => Math.max(a[a.length - n + i] ?? 1, b[b.length - n + i] ?? 1));
}

/** Element-wise comparisons and their scalar forms: 1.0 where true, as float32 (PyTorch's bool, used as a mask). */
const COMPARE: Record<string, (tf: TF, a: tfc.Tensor, b: tfc.Tensor | number) => tfc.Tensor> = {
  eq: (tf, a, b) => tf.equal(a, b),
  ne: (tf, a, b) => tf.notEqual(a, b),
  lt: (tf, a, b) => tf.less(a, b),
  gt: (tf, a, b) => tf.greater(a, b),
  le: (tf, a, b) => tf.lessEqual(a, b),
  ge: (tf, a, b) => tf.greaterEqual(a, b),
};

/** A comparison as float32, with no gradient (PyTorch's bool results have none; tfjs's comparisons have no gradient function). */
function compared(tf: TF, cmp: (tf: TF, a: tfc.Tensor, b: tfc.Tensor | number) => tfc.Tensor, a: tfc.Tensor, b: tfc.Tensor | number): tfc.Tensor {
  const inputs = typeof b === "number" ? [a] : [a, b];
  const f = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const ts = args.slice(0, inputs.length) as tfc.Tensor[];
    return {
      value: tf.cast(cmp(tf, ts[0]!, typeof b === "number" ? b : ts[1]!), "float32"),
      gradFunc: () => ts.map((t) => tf.zerosLike(t)),
    };
  });
  return f(...inputs);
}

/** The compiled function of a version-2 tensor operation, or undefined when `type` is not one. */
export function compileTensorOp(type: string, attrs: Attrs): NodeFn | undefined {
  const one = TORCH_LAYOUT[type];
  if (one) {
    const f = one(attrs);
    return (inputs, ctx) => torchValue(f(ctx.torchOf(inputs[0]!), ctx, inputs));
  }
  const ew = ELEMENTWISE[type];
  if (ew && !(type === "pow" && typeof attrs.exponent !== "number")) {
    const f = ew(attrs);
    return (inputs, ctx) => ({ t: f(ctx.tf, inputs[0]!.t, ctx), layout: inputs[0]!.layout });
  }
  const multi = MULTI[type];
  if (multi) {
    const f = multi(attrs);
    return (inputs, ctx) =>
      torchValue(
        f(
          ctx.tf,
          inputs.map((v) => ctx.torchOf(v)),
          ctx,
        ),
      );
  }
  const cmp = COMPARE[type];
  if (cmp) {
    const scalar = typeof attrs.scalar === "number" ? attrs.scalar : null;
    return (inputs, ctx) =>
      scalar !== null || inputs.length === 1
        ? { t: compared(ctx.tf, cmp, inputs[0]!.t, scalar ?? 0), layout: inputs[0]!.layout }
        : torchValue(compared(ctx.tf, cmp, ctx.torchOf(inputs[0]!), ctx.torchOf(inputs[1]!)));
  }
  switch (type) {
    case "pad":
      return (inputs, ctx) => ({ t: pad(ctx.tf, inputs[0]!, attrs), layout: inputs[0]!.layout });
    case "newZeros":
    case "newOnes": {
      const size = dimList(attrs, "size");
      return (_inputs, ctx) => torchValue((type === "newZeros" ? ctx.tf.zeros : ctx.tf.ones)(size.map((d) => resolveDim(d, ctx))));
    }
    case "conv2d":
      return conv2d(attrs);
  }
  return undefined;
}

/** F.conv2d with a weight tensor input [out, in / groups, kh, kw] (groups 1 or depthwise). */
function conv2d(a: Attrs): NodeFn {
  const pair = (k: string, d: number): [number, number] => {
    const v = a[k];
    return Array.isArray(v) ? [Number(v[0]), Number(v[1])] : typeof v === "number" ? [v, v] : [d, d];
  };
  const [stride, dilation] = [pair("stride", 1), pair("dilation", 1)];
  const groups = num(a, "groups", 1);
  return (inputs, ctx) => {
    const { tf } = ctx;
    const x = ctx.nhwcOf(inputs[0]!);
    const w = ctx.torchOf(inputs[1]!) as tfc.Tensor4D;
    const [, , kh, kw] = w.shape;
    const padding: [number, number] =
      a.padding === "same" ? [Math.floor((dilation[0] * (kh - 1)) / 2), Math.floor((dilation[1] * (kw - 1)) / 2)] : pair("padding", 0);
    const padded = tf.pad(x, [
      [0, 0],
      [padding[0], a.padding === "same" ? dilation[0] * (kh - 1) - padding[0] : padding[0]],
      [padding[1], a.padding === "same" ? dilation[1] * (kw - 1) - padding[1] : padding[1]],
      [0, 0],
    ]) as tfc.Tensor4D;
    const filter = tf.transpose(w, [2, 3, 1, 0]) as tfc.Tensor4D; // [kh, kw, in/groups, out]
    let y: tfc.Tensor4D;
    if (groups === 1) y = tf.conv2d(padded, filter, stride, "valid", "NHWC", dilation);
    else if (groups === x.shape[3] && w.shape[1] === 1)
      y = tf.depthwiseConv2d(padded, tf.reshape(filter, [kh, kw, groups, w.shape[0] / groups]) as tfc.Tensor4D, stride, "valid", "NHWC", dilation);
    else throw new Error(`F.conv2d with groups ${groups} (neither 1 nor depthwise) is not supported by the trainer`);
    if (inputs[2]) y = tf.add(y, ctx.torchOf(inputs[2]));
    return { t: y, layout: "nhwc" };
  };
}
