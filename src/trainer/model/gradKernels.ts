import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { TF } from "./types";

/**
 * Fast gradient kernels, built on the backend's own fast kernels (XNNPACK convolutions on wasm)
 * instead of element loops. Registered for wasm (where they are missing, wrong or slow) and, by
 * default, for cpu (where tfjs's are correct but slow loops). What tfjs-backend-wasm 4.22 lacks:
 * Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput;
 * what it gets wrong: MaxPoolGrad (drops the last windows of even kernels); what is slow:
 * Conv2DBackpropInput (a plain loop, ~12× the forward convolution), BatchMatMul with a transposed
 * operand (2–7×).
 *
 * - `Conv2DBackpropFilter`: the filter gradient is a convolution of the input, with the batch as
 *   channels and the channels as batch, by the output gradient as the filter; the forward stride
 *   becomes the dilation. 1×1 convolutions use one matrix product.
 * - `Conv2DBackpropInput`: a convolution of the output gradient by the flipped filter with input
 *   and output channels swapped; with a stride, one convolution per stride phase by the phase's
 *   sub-filter, interleaved (no zero-spreading, so the work equals the forward's); 1×1
 *   convolutions use one matrix product.
 * - `DepthwiseConv2dNativeBackpropInput` / `...Filter`: the same ideas with depthwise convolutions
 *   (batch·channels as channels for the filter gradient).
 * - `MaxPoolGrad`: window taps read by one-hot depthwise convolutions, routed to the first maximum
 *   of each window as PyTorch does, interleaved back.
 * - `BatchMatMul` (wasm): transposes operands explicitly.
 *
 * Only NHWC data (tfjs's default, what the compiled models use) is computed natively; NCHW is
 * transposed in and out. Every kernel is checked against tfjs's cpu kernels and finite
 * differences (test/trainer/gradKernels.test.ts).
 */

/** The part of a tfjs backend the kernels need. */
interface DisposingBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  write(values: Float32Array, shape: number[], dtype: "float32"): object;
}

function isDisposingBackend(b: unknown): b is DisposingBackend {
  return typeof b === "object" && b !== null && typeof (b as { disposeData?: unknown }).disposeData === "function" && typeof (b as { write?: unknown }).write === "function";
}

/** The most negative finite float32: max-pooling padding that, unlike −∞, survives a product by 0. */
export const LOWEST_FLOAT32 = -3.4028234663852886e38;

type Shape4 = [number, number, number, number];
type Pad = number | "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = "floor" | "round" | "ceil" | undefined;

/** Time spent in the kernels the gradient kernels call, by kernel (for benchmarks), when enabled. */
let kernelProfile: Map<string, { calls: number; ms: number }> | null = null;

export function profileInnerKernels(on: boolean): Map<string, { calls: number; ms: number }> | null {
  const previous = kernelProfile;
  kernelProfile = on ? new Map() : null;
  return previous;
}

/** Runs other kernels of the same backend, and frees every intermediate result at the end. */
class Runner {
  private readonly temps: TensorInfo[] = [];

