import type * as tfc from "@tensorflow/tfjs-core";
import type { GraphNode } from "../../../shared/analysis";
import type { TF } from "../types";
import { type Attrs, type Value } from "../value";

/** What a compiled node sees while it runs. */
export interface RunCtx {
  readonly tf: TF;
  readonly training: boolean;
  /** Values of the symbolic batch dimensions (`N`) of this call. */
  readonly symbols: ReadonlyMap<string, number>;
  /** A fresh seed for a random draw (dropout), deterministic per model seed and call. */
  nextSeed(): number;
  /** The value in PyTorch's layout (memoised per value within one call). */
  torchOf(v: Value): tfc.Tensor;
  /** The 4-D value as NHWC (memoised per value within one call). */
  nhwcOf(v: Value): tfc.Tensor4D;
}

/** A compiled graph node: its output from its inputs' values. */
export type NodeFn = (inputs: readonly Value[], ctx: RunCtx) => Value;

export type Init = { kind: "uniform"; bound: number } | { kind: "const"; value: number };

/** What a layer builder gets at compile time. */
export interface BuildCtx {
  readonly tf: TF;
  readonly attrs: Attrs;
  readonly node: GraphNode;
  /** The module's trainable tensor `name` (state_dict `${path}.${name}`), created once per module. */
  param(name: string, shape: number[], init: Init): tfc.Variable;
  /** The module's buffer `name` (running statistics). */
  buffer(name: string, shape: number[], init: Init, dtype?: "float32" | "int32"): tfc.Variable;
  /**
   * A constant tensor (interpolation weights, divisors) kept until the model is disposed; may be
   * called while the model runs (inside tidy), e.g. once per input size.
   */
  constant(values: Float32Array, shape: number[]): tfc.Tensor;
}

export type LayerBuilder = (b: BuildCtx) => NodeFn;

export class CompileError extends Error {}

/** The single input of a one-input layer. */
export function only(inputs: readonly Value[]): Value {
  const x = inputs[0];
  if (!x) throw new Error("missing input");
  return x;
}

/** Spatial output length of a sliding window (PyTorch's rule, with ceil mode). */
export function windowOutput(len: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  const span = len + 2 * p - d * (k - 1) - 1;
  if (!ceilMode) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  if ((out - 1) * s >= len + p) out -= 1;
  return out;
}

/**
 * Pads (positive amounts) or crops (negative amounts) the axes of x, with `value` for padding.
 * Differentiable (pad and slice).
 */
export function padCrop(tf: TF, x: tfc.Tensor, amounts: readonly (readonly [number, number])[], value = 0): tfc.Tensor {
  let t = x;
  if (amounts.some(([a, b]) => a < 0 || b < 0)) {
    const begin = amounts.map(([a]) => Math.max(0, -a));
    const size = amounts.map(([a, b], i) => t.shape[i]! - Math.max(0, -a) - Math.max(0, -b));
    t = tf.slice(t, begin, size);
  }
  if (amounts.some(([a, b]) => a > 0 || b > 0)) {
    t = tf.pad(t, amounts.map(([a, b]) => [Math.max(0, a), Math.max(0, b)] as [number, number]), value);
  }
  return t;
}

/**
 * Applies a matrix along a spatial axis of an NHWC tensor: out[.., o, ..] = Σ_l A[o, l]·x[.., l, ..]
 * (interpolation and adaptive-pooling weights). `a` is [O, L].
 */
export function alongAxis(tf: TF, x: tfc.Tensor4D, axis: 1 | 2, a: tfc.Tensor2D): tfc.Tensor4D {
  const [n, h, w, c] = x.shape;
  const o = a.shape[0];
  if (axis === 1) {
    const m = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [h, n * w * c]);
    return tf.transpose(tf.reshape(tf.matMul(a, m), [o, n, w, c]), [1, 0, 2, 3]);
  }
  const m = tf.reshape(tf.transpose(x, [2, 0, 1, 3]), [w, n * h * c]);
  return tf.transpose(tf.reshape(tf.matMul(a, m), [o, n, h, c]), [1, 2, 0, 3]);
}
