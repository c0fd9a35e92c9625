import type * as tfc from "@tensorflow/tfjs-core";
import type { TF } from "../types";
import { LOWEST_FLOAT32 } from "../gradKernels";
import type { AdaptivePoolConfig } from "../../../analyzer/layers/index";
import { nhwc, type Value } from "../value";
import { alongAxis, only, padCrop, windowOutput, type LayerBuilder, type RunCtx } from "./common";

/**
 * Max, average and adaptive pooling with PyTorch's exact windows on NHWC maps (3-D inputs
 * [C, H, W] are treated as a batch of one). Padding and ceil-mode overhang are explicit: the
 * lowest float32 for max pooling (every window holds an input value, so it never wins), zeros
 * for average pooling with PyTorch's divisor (count_include_pad counts the padding but not the
 * ceil-mode overhang; divisorOverride wins).
 */

interface Window {
  k: number;
  s: number;
  p: number;
  d: number;
  out: number;
  /** Padding after the input so that exactly the windows fit (may be negative: crop). */
  after: number;
}

function window(len: number, k: number, s: number, p: number, d: number, ceil: boolean): Window {
  const out = windowOutput(len, k, s, p, d, ceil);
  const need = (out - 1) * s + d * (k - 1) + 1;
  return { k, s, p, d, out, after: need - len - p };
}

/** `x` (NHWC) padded before by the windows' padding and after by what makes exactly their outputs fit (cropped where negative), with `value`. */
function padToWindows(tf: TF, x: tfc.Tensor4D, wh: Window, ww: Window, value: number): tfc.Tensor4D {
  return padCrop(
    tf,
    x,
    [
      [0, 0],
      [wh.p, wh.after],
      [ww.p, ww.after],
      [0, 0],
    ],
    value,
  ) as tfc.Tensor4D;
}

/** Runs `f` on the input as NHWC (adding a batch of one for 3-D [C, H, W]), returning the same kind of value. */
function spatial(ctx: RunCtx, v: Value, f: (x: tfc.Tensor4D) => tfc.Tensor4D): Value {
  if (v.t.rank === 3) {
    const x = ctx.tf.transpose(ctx.tf.expandDims(v.t, 0), [0, 2, 3, 1]) as tfc.Tensor4D;
    const y = f(x);
    return { t: ctx.tf.squeeze(ctx.tf.transpose(y, [0, 3, 1, 2]), [0]), layout: "torch" };
  }
  return nhwc(f(ctx.nhwcOf(v)));
}

/** Rows start, start + step, … (count of them) along `axis`: slice, then reshape to pick every step-th. */
function strided(tf: TF, x: tfc.Tensor4D, axis: 1 | 2, start: number, count: number, step: number): tfc.Tensor4D {
  const begin = [0, 0, 0, 0];
  const size = [...x.shape];
  begin[axis] = start;
  size[axis] = (count - 1) * step + 1;
  let t = tf.slice(x, begin, size) as tfc.Tensor4D;
  if (step === 1) return t;
  const padAmounts: [number, number][] = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  padAmounts[axis] = [0, step - 1];
  t = tf.pad(t, padAmounts) as tfc.Tensor4D;
  const shape: number[] = [...t.shape];
  const split = [...shape.slice(0, axis), count, step, ...shape.slice(axis + 1)];
  const picked = tf.slice(
    tf.reshape(t, split) as tfc.Tensor,
    split.map(() => 0),
    split.map((d, i) => (i === axis + 1 ? 1 : d!)),
  );
  const out: tfc.Tensor = tf.reshape(picked, [...shape.slice(0, axis), count, ...shape.slice(axis + 1)]);
  return out as tfc.Tensor4D;
}

export const maxPool2d: LayerBuilder<"MaxPool2d"> = (b, c) => {
  const tf = b.tf;
  const [kh, kw] = c.kernelSize;
  const [sh, sw] = c.stride;
  const [ph, pw] = c.padding;
  const [dh, dw] = c.dilation;
  const ceil = c.ceilMode;
  return (inputs, ctx) =>
    spatial(ctx, only(inputs), (x) => {
      const wh = window(x.shape[1], kh, sh, ph, dh, ceil);
      const ww = window(x.shape[2], kw, sw, pw, dw, ceil);
      const xp = padToWindows(tf, x, wh, ww, LOWEST_FLOAT32);
      if (dh === 1 && dw === 1) return tf.maxPool(xp, [kh, kw], [sh, sw], "valid");
      // Dilated windows: the maximum of the kh·kw strided taps.
      let y: tfc.Tensor4D | null = null;
      for (let i = 0; i < kh; i++) {
        const rows = strided(tf, xp, 1, i * dh, wh.out, sh);
        for (let j = 0; j < kw; j++) {
          const tap = strided(tf, rows, 2, j * dw, ww.out, sw);
          y = y ? (tf.maximum(y, tap) as tfc.Tensor4D) : tap;
        }
      }
      return y!;
    });
};

/** PyTorch's average-pooling divisor per output position along one axis: [window size with padding, without]. */
function divisors(len: number, w: Window): { withPad: number[]; without: number[] } {
  const withPad: number[] = [];
  const without: number[] = [];
  for (let o = 0; o < w.out; o++) {
    const start = o * w.s - w.p;
    const end = Math.min(start + w.k, len + w.p);
    withPad.push(end - start);
    without.push(Math.min(end, len) - Math.max(start, 0));
  }
  return { withPad, without };
}