  constructor(
    private readonly tf: TF,
    private readonly backend: DisposingBackend,
    private readonly backendName: string,
    private readonly originals: ReadonlyMap<string, KernelConfig>,
  ) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const k = this.originals.get(name) ?? this.tf.getKernel(name, this.backendName);
    if (!k) throw new Error(`Kernel ${name} is not registered for backend ${this.backendName}`);
    const t0 = kernelProfile ? performance.now() : 0;
    const out = k.kernelFunc({ inputs, backend: this.backend, attrs });
    if (kernelProfile) {
      const p = kernelProfile.get(name) ?? { calls: 0, ms: 0 };
      p.calls++;
      p.ms += performance.now() - t0;
      kernelProfile.set(name, p);
    }
    if (Array.isArray(out)) throw new Error(`Kernel ${name} returned several tensors`);
    this.temps.push(out);
    return out;
  }

  /** A new float32 tensor with these values. */
  constant(values: Float32Array, shape: number[]): TensorInfo {
    const t: TensorInfo = { dataId: this.backend.write(values, shape, "float32"), shape, dtype: "float32" };
    this.temps.push(t);
    return t;
  }

  /** Concatenation (kernels take the list itself as their inputs). */
  concat(list: TensorInfo[], axis: number): TensorInfo {
    return this.run("Concat", list as unknown as NamedTensorInfoMap, { axis });
  }

  /**
   * Interleaves phase grids: phases[a][b] is [N, Qh, Qw, C] (null: zeros) holding rows q·sh + a
   * and columns q·sw + b of the result [N, Qh·sh, Qw·sw, C]. Concatenations and reshapes.
   */
  interleave(phases: (TensorInfo | null)[][], n: number, qh: number, qw: number, c: number): TensorInfo {
    const sh = phases.length;
    const sw = phases[0]!.length;
    const zeros = (): TensorInfo => this.constant(new Float32Array(n * qh * qw * c), [n, qh, qw, c]);
    const rows = phases.map((row) => (sw === 1 ? (row[0] ?? zeros()) : this.reshape(this.concat(row.map((p) => this.reshape(p ?? zeros(), [n * qh * qw, 1, c])), 1), [n, qh, qw * sw, c])));
    return sh === 1 ? rows[0]! : this.reshape(this.concat(rows.map((p) => this.reshape(p, [n * qh, 1, qw * sw * c])), 1), [n, qh * sh, qw * sw, c]);
  }

  /** Frees the intermediates except `result`, which the caller owns. */
  finish(result: TensorInfo): TensorInfo {
    // An input passed through unchanged is copied: the caller owns a kernel's output.
    if (!this.temps.includes(result)) result = this.run("Identity", { x: result });
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
    return result;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }

  /** Pads (positive amounts, with zeros) and crops (negative amounts) each axis. */
  padCrop(x: TensorInfo, amounts: readonly (readonly [number, number])[]): TensorInfo {
    let t = x;
    if (amounts.some(([a, b]) => a < 0 || b < 0)) {
      const begin = amounts.map(([a]) => Math.max(0, -a));
      const size = amounts.map(([a, b], i) => t.shape[i]! - Math.max(0, -a) - Math.max(0, -b));
      t = this.run("Slice", { x: t }, { begin, size });
    }
    if (amounts.some(([a, b]) => a > 0 || b > 0)) {
      t = this.run("PadV2", { x: t }, { paddings: amounts.map(([a, b]) => [Math.max(0, a), Math.max(0, b)]), constantValue: 0 });
    }
    return t;
  }

  /** Spreads [N, H, W, C] onto a grid `s` times finer: [N, H·sh, W·sw, C], zeros in between. */
  spread(x: TensorInfo, sh: number, sw: number): TensorInfo {
    if (sh === 1 && sw === 1) return x;
    const [n, h, w, c] = x.shape as Shape4;
    let t = x;
    if (sh > 1) {
      t = this.reshape(t, [n * h, 1, w * c]);
      t = this.run("PadV2", { x: t }, { paddings: [[0, 0], [0, sh - 1], [0, 0]], constantValue: 0 });
    }
    if (sw > 1) {
      t = this.reshape(t, [n * h * sh * w, 1, c]);
      t = this.run("PadV2", { x: t }, { paddings: [[0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
    }
    return this.reshape(t, [n, h * sh, w * sw, c]);
  }

  /** Every `s`-th row and column of [N, H, W, C] (H and W multiples of s): [N, H/sh, W/sw, C]. */
  subsample(x: TensorInfo, sh: number, sw: number): TensorInfo {
    if (sh === 1 && sw === 1) return x;
    const [n, h, w, c] = x.shape as Shape4;
    let t = x;
    if (sh > 1) {
      t = this.reshape(t, [n * (h / sh), sh, w * c]);
      t = this.run("Slice", { x: t }, { begin: [0, 0, 0], size: [n * (h / sh), 1, w * c] });
    }
    if (sw > 1) {
      t = this.reshape(t, [n * (h / sh) * (w / sw), sw, c]);
      t = this.run("Slice", { x: t }, { begin: [0, 0, 0], size: [n * (h / sh) * (w / sw), 1, c] });
    }
    return this.reshape(t, [n, h / sh, w / sw, c]);
  }

  matMul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
    // Explicit transposes: wasm's BatchMatMul is 2–7× slower with transposeA or transposeB.
    const a2 = transposeA ? this.transpose(a, [1, 0]) : a;
    const b2 = transposeB ? this.transpose(b, [1, 0]) : b;
    return this.run("BatchMatMul", { a: a2, b: b2 }, { transposeA: false, transposeB: false });
  }
}

interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  c: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
}

function geometry(tf: TF, inShape: Shape4, filterShape: Shape4, strides: number | [number, number], dilations: number | [number, number], pad: Pad, rounding: Rounding, depthwise: boolean): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(inShape, filterShape, strides, dilations, pad, rounding, depthwise, "channelsLast");
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    c: info.inChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

const nchwToNhwc = (s: readonly number[]): Shape4 => [s[0]!, s[2]!, s[3]!, s[1]!];

/** The input window a filter gradient reads: padded by top/left, cropped to what the windows touch. */
function inputWindow(r: Runner, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const needH = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const needW = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  return r.padCrop(x, [[0, 0], [g.top, needH - g.h - g.top], [g.left, needW - g.w - g.left], [0, 0]]);
}

/** dW[kh, kw, C, CO] of a convolution of x [N, H, W, C] giving dy [N, OH, OW, CO]. */
function convFilterGrad(r: Runner, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const co = dy.shape[3]!;
  if (g.kh === 1 && g.kw === 1) {
    // One matrix product over the sampled input positions.
    const xs = inputWindow(r, x, g);
    const grid = r.padCrop(xs, [[0, 0], [0, g.oh * g.sh - xs.shape[1]!], [0, g.ow * g.sw - xs.shape[2]!], [0, 0]]);
    const sampled = r.subsample(grid, g.sh, g.sw);
    const m = g.n * g.oh * g.ow;
    const dw = r.matMul(r.reshape(sampled, [m, g.c]), r.reshape(dy, [m, co]), true, false);
    return r.reshape(dw, [1, 1, g.c, co]);
  }
  // dW[i, j, c, o] = Σ_{n, y, x} xp[n, y·s + i·d, x·s + j·d, c] · dy[n, y, x, o]: a convolution of
  // xp as [C, H, W, N] by dy as [OH, OW, N, CO] with stride d and dilation s.
  const xp = r.transpose(inputWindow(r, x, g), [3, 1, 2, 0]);
  const f = r.transpose(dy, [1, 2, 0, 3]);
  const out = r.run("Conv2D", { x: xp, filter: f }, { strides: [g.dh, g.dw], pad: "valid", dataFormat: "NHWC", dilations: [g.sh, g.sw] });
  return r.transpose(out, [1, 2, 0, 3]);
}

/**
 * dy spread to the stride grid and padded so that a stride-1 convolution by the flipped filter
 * (dilation d) gives exactly the input gradient [N, H, W, ·].
 */
function spreadGradient(r: Runner, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const spread = r.spread(dy, g.sh, g.sw);
  const padTop = (g.kh - 1) * g.dh - g.top;
  const padLeft = (g.kw - 1) * g.dw - g.left;
  return r.padCrop(spread, [
    [0, 0],
    [padTop, g.h + (g.kh - 1) * g.dh - padTop - spread.shape[1]!],
    [padLeft, g.w + (g.kw - 1) * g.dw - padLeft - spread.shape[2]!],
    [0, 0],
  ]);
}

/**
 * The input gradient of a strided convolution (dilation 1) without spreading dy onto the input
 * grid (which would multiply the work by the stride²): padded-input row q·s + a only receives
 * the filter rows a, a + s, a + 2s, … (the phase a), from dy rows q, q − 1, …; so each phase
 * (a, b) is a stride-1 "full" convolution of dy by its flipped sub-filter, and the phases
 * interleave into the input grid. Total work: that of the forward convolution.
 * `prepare` flips a sub-filter [La, Lb, ·, ·] into the filter `conv` needs; `channels` is the
 * channel count `conv` produces.
 */
function phasedInputGrad(r: Runner, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry, channels: number, prepare: (sub: TensorInfo) => TensorInfo, conv: (z: TensorInfo, f: TensorInfo) => TensorInfo): TensorInfo {
  const qh = g.oh + Math.ceil(g.kh / g.sh) - 1;
  const qw = g.ow + Math.ceil(g.kw / g.sw) - 1;
  const [, , fi, fo] = filter.shape as Shape4;
  const phases: (TensorInfo | null)[][] = [];
  for (let a = 0; a < g.sh; a++) {
    const row: (TensorInfo | null)[] = [];
    const la = Math.max(0, Math.ceil((g.kh - a) / g.sh));
    for (let b = 0; b < g.sw; b++) {
      const lb = Math.max(0, Math.ceil((g.kw - b) / g.sw));
      if (!la || !lb) {
        row.push(null);
        continue;
      }
      const sub = r.run("StridedSlice", { x: filter }, { begin: [a, b, 0, 0], end: [g.kh, g.kw, fi, fo], strides: [g.sh, g.sw, 1, 1], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 });
      const z = r.padCrop(dy, [[0, 0], [la - 1, qh - g.oh], [lb - 1, qw - g.ow], [0, 0]]);
      row.push(conv(z, prepare(sub)));
    }
    phases.push(row);
  }
  const dxp = r.interleave(phases, g.n, qh, qw, channels);
  return r.padCrop(dxp, [[0, 0], [-g.top, g.h + g.top - qh * g.sh], [-g.left, g.w + g.left - qw * g.sw], [0, 0]]);
}

const stridedOnly = (g: ConvGeometry): boolean => (g.sh > 1 || g.sw > 1) && g.dh === 1 && g.dw === 1;

/** dx [N, H, W, C] of a convolution by filter [kh, kw, C, CO] giving dy [N, OH, OW, CO]. */
function convInputGrad(r: Runner, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const co = dy.shape[3]!;
  if (g.kh === 1 && g.kw === 1) {
    const m = g.n * g.oh * g.ow;
    const dxs = r.reshape(r.matMul(r.reshape(dy, [m, co]), r.reshape(filter, [g.c, co]), false, true), [g.n, g.oh, g.ow, g.c]);
    const spread = r.spread(dxs, g.sh, g.sw);
    return r.padCrop(spread, [[0, 0], [-g.top, g.h + g.top - spread.shape[1]!], [-g.left, g.w + g.left - spread.shape[2]!], [0, 0]]);
  }
  const flip = (f: TensorInfo): TensorInfo => r.transpose(r.run("Reverse", { x: f }, { dims: [0, 1] }), [0, 1, 3, 2]);
  const conv = (z: TensorInfo, f: TensorInfo, d: [number, number]): TensorInfo => r.run("Conv2D", { x: z, filter: f }, { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations: d });
  if (stridedOnly(g)) return phasedInputGrad(r, dy, filter, g, g.c, flip, (z, f) => conv(z, f, [1, 1]));
  return conv(spreadGradient(r, dy, g), flip(filter), [g.dh, g.dw]);
}

/** dx of a depthwise convolution by filter [kh, kw, C, M] giving dy [N, OH, OW, C·M]. */
function depthwiseInputGrad(r: Runner, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const m = filter.shape[3]!;
  const flip = (f: TensorInfo): TensorInfo => {
    const flipped = r.run("Reverse", { x: f }, { dims: [0, 1] });
    return m > 1 ? r.reshape(flipped, [flipped.shape[0]!, flipped.shape[1]!, g.c * m, 1]) : flipped;
  };
  const conv = (z: TensorInfo, f: TensorInfo, d: [number, number]): TensorInfo => r.run("DepthwiseConv2dNative", { x: z, filter: f }, { strides: [1, 1], pad: "valid", dilations: d });
  const out = stridedOnly(g) ? phasedInputGrad(r, dy, filter, g, g.c * m, flip, (z, f) => conv(z, f, [1, 1])) : conv(spreadGradient(r, dy, g), flip(filter), [g.dh, g.dw]);
  if (m === 1) return out;
  return r.run("Sum", { x: r.reshape(out, [g.n, g.h, g.w, g.c, m]) }, { axis: [4], keepDims: false });
}

/**
 * dW [kh, kw, C, M] of a depthwise convolution: a depthwise convolution of xp as [1, H, W, N·C]
 * by dy as [OH, OW, N·C, M] (stride d, dilation s), summed over the batch.
 */
function depthwiseFilterGrad(r: Runner, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, m: number): TensorInfo {
  const xp = inputWindow(r, x, g);
  const xs = r.reshape(r.transpose(xp, [1, 2, 0, 3]), [1, xp.shape[1]!, xp.shape[2]!, g.n * g.c]);
  let f: TensorInfo;
  if (m === 1) f = r.reshape(r.transpose(dy, [1, 2, 0, 3]), [g.oh, g.ow, g.n * g.c, 1]);
  else f = r.reshape(r.transpose(r.reshape(dy, [g.n, g.oh * g.ow, g.c * m]), [1, 0, 2]), [g.oh, g.ow, g.n * g.c, m]);
  const out = r.run("DepthwiseConv2dNative", { x: xs, filter: f }, { strides: [g.dh, g.dw], pad: "valid", dilations: [g.sh, g.sw] });
  const summed = r.run("Sum", { x: r.reshape(out, [g.kh, g.kw, g.n, g.c * m]) }, { axis: [2], keepDims: false });
  return r.reshape(summed, [g.kh, g.kw, g.c, m]);
}

/**
 * dx of a max pooling (NHWC), exactly as PyTorch routes it: each output's gradient goes to the
 * first input of its window (row-major) that equals the maximum. Each window tap is read with a
 * depthwise convolution by a one-hot filter (the backend's fast convolution; slices and strided
 * slices are slow loops on wasm); the tap takes what is left of dy where it equals the output;
 * the parts are interleaved back (non-overlapping windows) or spread and summed (overlapping).
 * Inputs must be finite (the padding is the lowest float, not −∞, because 0·∞ is NaN).
 * wasm's own MaxPoolGrad drops the last windows for even kernels; cpu's is a slow element loop.
 */
function maxPoolGrad(r: Runner, dy: TensorInfo, x: TensorInfo, y: TensorInfo, g: ConvGeometry): TensorInfo {
  const { n, oh, ow, c, sh, sw } = g;
  // Padded or cropped to exactly what the windows read.
  const hn = (oh - 1) * sh + (g.kh - 1) * g.dh + 1;
  const wn = (ow - 1) * sw + (g.kw - 1) * g.dw + 1;
  const crop = r.padCrop(x, [[0, 0], [Math.min(0, g.top), Math.min(0, hn - g.h - g.top)], [Math.min(0, g.left), Math.min(0, wn - g.w - g.left)], [0, 0]]);
  const pads = [[0, 0], [Math.max(0, g.top), Math.max(0, hn - g.h - g.top)], [Math.max(0, g.left), Math.max(0, wn - g.w - g.left)], [0, 0]];
  const xp = pads.some(([a, b]) => a! > 0 || b! > 0) ? r.run("PadV2", { x: crop }, { paddings: pads, constantValue: LOWEST_FLOAT32 }) : crop;
  const parts: TensorInfo[][] = [];
  let remaining = dy;
  for (let i = 0; i < g.kh; i++) {
    const row: TensorInfo[] = [];
    for (let j = 0; j < g.kw; j++) {
      const oneHot = new Float32Array(g.kh * g.kw * c);
      oneHot.fill(1, (i * g.kw + j) * c, (i * g.kw + j + 1) * c);
      const tap = r.run("DepthwiseConv2dNative", { x: xp, filter: r.constant(oneHot, [g.kh, g.kw, c, 1]) }, { strides: [sh, sw], pad: "valid", dilations: [g.dh, g.dw] });
      const hit = r.run("Cast", { x: r.run("Equal", { a: tap, b: y }) }, { dtype: "float32" });
      const part = r.run("Multiply", { a: remaining, b: hit });
      remaining = r.run("Sub", { a: remaining, b: part });
      row.push(part);
    }
    parts.push(row);
  }
  // Input row q·s + a of the padded input receives, from each tap row i with i·d = m·s + a,
  // part[q − m]: per phase (a, b) a sum of parts shifted by (m, l) on the output grid, then the
  // phases interleave (a concatenation and a reshape) into the input grid.
  const qh = oh + Math.ceil(((g.kh - 1) * g.dh + 1) / sh) - 1;
  const qw = ow + Math.ceil(((g.kw - 1) * g.dw + 1) / sw) - 1;
  const phases: (TensorInfo | null)[][] = Array.from({ length: sh }, () => Array.from({ length: sw }, () => null));
  parts.forEach((row, i) =>
    row.forEach((part, j) => {
      const a = (i * g.dh) % sh;
      const m = Math.floor((i * g.dh) / sh);
      const b = (j * g.dw) % sw;
      const l = Math.floor((j * g.dw) / sw);
      const shifted = r.padCrop(part, [[0, 0], [m, qh - oh - m], [l, qw - ow - l], [0, 0]]);
      const prev = phases[a]![b]!;
      phases[a]![b] = prev ? r.run("Add", { a: prev, b: shifted }) : shifted;
    }),
  );
  const dxp = r.interleave(phases, n, qh, qw, c);
  return r.padCrop(dxp, [[0, 0], [-g.top, g.h + g.top - dxp.shape[1]!], [-g.left, g.w + g.left - dxp.shape[2]!], [0, 0]]);
}

const attrNum2 = (v: unknown): number | [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1])] : Number(v ?? 1));
const attrPad = (v: unknown): Pad => v as Pad;
const attrRounding = (v: unknown): Rounding => (v === "floor" || v === "round" || v === "ceil" ? v : undefined);
const shape4 = (v: unknown): Shape4 => {
  if (!Array.isArray(v) || v.length !== 4) throw new Error(`Expected a 4-D shape, got ${String(v)}`);
  return v.map(Number) as Shape4;
};

