import type { LayerConfig } from "../../../analyzer/layers/index";
import type { Pair } from "../../../analyzer/layers/kind";
import { nhwc, torch as torchValue, type Value } from "../value";
import { only, type BuildCtx, type LayerBuilder, type NodeFn, type RunCtx } from "./common";
import { convNode } from "./conv";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from "./pool";

/**
 * The 1-D kinds as their 2-D lowering on a map of height 1: `[N, C, L]` (PyTorch layout) enters
 * as NHWC `[N, 1, L, C]`, the 2-D window is `[1, k]`, and the `[N, 1, L', C']` result leaves as
 * `[N, C', L']`. Weights keep PyTorch's 1-D layout and are reshaped inside each call.
 */

function toMap(ctx: RunCtx, v: Value): Value {
  const x = ctx.torchOf(v);
  const [n, c, l] = x.shape as [number, number, number];
  return nhwc(ctx.tf.reshape(ctx.tf.transpose(x, [0, 2, 1]), [n, 1, l, c]));
}

function fromMap(ctx: RunCtx, v: Value): Value {
  const y = ctx.nhwcOf(v);
  const [n, , l, c] = y.shape;
  return torchValue(ctx.tf.transpose(ctx.tf.reshape(y, [n, l, c]), [0, 2, 1]));
}

/** A 2-D node function applied to a 1-D input (`[N, C, L]`, or PyTorch's unbatched `[C, L]`). */
function as1d(fn: NodeFn): NodeFn {
  return (inputs, ctx) => {
    const v = only(inputs);
    if (v.t.rank !== 2) return fromMap(ctx, fn([toMap(ctx, v)], ctx));
    const y = fromMap(ctx, fn([toMap(ctx, torchValue(ctx.tf.expandDims(v.t, 0)))], ctx));
    return torchValue(ctx.tf.squeeze(y.t, [0]));
  };
}

const row = (n: number, fill: number): Pair => [fill, n];

export const conv1d: LayerBuilder<"Conv1d"> = (b, c) => {
  const tf = b.tf;
  const weight = b.tensor("weight");
  const conv2d: LayerConfig<"Conv2d"> = {
    inChannels: c.inChannels,
    outChannels: c.outChannels,
    kernelSize: row(c.kernelSize, 1),
    stride: row(c.stride, 1),
    padding: row(c.padding, 0),
    paddingMode: c.paddingMode,
    outputPadding: [0, 0],
    dilation: row(c.dilation, 1),
    groups: c.groups,
    bias: c.bias,
    samePadding: c.samePadding,
  };
  const [o, i, k] = weight.shape as [number, number, number];
  return as1d(convNode(tf, conv2d, () => tf.reshape(weight, [o, i, 1, k]), c.bias ? b.tensor("bias") : null));
};

export const maxPool1d: LayerBuilder<"MaxPool1d"> = (b, c) =>
  as1d(
    maxPool2d(b, {
      kernelSize: row(c.kernelSize, 1),
      stride: row(c.stride, 1),
      padding: row(c.padding, 0),
      dilation: row(c.dilation, 1),
      ceilMode: c.ceilMode,
      returnIndices: c.returnIndices,
    }),
  );

export const avgPool1d: LayerBuilder<"AvgPool1d"> = (b, c) =>
  as1d(
    avgPool2d(b, {
      kernelSize: row(c.kernelSize, 1),
      stride: row(c.stride, 1),
      padding: row(c.padding, 0),
      dilation: [1, 1],
      ceilMode: c.ceilMode,
      countIncludePad: c.countIncludePad,
      divisorOverride: null,
    }),
  );

export const adaptiveAvgPool1d: LayerBuilder<"AdaptiveAvgPool1d"> = (b: BuildCtx, c) => as1d(adaptiveAvgPool2d(b, { outputSize: [1, c.outputSize] }));
