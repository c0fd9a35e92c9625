import type * as tfc from "@tensorflow/tfjs-core";
import type { LayerConfig, LayerType } from "../../../analyzer/layers/index";
import type { GraphNode } from "../../../shared/analysis";
import type { TF } from "../types";
import type { Value } from "../value";

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
  /** Present while the caller wants attention maps: an attention layer reports its per-head weights `[N, heads, L, S]`. */
  readonly recordAttention?: (weights: tfc.Tensor) => void;
}

/** A compiled graph node: its output from its inputs' values. */
export type NodeFn = (inputs: readonly Value[], ctx: RunCtx) => Value;

export type Init =
  | { kind: "uniform"; bound: number }
  | { kind: "const"; value: number }
  | { kind: "range"; low: number; high: number }
  /** N(mean, std²), truncated to [a, b] when `truncate` is given (nn.init.*, normal_, ...; see init.ts initOf); row `zeroRow` zero (nn.Embedding's paddingIdx). */
  | { kind: "normal"; mean: number; std: number; truncate?: [number, number]; zeroRow?: number }
  /** Values computed at compile time (a constructor's expression, see ../constants). */
  | { kind: "values"; values: Float32Array };

/** What a layer builder gets at compile time. */
export interface BuildCtx {
  readonly tf: TF;
  readonly node: GraphNode;
  /**
   * The module's parameter or buffer `name` (state_dict `${path}.${name}`), as the kind's table in
   * ../init declares it; created once per module.
   */
  tensor(name: string): tfc.Variable;
  /**
   * A constant tensor (interpolation weights, divisors) kept until the model is disposed; may be
   * called while the model runs (inside tidy), e.g. once per input size.
   */
  constant(values: Float32Array, shape: number[]): tfc.Tensor;
}

/**
 * The tfjs lowering of a layer kind: its compiled function from its typed configuration (the
 * node's `attrs`, see LayerConfig) and its tensors, created beforehand from the kind's table in
 * ../init (`b.tensor("weight")`).
 */
export type LayerBuilder<T extends LayerType> = (b: BuildCtx, c: LayerConfig<T>) => NodeFn;

export class CompileError extends Error {}

/** The single input of a one-input layer. */
export function only(inputs: readonly Value[]): Value {
  const x = inputs[0];
  if (!x) throw new Error("missing input");
  return x;
}

/** Spatial output length of a sliding window: the analyzer's rule, shared. */
export { windowOutput } from "../../../analyzer/layers/window";

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
    t = tf.pad(
      t,
      amounts.map(([a, b]) => [Math.max(0, a), Math.max(0, b)] as [number, number]),
      value,
    );
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
