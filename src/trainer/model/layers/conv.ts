import type * as tfc from "@tensorflow/tfjs-core";
import type { TF } from "../types";
import { nhwc } from "../value";
import type { LayerConfig } from "../../../analyzer/layers/index";
import { CompileError, only, padCrop, type LayerBuilder, type NodeFn } from "./common";

/**
 * Conv2d and ConvTranspose2d on NHWC feature maps with PyTorch-layout weights:
 * Conv2d weight [out, in/groups, kh, kw] → tfjs filter [kh, kw, in/groups, out];
 * groups == in channels → one depthwise convolution (filter [kh, kw, in, out/in]);
 * other groups → one convolution per group, concatenated. Dilation is applied by spreading the
 * filter with zeros (tfjs has no gradients for dilated convolutions); padding is explicit
 * (asymmetric for "same" with even kernels, as PyTorch).
 */

type Pads = [[number, number], [number, number]];

/** Spreads a [kh, kw, i, o] filter to dilation (dh, dw): zeros between taps (differentiable). */
export function dilateFilter(tf: TF, f: tfc.Tensor4D, dh: number, dw: number): tfc.Tensor4D {
  let t: tfc.Tensor4D = f;
  const [kh, kw, ci, co] = f.shape;
  if (dh > 1) {
    const r = tf.pad(tf.reshape(t, [kh, 1, kw * ci * co]), [
      [0, 0],
      [0, dh - 1],
      [0, 0],
    ]);
    t = tf.slice(tf.reshape(r, [kh * dh, kw, ci, co]), [0, 0, 0, 0], [dh * (kh - 1) + 1, kw, ci, co]) as tfc.Tensor4D;
  }
  if (dw > 1) {
    const kh2 = t.shape[0];
    const r = tf.pad(tf.reshape(t, [kh2 * kw, 1, ci * co]), [
      [0, 0],
      [0, dw - 1],
      [0, 0],
    ]);
    t = tf.slice(tf.reshape(r, [kh2, kw * dw, ci, co]), [0, 0, 0, 0], [kh2, dw * (kw - 1) + 1, ci, co]) as tfc.Tensor4D;
  }
  return t;
}

/**
 * Non-zero padding modes: reflect (mirror without the edge), replicate (edge), circular (wrap),
 * from slices and a concatenation (tfjs's mirrorPad gradient only slices, dropping the reflected
 * parts' gradients).
 */
function padMode(tf: TF, x: tfc.Tensor4D, pads: Pads, mode: string): tfc.Tensor4D {
  let t: tfc.Tensor4D = x;
  for (const axis of [1, 2] as const) {
    const [before, after] = pads[axis - 1]!;
    if (!before && !after) continue;
    const len = t.shape[axis];
    const sliceAt = (start: number, size: number): tfc.Tensor4D => {
      const begin = [0, 0, 0, 0];
      const sz = [...t.shape];
      begin[axis] = start;
      sz[axis] = size;
      return tf.slice(t, begin, sz) as tfc.Tensor4D;
    };
    const parts: tfc.Tensor4D[] = [];
    if (mode === "replicate") {
      for (let i = 0; i < before; i++) parts.push(sliceAt(0, 1));
      parts.push(t);
      for (let i = 0; i < after; i++) parts.push(sliceAt(len - 1, 1));
    } else if (mode === "reflect") {
      for (let i = before; i >= 1; i--) parts.push(sliceAt(i, 1));
      parts.push(t);
      for (let i = 1; i <= after; i++) parts.push(sliceAt(len - 1 - i, 1));
    } else {
      if (before) parts.push(sliceAt(len - before, before));
      parts.push(t);
      if (after) parts.push(sliceAt(0, after));
    }
    t = tf.concat(parts, axis);
  }
  return t;
}

export const conv2d: LayerBuilder<"Conv2d"> = (b, c) => {
  const weight = b.tensor("weight");
  return convNode(b.tf, c, () => weight, c.bias ? b.tensor("bias") : null);
};

/**
 * Conv2d's function with the weight read at each call (`weightOf` may reshape a parameter, as
 * Conv1d's `[out, in/groups, k]` → `[out, in/groups, 1, k]`, inside the gradient tape).
 */