function input(inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`Missing kernel input ${name}`);
  return t;
}

/** The kernels this module provides, by name. */
export const GRAD_KERNEL_NAMES = ["Conv2DBackpropFilter", "Conv2DBackpropInput", "DepthwiseConv2dNativeBackpropFilter", "DepthwiseConv2dNativeBackpropInput", "MaxPoolGrad"] as const;
export type GradKernelName = (typeof GRAD_KERNEL_NAMES)[number];

/**
 * Builds the kernel configs for `backendName` (on wasm also a faster BatchMatMul wrapper);
 * `originals` are the backend's own kernels, called instead of the registry's.
 */
export function gradKernelConfigs(tf: TF, backendName: string, originals: ReadonlyMap<string, KernelConfig> = new Map()): KernelConfig[] {
  const runner = (backend: unknown): Runner => {
    if (!isDisposingBackend(backend)) throw new Error(`Backend ${backendName} cannot dispose data`);
    return new Runner(tf, backend, backendName, originals);
  };
  return [
    {
      kernelName: "Conv2DBackpropFilter",
      backendName,
      kernelFunc: ({ inputs, backend, attrs = {} }) => {
        const r = runner(backend);
        const channelsFirst = attrs.dataFormat === "NCHW";
        let x = input(inputs, "x");
        let dy = input(inputs, "dy");
        if (channelsFirst) {
          x = r.transpose(x, [0, 2, 3, 1]);
          dy = r.transpose(dy, [0, 2, 3, 1]);
        }
        const g = geometry(tf, x.shape as Shape4, shape4(attrs.filterShape), attrNum2(attrs.strides), 1, attrPad(attrs.pad), attrRounding(attrs.dimRoundingMode), false);
        return r.finish(convFilterGrad(r, x, dy, g));
      },
    },
    {
      kernelName: "Conv2DBackpropInput",
      backendName,
      kernelFunc: ({ inputs, backend, attrs = {} }) => {
        const r = runner(backend);
        const channelsFirst = attrs.dataFormat === "NCHW";
        let dy = input(inputs, "dy");
        const filter = input(inputs, "filter");
        let inShape = shape4(attrs.inputShape);
        if (channelsFirst) {
          dy = r.transpose(dy, [0, 2, 3, 1]);
          inShape = nchwToNhwc(inShape);
        }
        const g = geometry(tf, inShape, filter.shape as Shape4, attrNum2(attrs.strides), 1, attrPad(attrs.pad), attrRounding(attrs.dimRoundingMode), false);
        let dx = convInputGrad(r, dy, filter, g);
        if (channelsFirst) dx = r.transpose(dx, [0, 3, 1, 2]);
        return r.finish(dx);
      },
    },
    {
      kernelName: "DepthwiseConv2dNativeBackpropFilter",
      backendName,
      kernelFunc: ({ inputs, backend, attrs = {} }) => {
        const r = runner(backend);
        const x = input(inputs, "x");
        const dy = input(inputs, "dy");
        const fs = shape4(attrs.filterShape);
        const g = geometry(tf, x.shape as Shape4, fs, attrNum2(attrs.strides), attrNum2(attrs.dilations), attrPad(attrs.pad), attrRounding(attrs.dimRoundingMode), true);
        return r.finish(depthwiseFilterGrad(r, x, dy, g, fs[3]));
      },
    },
    {
      kernelName: "DepthwiseConv2dNativeBackpropInput",
      backendName,
      kernelFunc: ({ inputs, backend, attrs = {} }) => {
        const r = runner(backend);
        const dy = input(inputs, "dy");
        const filter = input(inputs, "filter");
        const g = geometry(tf, shape4(attrs.inputShape), filter.shape as Shape4, attrNum2(attrs.strides), attrNum2(attrs.dilations), attrPad(attrs.pad), attrRounding(attrs.dimRoundingMode), true);
        return r.finish(depthwiseInputGrad(r, dy, filter, g));
      },
    },
    {
      kernelName: "MaxPoolGrad",
      backendName,
      kernelFunc: ({ inputs, backend, attrs = {} }) => {
        const r = runner(backend);
        const x = input(inputs, "input");
        const info = tf.backend_util.computePool2DInfo(x.shape as Shape4, attrNum2(attrs.filterSize), attrNum2(attrs.strides), 1, attrPad(attrs.pad), attrRounding(attrs.dimRoundingMode));
        const g: ConvGeometry = {
          n: info.batchSize,
          h: info.inHeight,
          w: info.inWidth,
          c: info.inChannels,
          oh: info.outHeight,
          ow: info.outWidth,
          kh: info.filterHeight,
          kw: info.filterWidth,
          sh: info.strideHeight,
          sw: info.strideWidth,
          dh: info.dilationHeight,
          dw: info.dilationWidth,
          top: info.padInfo.top,
          left: info.padInfo.left,
        };
        return r.finish(maxPoolGrad(r, input(inputs, "dy"), x, input(inputs, "output"), g));
      },
    },
    ...(backendName === "wasm" ? [batchMatMulWithExplicitTranspose(tf, backendName, originals)] : []),
  ];
}

