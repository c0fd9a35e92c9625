import type { KernelConfig, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { input, isDisposingBackend, Runner } from "./kernelRunner";
import type { TF } from "./types";
import { WASM_KERNEL_NAMES, wasmKernels } from "./wasmKernels";

/**
 * Fast gradient kernels, built on the backend's own fast kernels (XNNPACK convolutions and matrix
 * products on wasm) and on element loops in JavaScript over the backend's memory (the wasm heap,
 * without copies) where no fast kernel fits. Registered for wasm (where they are missing, wrong or
 * slow) and, by default, for cpu (where tfjs's are correct but slow loops). What
 * tfjs-backend-wasm 4.22 lacks: Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter,
 * DepthwiseConv2dNativeBackpropInput; what it gets wrong: MaxPoolGrad (drops the last windows of
 * even kernels); what is slow: Conv2DBackpropInput (a plain loop, ~12× the forward convolution),
 * AvgPoolGrad, BatchMatMul with a transposed operand (2–7×), and, for training, Identity, Sum
 * and Tanh (see `wasmKernels`).
 *
 * - `Conv2DBackpropFilter`: with many output channels, the columns of the input (im2col, an
 *   element loop) times the output gradient, one matrix product; with few, a convolution of the
 *   input, with the batch as channels and the channels as batch, by the output gradient as the
 *   filter (the forward stride becomes the dilation).
 * - `Conv2DBackpropInput`: a convolution of the output gradient by the flipped filter with input
 *   and output channels swapped; with a stride, one convolution per stride phase by the phase's
 *   sub-filter, interleaved (no zero-spreading, so the work equals the forward's); 1×1
 *   convolutions use one matrix product.
 * - `DepthwiseConv2dNativeBackpropInput` / `...Filter`: the same ideas with depthwise convolutions
 *   (batch·channels as channels for the filter gradient).
 * - `MaxPoolGrad`, `AvgPoolGrad`: element loops over the windows, routed to the first maximum of
 *   each window as PyTorch does (max pooling).
 *
 * Only NHWC data (tfjs's default, what the compiled models use) is computed natively; NCHW is
 * transposed in and out. Every kernel is checked against tfjs's cpu kernels and finite
 * differences (test/trainer/gradKernels.test.ts).
 */

/** The most negative finite float32: max-pooling padding (never the maximum of a window that holds an input value). */
export const LOWEST_FLOAT32 = -3.4028234663852886e38;

type Shape4 = [number, number, number, number];
type Pad = number | "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = "floor" | "round" | "ceil" | undefined;

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

function geometryOf(info: ReturnType<TF["backend_util"]["computeConv2DInfo"]>): ConvGeometry {
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

function geometry(
  tf: TF,
  inShape: Shape4,
  filterShape: Shape4,
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: Pad,
  rounding: Rounding,
  depthwise: boolean,
): ConvGeometry {
  return geometryOf(tf.backend_util.computeConv2DInfo(inShape, filterShape, strides, dilations, pad, rounding, depthwise, "channelsLast"));
}

/** The geometry of a pooling kernel's attributes (filterSize, strides, pad, dimRoundingMode). */
function poolGeometry(tf: TF, inShape: Shape4, attrs: NamedAttrMap): ConvGeometry {
  return geometryOf(
    tf.backend_util.computePool2DInfo(inShape, attrNum2(attrs.filterSize), attrNum2(attrs.strides), 1, attrPad(attrs.pad), attrRounding(attrs.dimRoundingMode)),
  );
}

const nchwToNhwc = (s: readonly number[]): Shape4 => [s[0]!, s[2]!, s[3]!, s[1]!];

/** The input window a filter gradient reads: padded by top/left, cropped to what the windows touch. */
function inputWindow(r: Runner, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const needH = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const needW = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  return r.padCrop(x, [
    [0, 0],
    [g.top, needH - g.h - g.top],
    [g.left, needW - g.w - g.left],
    [0, 0],
  ]);
}

/** At most this many values in the column matrix of a filter gradient (else the batch is split). */
const COLUMNS_LIMIT = 1 << 23;

/**
 * The columns of images n0 … n0 + nb − 1 of x [N, H, W, C] (im2col, transposed):
 * [kh·kw·C, nb·OH·OW], row (i, j, c) and column (n, y, x) holding x[n, y·sh + i·dh − top,
 * x·sw + j·dw − left, c], zero in the padding.
 */
function columns(r: Runner, x: TensorInfo, g: ConvGeometry, n0: number, nb: number): TensorInfo {
  const { h, w, c, oh, ow, kh, kw, sh, sw, dh, top } = g;
  return r.loop([kh * kw * c, nb * oh * ow], [x], (col, xv) => {
    let o = 0;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const { x0, x1, shift } = tapSpan(g, j);
        for (let ch = 0; ch < c; ch++) {
          for (let n = n0; n < n0 + nb; n++) {
            for (let y = 0; y < oh; y++, o += ow) {
              const iy = y * sh + i * dh - top;
              if (iy < 0 || iy >= h) {
                for (let xx = 0; xx < ow; xx++) col[o + xx] = 0;
                continue;
              }
              const base = ((n * h + iy) * w + shift) * c + ch;
              const step = sw * c;
              for (let xx = 0; xx < x0; xx++) col[o + xx] = 0;
              for (let xx = x0; xx < x1; xx++) col[o + xx] = xv[base + xx * step]!;
              for (let xx = x1; xx < ow; xx++) col[o + xx] = 0;
            }
          }
        }
      }
    }
  });
}