export const avgPool2d: LayerBuilder<"AvgPool2d"> = (b, c) => {
  const tf = b.tf;
  const [kh, kw] = c.kernelSize;
  const [sh, sw] = c.stride;
  const [ph, pw] = c.padding;
  const { ceilMode: ceil, countIncludePad, divisorOverride } = c;
  const scales = new Map<string, tfc.Tensor | null>();
  /** kh·kw / divisor per output position, or null when it is 1 everywhere. */
  const scaleFor = (h: number, w: number, wh: Window, ww: Window): tfc.Tensor | null => {
    const key = `${h}x${w}`;
    if (scales.has(key)) return scales.get(key)!;
    const dh = divisors(h, wh);
    const dw = divisors(w, ww);
    const data = new Float32Array(wh.out * ww.out);
    let trivial = true;
    for (let i = 0; i < wh.out; i++) {
      for (let j = 0; j < ww.out; j++) {
        const div = divisorOverride ?? (countIncludePad ? dh.withPad[i]! * dw.withPad[j]! : dh.without[i]! * dw.without[j]!);
        const s = (kh * kw) / div;
        data[i * ww.out + j] = s;
        if (s !== 1) trivial = false;
      }
    }
    const t = trivial ? null : b.constant(data, [wh.out, ww.out, 1]);
    scales.set(key, t);
    return t;
  };
  return (inputs, ctx) =>
    spatial(ctx, only(inputs), (x) => {
      const wh = window(x.shape[1], kh, sh, ph, 1, ceil);
      const ww = window(x.shape[2], kw, sw, pw, 1, ceil);
      const xp = padToWindows(tf, x, wh, ww, 0);
      const y = tf.avgPool(xp, [kh, kw], [sh, sw], "valid");
      const s = scaleFor(x.shape[1], x.shape[2], wh, ww);
      return s ? tf.mul(y, s) : y;
    });
};

/** The window [start, end) of adaptive pooling output o of O over length L (PyTorch). */
function adaptiveRange(o: number, out: number, len: number): [number, number] {
  return [Math.floor((o * len) / out), Math.ceil(((o + 1) * len) / out)];
}

/** The output size; null (an axis kept) is the input's. */
function adaptiveSizes(c: AdaptivePoolConfig, x: tfc.Tensor4D): [number, number] {
  const o = c.outputSize;
  const [oh, ow] = o === null ? [null, null] : typeof o === "number" ? [o, o] : o;
  return [oh ?? x.shape[1], ow ?? x.shape[2]];
}

export const adaptiveAvgPool2d: LayerBuilder<"AdaptiveAvgPool2d"> = (b, c) => {
  const tf = b.tf;
  const mats = new Map<string, tfc.Tensor2D>();
  const matrix = (out: number, len: number): tfc.Tensor2D => {
    const key = `${out}/${len}`;
    let m = mats.get(key);
    if (!m) {
      const data = new Float32Array(out * len);
      for (let o = 0; o < out; o++) {
        const [s, e] = adaptiveRange(o, out, len);
        for (let l = s; l < e; l++) data[o * len + l] = 1 / (e - s);
      }
      m = b.constant(data, [out, len]) as tfc.Tensor2D;
      mats.set(key, m);
    }
    return m;
  };
  return (inputs, ctx) =>
    spatial(ctx, only(inputs), (x) => {
      const [, h, w] = x.shape;
      const [oh, ow] = adaptiveSizes(c, x);
      if (oh === 1 && ow === 1) return tf.mean(x, [1, 2], true);
      if (h % oh === 0 && w % ow === 0) return tf.avgPool(x, [h / oh, w / ow], [h / oh, w / ow], "valid");
      let y = x;
      if (oh !== h) y = alongAxis(tf, y, 1, matrix(oh, h));
      if (ow !== w) y = alongAxis(tf, y, 2, matrix(ow, w));
      return y;
    });
};

export const adaptiveMaxPool2d: LayerBuilder<"AdaptiveMaxPool2d"> = (b, c) => {
  const tf = b.tf;
  /** Max over the adaptive windows along one axis: one slice per output position. */
  const along = (x: tfc.Tensor4D, axis: 1 | 2, out: number): tfc.Tensor4D => {
    const len = x.shape[axis];
    if (out === len) return x;
    const parts: tfc.Tensor4D[] = [];
    for (let o = 0; o < out; o++) {
      const [s, e] = adaptiveRange(o, out, len);
      const begin = [0, 0, 0, 0];
      const size = [...x.shape];
      begin[axis] = s;
      size[axis] = e - s;
      parts.push(tf.max(tf.slice(x, begin, size), axis, true));
    }
    return tf.concat(parts, axis);
  };
  return (inputs, ctx) =>
    spatial(ctx, only(inputs), (x) => {
      const [, h, w] = x.shape;
      const [oh, ow] = adaptiveSizes(c, x);
      if (h % oh === 0 && w % ow === 0) return tf.maxPool(x, [h / oh, w / ow], [h / oh, w / ow], "valid");
      return along(along(x, 1, oh), 2, ow);
    });
};