/**
 * wasm's BatchMatMul with transposeA or transposeB is 2–7× slower than transposing the operand
 * first (even a 4096×4096 weight); every Linear layer asks for it (x·Wᵀ forward, dyᵀ·x for the
 * weight gradient). Wraps the original kernel.
 */
function batchMatMulWithExplicitTranspose(tf: TF, backendName: string, originals: ReadonlyMap<string, KernelConfig>): KernelConfig {
  return {
    kernelName: "BatchMatMul",
    backendName,
    kernelFunc: ({ inputs, backend, attrs = {} }) => {
      const original = originals.get("BatchMatMul");
      if (!original) throw new Error("BatchMatMul: the original kernel is missing");
      if (attrs.transposeA !== true && attrs.transposeB !== true) return original.kernelFunc({ inputs, backend, attrs });
      if (!isDisposingBackend(backend)) throw new Error(`Backend ${backendName} cannot dispose data`);
      const r = new Runner(tf, backend, backendName, originals);
      const swapLast = (t: TensorInfo): TensorInfo => {
        const perm = [...t.shape.keys()];
        perm.push(perm.splice(-2, 1)[0]!);
        return r.transpose(t, perm);
      };
      const a = attrs.transposeA === true ? swapLast(input(inputs, "a")) : input(inputs, "a");
      const b = attrs.transposeB === true ? swapLast(input(inputs, "b")) : input(inputs, "b");
      return r.finish(r.run("BatchMatMul", { a, b }, { ...attrs, transposeA: false, transposeB: false }));
    },
  };
}