/**
 * dW[kh, kw, C, CO] of a convolution of x [N, H, W, C] giving dy [N, OH, OW, CO].
 * - With many output channels (or a 1×1 filter): the columns of x (im2col) times dy as
 *   [N·OH·OW, CO], one matrix product (per batch chunk when the columns would be large).
 * - Else (few output channels, where the columns cost more than the product): a convolution of xp
 *   as [C, H, W, N] by dy as [OH, OW, N, CO] with stride d and dilation s, as
 *   dW[i, j, c, o] = Σ_{n, y, x} xp[n, y·s + i·d, x·s + j·d, c] · dy[n, y, x, o].
 */
function convFilterGrad(r: Runner, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const co = dy.shape[3]!;
  if (co < 32 && (g.kh > 1 || g.kw > 1)) {
    const xp = r.transpose(inputWindow(r, x, g), [3, 1, 2, 0]);
    const f = r.transpose(dy, [1, 2, 0, 3]);
    const out = r.run("Conv2D", { x: xp, filter: f }, { strides: [g.dh, g.dw], pad: "valid", dataFormat: "NHWC", dilations: [g.sh, g.sw] });
    return r.transpose(out, [1, 2, 0, 3]);
  }
  const perImage = g.oh * g.ow;
  const chunk = Math.max(1, Math.min(g.n, Math.floor(COLUMNS_LIMIT / (g.kh * g.kw * g.c * perImage))));
  let dw: TensorInfo | null = null;
  for (let n0 = 0; n0 < g.n; n0 += chunk) {
    const nb = Math.min(chunk, g.n - n0);
    const rows =
      nb === g.n
        ? r.reshape(dy, [nb * perImage, co])
        : r.loop([nb * perImage, co], [dy], (out, d) => out.set(d.subarray(n0 * perImage * co, (n0 + nb) * perImage * co)));
    const part = r.run("BatchMatMul", { a: columns(r, x, g, n0, nb), b: rows }, { transposeA: false, transposeB: false });
    dw = dw ? r.run("Add", { a: dw, b: part }) : part;
  }
  return r.reshape(dw!, [g.kh, g.kw, g.c, co]);
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
function phasedInputGrad(
  r: Runner,
  dy: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
  channels: number,
  prepare: (sub: TensorInfo) => TensorInfo,
  conv: (z: TensorInfo, f: TensorInfo) => TensorInfo,
): TensorInfo {
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
      const sub = r.run(
        "StridedSlice",
        { x: filter },
        {
          begin: [a, b, 0, 0],
          end: [g.kh, g.kw, fi, fo],
          strides: [g.sh, g.sw, 1, 1],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        },
      );
      const z = r.padCrop(dy, [
        [0, 0],
        [la - 1, qh - g.oh],
        [lb - 1, qw - g.ow],
        [0, 0],
      ]);
      row.push(conv(z, prepare(sub)));
    }
    phases.push(row);
  }
  const dxp = r.interleave(phases, g.n, qh, qw, channels);
  return r.padCrop(dxp, [
    [0, 0],
    [-g.top, g.h + g.top - qh * g.sh],
    [-g.left, g.w + g.left - qw * g.sw],
    [0, 0],
  ]);
}

