import type * as tfc from "@tensorflow/tfjs-core";
import type { TF } from "../types";
import { axisOf, torch as torchValue, type Value } from "../value";
import { only, type BuildCtx, type LayerBuilder, type NodeFn } from "./common";

/**
 * Layers that keep the shape (activations, dropout, softmax, identity) and Flatten. Element-wise
 * layers work in whatever layout their input has.
 */

/** An element-wise layer without configuration (fits every kind's builder type). */
function unary(f: (tf: TF, x: tfc.Tensor) => tfc.Tensor): (b: BuildCtx) => NodeFn {
  return (b) => (inputs) => {
    const v = only(inputs);
    return { t: f(b.tf, v.t), layout: v.layout };
  };
}

const SQRT1_2 = Math.SQRT1_2;

export const relu = unary((tf, x) => tf.relu(x));
export const relu6 = unary((tf, x) => tf.relu6(x));
export const sigmoid = unary((tf, x) => tf.sigmoid(x));
export const tanh = unary((tf, x) => tf.tanh(x));
export const silu = unary((tf, x) => tf.mul(x, tf.sigmoid(x)));
/** x·ReLU6(x + 3)/6 (PyTorch's gradient, also at ±3). */
export const hardswish = unary((tf, x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)));
export const hardsigmoid = unary((tf, x) => tf.div(tf.relu6(tf.add(x, 3)), 6));
export const identity = (): NodeFn => (inputs) => only(inputs);

export const leakyRelu: LayerBuilder<"LeakyReLU"> = (b, c) => {
  const slope = c.negativeSlope;
  return unary((tf, x) => tf.leakyRelu(x, slope))(b);
};

export const elu: LayerBuilder<"ELU"> = (b, c) => {
  const alpha = c.alpha;
  // ELU_α(x) = max(x, 0) + α·(exp(min(x, 0)) − 1), without comparisons (they have no gradients).
  return unary((tf, x) => (alpha === 1 ? tf.elu(x) : tf.add(tf.relu(x), tf.mul(tf.expm1(tf.neg(tf.relu(tf.neg(x)))), alpha))))(b);
};

/** Exact GELU x·Φ(x) = x/2·(1 + erf(x/√2)), or the tanh approximation. */
export const gelu: LayerBuilder<"GELU"> = (b, c) => {
  const approx = c.approximate === "tanh";
  return unary((tf, x) => {
    if (!approx) return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1));
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  })(b);
};

/** Softmax over PyTorch dimension `dim`: tfjs's softmax works on the last axis, so transpose around it. */
export const softmax: LayerBuilder<"Softmax"> = (_b, c) => {
  const dim = c.dim;
  return (inputs, ctx) => {
    const v = only(inputs);
    const tf = ctx.tf;
    const axis = axisOf(v, dim);
    const last = v.t.rank - 1;
    if (axis === last) return { t: tf.softmax(v.t), layout: v.layout };
    const perm = [...Array(v.t.rank).keys()];
    perm[axis] = last;
    perm[last] = axis;
    return { t: tf.transpose(tf.softmax(tf.transpose(v.t, perm)), perm), layout: v.layout };
  };
};

/**
 * Inverted dropout, in training only: zero with probability p, scale the rest by 1/(1 − p).
 * Dropout2d zeroes whole channels ([N, C] masks; [C] for a 3-D input, as PyTorch).
 */
function dropout(channels: boolean): LayerBuilder<"Dropout" | "Dropout2d"> {
  return (_b, c) => {
    const p = c.p;
    const fn: NodeFn = (inputs, ctx) => {
      const v = only(inputs);
      if (!ctx.training || p === 0) return v;
      const tf = ctx.tf;
      if (p >= 1) return { t: tf.zerosLike(v.t), layout: v.layout };
      let maskShape: number[] = v.t.shape;
      if (channels && v.t.rank >= 3) {
        const s = v.t.shape;
        if (v.layout === "nhwc") maskShape = [s[0]!, 1, 1, s[3]!];
        else if (v.t.rank === 3) maskShape = [s[0]!, 1, 1];
        else maskShape = [s[0]!, s[1]!, ...s.slice(2).map(() => 1)];
      }
      const keep = tf.cast(tf.greaterEqual(tf.randomUniform(maskShape, 0, 1, "float32", ctx.nextSeed()), p), "float32");
      return { t: tf.mul(v.t, tf.div(keep, 1 - p)), layout: v.layout };
    };
    return fn;
  };
}

export const dropoutLayer = dropout(false);
export const dropout2dLayer = dropout(true);

/** Flattens PyTorch dims startDim…endDim in PyTorch's (C·H·W) order. */
export function flattenValue(tf: TF, ctxTorch: (v: Value) => tfc.Tensor, v: Value, startDim: number, endDim: number): Value {
  const x = ctxTorch(v);
  const rank = x.rank;
  if (rank === 0) return torchValue(tf.reshape(x, [1]));
  const s = startDim < 0 ? startDim + rank : startDim;
  const e = endDim < 0 ? endDim + rank : endDim;
  const shape = x.shape;
  const merged = shape.slice(s, e + 1).reduce((a, d) => a * d, 1);
  return torchValue(tf.reshape(x, [...shape.slice(0, s), merged, ...shape.slice(e + 1)]));
}

export const flatten: LayerBuilder<"Flatten"> = (_b, c) => {
  const { startDim: start, endDim: end } = c;
  return (inputs, ctx) => flattenValue(ctx.tf, (v) => ctx.torchOf(v), only(inputs), start, end);
};

// ---- modules: Mish, PReLU ----

/** x·tanh(softplus(x)). */
export const mish = unary((tf, x) => tf.mul(x, tf.tanh(tf.softplus(x))));

/** max(0, x) + a·min(0, x), one slope or one per channel (dimension 1; the last axis of an NHWC map). */
export const prelu: LayerBuilder<"PReLU"> = (b, c) => {
  const tf = b.tf;
  const weight = b.tensor("weight");
  return (inputs) => {
    const v = only(inputs);
    const x = v.t;
    let a: tfc.Tensor = weight;
    if (c.numParameters > 1 && v.layout === "torch" && x.rank >= 2) a = tf.reshape(weight, [c.numParameters, ...x.shape.slice(2).map(() => 1)]);
    return { t: tf.sub(tf.relu(x), tf.mul(a, tf.relu(tf.neg(x)))), layout: v.layout };
  };
};