/**
 * Registers the fast gradient kernels for `backendName` (replacing slower ones), and returns a
 * function that restores the previous registrations. Idempotent per backend.
 */
export function installGradKernels(tf: TF, backendName: string): () => void {
  const installed = installedBy.get(backendName);
  if (installed) return installed;
  const previous = new Map<string, KernelConfig>();
  for (const name of [...GRAD_KERNEL_NAMES, "BatchMatMul"]) {
    const k = tf.getKernel(name, backendName);
    if (k) previous.set(name, k);
  }
  // Our kernels call the backend's own (previous) kernels, never themselves.
  const configs = gradKernelConfigs(tf, backendName, previous);
  for (const config of configs) {
    if (previous.has(config.kernelName)) tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel(config);
  }
  const restore = (): void => {
    for (const config of configs) {
      tf.unregisterKernel(config.kernelName, backendName);
      const p = previous.get(config.kernelName);
      if (p) tf.registerKernel(p);
    }
    installedBy.delete(backendName);
  };
  installedBy.set(backendName, restore);
  return restore;
}

const installedBy = new Map<string, () => void>();

/** Puts back the kernels `installGradKernels` replaced for `backendName` (no-op when not installed). */
export function restoreGradKernels(backendName: string): void {
  installedBy.get(backendName)?.();
}