const stridedOnly = (g: ConvGeometry): boolean => (g.sh > 1 || g.sw > 1) && g.dh === 1 && g.dw === 1;

/** A filter [kh, kw, A, B] turned by 180° (one element loop): [kh, kw, B, A] when `swap`, else [kh, kw, A, B]. */
function flipFilter(r: Runner, f: TensorInfo, swap: boolean): TensorInfo {
  const [kh, kw, a, b] = f.shape as Shape4;
  return r.loop(swap ? [kh, kw, b, a] : [kh, kw, a, b], [f], (out, fv) => {
    let o = 0;
    for (let i = kh - 1; i >= 0; i--) {
      for (let j = kw - 1; j >= 0; j--) {
        const base = (i * kw + j) * a * b;
        if (!swap) out.set(fv.subarray(base, base + a * b), o);
        else for (let q = 0; q < b; q++) for (let p = 0; p < a; p++) out[o + q * a + p] = fv[base + p * b + q]!;
        o += a * b;
      }
    }
  });
}

/** dx [N, H, W, C] of a convolution by filter [kh, kw, C, CO] giving dy [N, OH, OW, CO]. */
function convInputGrad(r: Runner, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const co = dy.shape[3]!;
  if (g.kh === 1 && g.kw === 1) {
    const m = g.n * g.oh * g.ow;
    const dxs = r.reshape(r.matMul(r.reshape(dy, [m, co]), r.reshape(filter, [g.c, co]), false, true), [g.n, g.oh, g.ow, g.c]);
    const spread = r.spread(dxs, g.sh, g.sw);
    return r.padCrop(spread, [
      [0, 0],
      [-g.top, g.h + g.top - spread.shape[1]!],
      [-g.left, g.w + g.left - spread.shape[2]!],
      [0, 0],
    ]);
  }
  const flip = (f: TensorInfo): TensorInfo => flipFilter(r, f, true);
  const conv = (z: TensorInfo, f: TensorInfo, d: [number, number]): TensorInfo =>
    r.run("Conv2D", { x: z, filter: f }, { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations: d });
  if (stridedOnly(g)) return phasedInputGrad(r, dy, filter, g, g.c, flip, (z, f) => conv(z, f, [1, 1]));
  return conv(spreadGradient(r, dy, g), flip(filter), [g.dh, g.dw]);
}

