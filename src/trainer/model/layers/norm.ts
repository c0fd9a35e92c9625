import type * as tfc from "@tensorflow/tfjs-core";
import { nhwc, torch as torchValue } from "../value";
import { only, type LayerBuilder } from "./common";

/**
 * BatchNorm2d / BatchNorm1d with PyTorch's conventions: in training, normalise with the batch
 * mean and biased variance, and update running_mean / running_var with the unbiased variance:
 * running = (1 − momentum)·running + momentum·batch (momentum null: cumulative average,
 * 1/num_batches_tracked); num_batches_tracked counts the training calls. In evaluation, use the
 * running statistics. Without running statistics (trackRunningStats false), always use the batch.
 */
function batchNorm(kind: "2d" | "1d"): LayerBuilder<"BatchNorm2d" | "BatchNorm1d"> {
  return (b, config) => {
    const tf = b.tf;
    const { numFeatures: c, eps, affine, trackRunningStats: track } = config;
    // null (PyTorch's cumulative average) may come from a hand-written graph.
    const momentum: number | null = config.momentum;
    const weight = affine ? b.tensor("weight") : null;
    const bias = affine ? b.tensor("bias") : null;
    const runningMean = track ? b.tensor("running_mean") : null;
    const runningVar = track ? b.tensor("running_var") : null;
    const tracked = track ? b.tensor("num_batches_tracked") : null;

    return (inputs, ctx) => {
      const v = only(inputs);
      // Channels on the last axis (NHWC maps) or axis 1 ([N, C] and [N, C, L]).
      const x = kind === "2d" ? ctx.nhwcOf(v) : ctx.torchOf(v);
      const axes = kind === "2d" ? [0, 1, 2] : x.rank === 2 ? [0] : [0, 2];
      const statShape = kind === "2d" || x.rank === 2 ? [c] : [c, 1];
      const wrap = (t: tfc.Tensor) => (kind === "2d" ? nhwc(t) : torchValue(t));
      const affineOut = (normalised: tfc.Tensor, invStd: tfc.Tensor): tfc.Tensor => {
        const scale = weight ? tf.mul(invStd, weight) : invStd;
        return bias ? tf.add(tf.mul(normalised, tf.reshape(scale, statShape)), tf.reshape(bias, statShape)) : tf.mul(normalised, tf.reshape(scale, statShape));
      };
      if (ctx.training || !track) {
        const mean = tf.mean(x, axes, true);
        const centred = tf.sub(x, mean);
        const variance = tf.mean(tf.square(centred), axes, true);
        const invStd = tf.reshape(tf.rsqrt(tf.add(variance, eps)), [c]);
        if (ctx.training && runningMean && runningVar && tracked) {
          const n = x.size / c;
          const count = tf.add(tracked, tf.scalar(1, "int32"));
          const factor = momentum ?? 1 / ((tracked.dataSync()[0] ?? 0) + 1);
          const unbiased = tf.mul(tf.reshape(variance, [c]), n > 1 ? n / (n - 1) : 1);
          runningMean.assign(tf.add(tf.mul(runningMean, 1 - factor), tf.mul(tf.reshape(mean, [c]), factor)));
          runningVar.assign(tf.add(tf.mul(runningVar, 1 - factor), tf.mul(unbiased, factor)));
          tracked.assign(count);
        }
        return wrap(affineOut(centred, invStd));
      }
      // Evaluation: y = x·scale + shift with scale = γ/√(var + ε), shift = β − mean·scale.
      const invStd = tf.rsqrt(tf.add(runningVar!, eps));
      const scale = weight ? tf.mul(invStd, weight) : invStd;
      const shift = bias ? tf.sub(bias, tf.mul(runningMean!, scale)) : tf.neg(tf.mul(runningMean!, scale));
      return wrap(tf.add(tf.mul(x, tf.reshape(scale, statShape)), tf.reshape(shift, statShape)));
    };
  };
}

export const batchNorm2d = batchNorm("2d");
export const batchNorm1d = batchNorm("1d");

/**
 * LocalResponseNorm as PyTorch computes it: b_c = a_c / (k + α/n · Σ a_{c'}²)^β over the channel
 * window c − ⌊n/2⌋ … c + ⌊(n−1)/2⌋ (zero-padded), i.e. α times the window *mean* of the squares.
 * The window mean is an average pooling along channels.
 */
export const localResponseNorm: LayerBuilder<"LocalResponseNorm"> = (b, c) => {
  const tf = b.tf;
  const { size, alpha, beta, k } = c;
  return (inputs, ctx) => {
    const v = only(inputs);
    const rank4 = v.t.rank === 4;
    // Channels last: NHWC maps, or [N, C, L] transposed to [N, L, C].
    const x = rank4 ? ctx.nhwcOf(v) : tf.transpose(ctx.torchOf(v), [0, 2, 1]);
    const c = x.shape[x.rank - 1]!;
    const rows = x.size / c;
    const sq = tf.reshape(tf.square(x), [rows, 1, c, 1]) as tfc.Tensor4D;
    const padded = tf.pad(sq, [
      [0, 0],
      [0, 0],
      [Math.floor(size / 2), Math.floor((size - 1) / 2)],
      [0, 0],
    ]);
    const avg = tf.reshape(tf.avgPool(padded, [1, size], [1, 1], "valid"), x.shape);
    const y = tf.div(x, tf.pow(tf.add(tf.mul(avg, alpha), k), beta));
    return rank4 ? nhwc(y) : torchValue(tf.transpose(y, [0, 2, 1]));
  };
};

// ---- modules: LayerNorm, GroupNorm ----

/** LayerNorm over the last dims (PyTorch layout): biased variance, then weight and bias of those dims. */
export const layerNorm: LayerBuilder<"LayerNorm"> = (b, c) => {
  const tf = b.tf;
  const weight = c.elementwiseAffine ? b.tensor("weight") : null;
  const bias = c.elementwiseAffine && c.bias ? b.tensor("bias") : null;
  const k = c.normalizedShape.length;
  return (inputs, ctx) => {
    const x = ctx.torchOf(only(inputs));
    const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
    const mean = tf.mean(x, axes, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), axes, true);
    let y = tf.mul(centred, tf.rsqrt(tf.add(variance, c.eps)));
    if (weight) y = tf.mul(y, weight);
    if (bias) y = tf.add(y, bias);
    return torchValue(y);
  };
};

/** GroupNorm on [N, C, *] (PyTorch layout): statistics per sample and group of C / G channels, then per-channel weight and bias. */
export const groupNorm: LayerBuilder<"GroupNorm"> = (b, c) => {
  const tf = b.tf;
  const weight = c.affine ? b.tensor("weight") : null;
  const bias = c.affine ? b.tensor("bias") : null;
  return (inputs, ctx) => {
    const x = ctx.torchOf(only(inputs));
    const [n, ch] = x.shape as [number, number];
    const grouped = tf.reshape(x, [n, c.numGroups, -1]);
    const mean = tf.mean(grouped, [2], true);
    const centred = tf.sub(grouped, mean);
    const variance = tf.mean(tf.square(centred), [2], true);
    let y = tf.reshape(tf.mul(centred, tf.rsqrt(tf.add(variance, c.eps))), x.shape);
    const perChannel = [ch, ...x.shape.slice(2).map(() => 1)];
    if (weight) y = tf.mul(y, tf.reshape(weight, perChannel));
    if (bias) y = tf.add(y, tf.reshape(bias, perChannel));
    return torchValue(y);
  };
};