export function convNode(tf: TF, c: LayerConfig<"Conv2d">, weightOf: () => tfc.Tensor, bias: tfc.Tensor | null): NodeFn {
  const { inChannels: cin, outChannels: cout, groups, paddingMode: mode } = c;
  const [kh, kw] = c.kernelSize;
  const [sh, sw] = c.stride;
  const [ph, pw] = c.padding;
  const [dh, dw] = c.dilation;
  // "same": the left/top amount is in `padding`, the rest goes after (PyTorch).
  const pads: Pads = c.samePadding
    ? [
        [ph, dh * (kh - 1) - ph],
        [pw, dw * (kw - 1) - pw],
      ]
    : [
        [ph, ph],
        [pw, pw],
      ];
  const depthwise = groups > 1 && groups === cin;
  const mult = cout / cin;

  const fn: NodeFn = (inputs, ctx) => {
    const weight = weightOf();
    let x = ctx.nhwcOf(only(inputs));
    let pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], pads[0], pads[1], [0, 0]];
    if (mode !== "zeros") {
      x = padMode(tf, x, pads, mode);
      pad = [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ];
    }
    const stride: [number, number] = [sh, sw];
    let y: tfc.Tensor4D;
    if (depthwise) {
      // [out, 1, kh, kw] with out = c·M + m → [kh, kw, in, M]
      let f = tf.transpose(tf.reshape(weight, [cin, mult, kh, kw]), [2, 3, 0, 1]) as tfc.Tensor4D;
      f = dilateFilter(tf, f, dh, dw);
      y = tf.depthwiseConv2d(x, f, stride, pad);
    } else {
      let f = tf.transpose(weight, [2, 3, 1, 0]) as tfc.Tensor4D;
      f = dilateFilter(tf, f, dh, dw);
      if (groups === 1 && bias) {
        // The backend adds the bias (see the FusedConv2D gradient in ../tfjsGradients).
        const attrs = { strides: stride, pad, dataFormat: "NHWC", dilations: [1, 1], activation: "linear" };
        return nhwc(tf.engine().runKernel("FusedConv2D", { x, filter: f, bias }, attrs as unknown as tfc.NamedAttrMap) as tfc.Tensor4D);
      }
      if (groups === 1) y = tf.conv2d(x, f, stride, pad);
      else {
        const xs = tf.split(x, groups, 3) as tfc.Tensor4D[];
        const fs = tf.split(f, groups, 3) as tfc.Tensor4D[];
        y = tf.concat(
          xs.map((xg, g) => tf.conv2d(xg, fs[g]!, stride, pad)),
          3,
        );
      }
    }
    if (bias) y = tf.add(y, bias) as tfc.Tensor4D;
    return nhwc(y);
  };
  return fn;
}

export const convTranspose2d: LayerBuilder<"ConvTranspose2d"> = (b, c) => {
  const tf = b.tf;
  const groups = c.groups;
  const [kh, kw] = c.kernelSize;
  const [sh, sw] = c.stride;
  const [ph, pw] = c.padding;
  const [oph, opw] = c.outputPadding;
  const [dh, dw] = c.dilation;
  if (c.paddingMode !== "zeros") throw new CompileError("ConvTranspose2d supports only zero padding");
  const weight = b.tensor("weight");
  const bias = c.bias ? b.tensor("bias") : null;
  const keh = dh * (kh - 1) + 1;
  const kew = dw * (kw - 1) + 1;

  return (inputs, ctx) => {
    const x = ctx.nhwcOf(only(inputs));
    const [n, h, w] = x.shape;
    const fullH = (h - 1) * sh + keh;
    const fullW = (w - 1) * sw + kew;
    // [in, out/g, kh, kw] → per group [kh, kw, out/g, in/g] (tfjs: [kh, kw, outDepth, inDepth])
    const f = dilateFilter(tf, tf.transpose(weight, [2, 3, 1, 0]) as tfc.Tensor4D, dh, dw);
    const one = (xg: tfc.Tensor4D, fg: tfc.Tensor4D): tfc.Tensor4D =>
      tf.conv2dTranspose(xg, fg, [n, fullH, fullW, fg.shape[2]], [sh, sw], "valid") as tfc.Tensor4D;
    let y: tfc.Tensor4D;
    if (groups === 1) y = one(x, f);
    else {
      const xs = tf.split(x, groups, 3) as tfc.Tensor4D[];
      const fs = tf.split(f, groups, 3) as tfc.Tensor4D[];
      y = tf.concat(
        xs.map((xg, g) => one(xg, fs[g]!)),
        3,
      );
    }
    // Output (H−1)·s − 2p + d·(k−1) + outputPadding + 1: crop p before, p − outputPadding after.
    y = padCrop(tf, y, [
      [0, 0],
      [-ph, oph - ph],
      [-pw, opw - pw],
      [0, 0],
    ]) as tfc.Tensor4D;
    if (bias) y = tf.add(y, bias) as tfc.Tensor4D;
    return nhwc(y);
  };
};