/** dx of a depthwise convolution by filter [kh, kw, C, M] giving dy [N, OH, OW, C·M]. */
function depthwiseInputGrad(r: Runner, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const m = filter.shape[3]!;
  const flip = (f: TensorInfo): TensorInfo => {
    const flipped = flipFilter(r, f, false);
    return m > 1 ? r.reshape(flipped, [flipped.shape[0]!, flipped.shape[1]!, g.c * m, 1]) : flipped;
  };
  const conv = (z: TensorInfo, f: TensorInfo, d: [number, number]): TensorInfo =>
    r.run("DepthwiseConv2dNative", { x: z, filter: f }, { strides: [1, 1], pad: "valid", dilations: d });
  const out = stridedOnly(g)
    ? phasedInputGrad(r, dy, filter, g, g.c * m, flip, (z, f) => conv(z, f, [1, 1]))
    : conv(spreadGradient(r, dy, g), flip(filter), [g.dh, g.dw]);
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
 * Window taps along the width, for element loops: the outputs x0 ≤ x < x1 whose tap j is inside
 * the input [0, w), which is input column x·s + shift for output x.
 */
function tapSpan(g: ConvGeometry, j: number): { x0: number; x1: number; shift: number } {
  const shift = j * g.dw - g.left;
  const x0 = Math.min(g.ow, Math.max(0, Math.ceil(-shift / g.sw)));
  const x1 = Math.max(x0, Math.min(g.ow, Math.floor((g.w - 1 - shift) / g.sw) + 1));
  return { x0, x1, shift };
}

/**
 * Visits the window taps of a pooling [N, H, W, C] → [N, OH, OW, C] row by row, for element loops:
 * for each output row (`out`: the index of its first value), `begin(out)`, then, tap by tap
 * (row-major), `tap(out, src, x0, x1)` where src is the index of the tap's first value for output
 * column 0 (column x reads src + x·sw·C, for x0 ≤ x < x1), then `end(out)`.
 */
function forEachTap(
  g: ConvGeometry,
  begin: (out: number) => void,
  tap: (out: number, src: number, x0: number, x1: number) => void,
  end: (out: number) => void,
): void {
  const spans = Array.from({ length: g.kw }, (_, j) => tapSpan(g, j));
  for (let n = 0; n < g.n; n++) {
    for (let y = 0; y < g.oh; y++) {
      const out = (n * g.oh + y) * g.ow * g.c;
      begin(out);
      for (let i = 0; i < g.kh; i++) {
        const iy = y * g.sh + i * g.dh - g.top;
        if (iy < 0 || iy >= g.h) continue;
        for (const { x0, x1, shift } of spans) tap(out, ((n * g.h + iy) * g.w + shift) * g.c, x0, x1);
      }
      end(out);
    }
  }
}

/**
 * dx of a max pooling (NHWC), routed as PyTorch does: each output's gradient goes to the first
 * input of its window (row-major) holding the maximum (a NaN wins, the last one). One element
 * loop; wasm's own MaxPoolGrad drops the last windows for even kernels.
 */
function maxPoolGrad(r: Runner, dy: TensorInfo, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const { c, sw } = g;
  const rowSize = g.ow * c;
  if (isPool2x2(g)) return r.loop([g.n, g.h, g.w, c], [dy, x], (dx, dyv, xv) => maxPoolGrad2x2(dx, dyv, xv, g));
  return r.loop([g.n, g.h, g.w, c], [dy, x], (dx, dyv, xv) => {
    dx.fill(0);
    const best = new Float32Array(rowSize);
    const at = new Int32Array(rowSize);
    forEachTap(
      g,
      () => at.fill(-1),
      (_out, src, x0, x1) => {
        for (let ox = x0; ox < x1; ox++) {
          const from = src + ox * sw * c;
          for (let ch = 0, k = ox * c; ch < c; ch++, k++) {
            const v = xv[from + ch]!;
            if (v > best[k]! || v !== v || at[k]! < 0) {
              best[k] = v;
              at[k] = from + ch;
            }
          }
        }
      },
      (out) => {
        for (let k = 0; k < rowSize; k++) {
          const to = at[k]!;
          if (to >= 0) dx[to] = dx[to]! + dyv[out + k]!;
        }
      },
    );
  });
}

/** The pooling of most CNNs (MaxPool2d(2), AvgPool2d(2)): 2×2 windows, stride 2, no padding; each input in at most one window. */
function isPool2x2(g: ConvGeometry): boolean {
  return g.kh === 2 && g.kw === 2 && g.sh === 2 && g.sw === 2 && g.dh === 1 && g.dw === 1 && g.top === 0 && g.left === 0 && 2 * g.oh <= g.h && 2 * g.ow <= g.w;
}

/**
 * `maxPoolGrad` for 2×2 windows of stride 2 (issue 17: ~a tenth of a SimpleCNN step): every input
 * written once, in the same order of comparison (row-major, the first maximum, a NaN wins).
 */
function maxPoolGrad2x2(dx: Float32Array, dyv: Float32Array, xv: Float32Array, g: ConvGeometry): void {
  const { n, h, w, c, oh, ow } = g;
  if (2 * oh !== h || 2 * ow !== w) dx.fill(0); // the last row or column of an odd size is in no window
  const row = w * c;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const top = (b * h + 2 * oy) * row;
      for (let ox = 0; ox < ow; ox++) {
        const p = top + 2 * ox * c;
        for (let ch = 0; ch < c; ch++, o++) {
          const i0 = p + ch;
          const i1 = i0 + c;
          const i2 = i0 + row;
          const i3 = i2 + c;
          let best = xv[i0]!;
          let at = 0;
          let v = xv[i1]!;
          if (v > best || v !== v) {
            best = v;
            at = 1;
          }
          v = xv[i2]!;
          if (v > best || v !== v) {
            best = v;
            at = 2;
          }
          v = xv[i3]!;
          if (v > best || v !== v) at = 3;
          const d = dyv[o]!;
          dx[i0] = at === 0 ? d : 0;
          dx[i1] = at === 1 ? d : 0;
          dx[i2] = at === 2 ? d : 0;
          dx[i3] = at === 3 ? d : 0;
        }
      }
    }
  }
}

/** `avgPoolGrad` for 2×2 windows of stride 2: each input gets a quarter of its window's gradient. */
function avgPoolGrad2x2(dx: Float32Array, dyv: Float32Array, g: ConvGeometry): void {
  const { n, h, w, c, oh, ow } = g;
  if (2 * oh !== h || 2 * ow !== w) dx.fill(0);
  const row = w * c;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const top = (b * h + 2 * oy) * row;
      for (let ox = 0; ox < ow; ox++) {
        const p = top + 2 * ox * c;
        for (let ch = 0; ch < c; ch++, o++) {
          const d = dyv[o]! * 0.25;
          dx[p + ch] = d;
          dx[p + ch + c] = d;
          dx[p + ch + row] = d;
          dx[p + ch + row + c] = d;
        }
      }
    }
  }
}

/** dx of an average pooling (NHWC): each output's gradient, over the window size, to its in-bounds taps (tfjs's definition). */
function avgPoolGrad(r: Runner, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const { c, sw } = g;
  const scale = 1 / (g.kh * g.kw);
  if (isPool2x2(g)) return r.loop([g.n, g.h, g.w, c], [dy], (dx, dyv) => avgPoolGrad2x2(dx, dyv, g));
  const none = (): void => {};
  return r.loop([g.n, g.h, g.w, c], [dy], (dx, dyv) => {
    dx.fill(0);
    forEachTap(
      g,
      none,
      (out, src, x0, x1) => {
        for (let ox = x0; ox < x1; ox++) {
          const to = src + ox * sw * c;
          const from = out + ox * c;
          for (let ch = 0; ch < c; ch++) dx[to + ch] = dx[to + ch]! + dyv[from + ch]! * scale;
        }
      },
      none,
    );
  });
}

const attrNum2 = (v: unknown): number | [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1])] : Number(v ?? 1));
const attrPad = (v: unknown): Pad => v as Pad;
const attrRounding = (v: unknown): Rounding => (v === "floor" || v === "round" || v === "ceil" ? v : undefined);
const shape4 = (v: unknown): Shape4 => {
  if (!Array.isArray(v) || v.length !== 4) throw new Error(`Expected a 4-D shape, got ${String(v)}`);
  return v.map(Number) as Shape4;
};

/** The kernels this module provides, by name. */
export const GRAD_KERNEL_NAMES = [
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
  "MaxPoolGrad",
  "AvgPoolGrad",
] as const;

/**
 * Builds the kernel configs for `backendName` (on wasm also the faster forward kernels of
 * `wasmKernels`);
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
        const g = geometry(
          tf,
          x.shape as Shape4,
          shape4(attrs.filterShape),
          attrNum2(attrs.strides),
          1,
          attrPad(attrs.pad),
          attrRounding(attrs.dimRoundingMode),
          false,
        );
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
        const g = geometry(
          tf,
          x.shape as Shape4,
          fs,
          attrNum2(attrs.strides),
          attrNum2(attrs.dilations),
          attrPad(attrs.pad),
          attrRounding(attrs.dimRoundingMode),
          true,
        );
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
        const g = geometry(
          tf,
          shape4(attrs.inputShape),
          filter.shape as Shape4,
          attrNum2(attrs.strides),
          attrNum2(attrs.dilations),
          attrPad(attrs.pad),
          attrRounding(attrs.dimRoundingMode),
          true,
        );
        return r.finish(depthwiseInputGrad(r, dy, filter, g));
      },
    },
    {
      kernelName: "MaxPoolGrad",
      backendName,
      kernelFunc: ({ inputs, backend, attrs = {} }) => {
        const r = runner(backend);
        const x = input(inputs, "input");
        return r.finish(maxPoolGrad(r, input(inputs, "dy"), x, poolGeometry(tf, x.shape as Shape4, attrs)));
      },
    },
    {
      kernelName: "AvgPoolGrad",
      backendName,
      kernelFunc: ({ inputs, backend, attrs = {} }) => {
        const r = runner(backend);
        return r.finish(avgPoolGrad(r, input(inputs, "dy"), poolGeometry(tf, input(inputs, "input").shape as Shape4, attrs)));
      },
    },
    ...(backendName === "wasm" ? wasmKernels(tf, backendName, originals) : []),
  ];
}

/**
 * Registers the fast gradient kernels for `backendName` (replacing slower ones), and returns a
 * function that restores the previous registrations. Idempotent per backend.
 */
export function installGradKernels(tf: TF, backendName: string): () => void {
  const installed = installedBy.get(backendName);
  if (installed) return installed;
  const previous = new Map<string, KernelConfig>();
  for (const name of [...GRAD_KERNEL_NAMES, ...WASM_KERNEL_NAMES]) {
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
