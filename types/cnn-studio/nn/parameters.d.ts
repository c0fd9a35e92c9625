/** `nn.Parameter`, the initialisers of `nn.init`, and the tensors of built-in layers (`conv.weight`). */

import type { Tensor } from "../tensor";
import type * as nn from "./index";

/** A layer's learnable tensors, as PyTorch names them (`conv.weight`); initialisers ({@link nn.init}) apply to them. */
export interface WeightAndBias {
  /** The weight (Conv2d: `[out, in / groups, kH, kW]`; Linear: `[out, in]`; norms: `[C]`). */
  readonly weight: Tensor;
  /** The bias, or `null` when the layer has none (`bias: false`, `affine: false`). */
  readonly bias: Tensor | null;
}
/** A batch norm's running statistics (buffers). */
export interface RunningStats {
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
}

/** Options of {@link nn.Parameter}. */
export interface ParameterOptions {
  /**
   * Whether the parameter is trained; `false` counts it as non-trainable.
   * @defaultValue true
   */
  requiresGrad?: boolean;
}
/**
 * A trainable tensor of a custom module, like `torch.nn.Parameter`: assigned to a field, it is
 * registered as a parameter under the field's name (in the state_dict, counted in `params`).
 * Inside `forward` it is a tensor of its shape.
 * @param data its shape and initial values: `torch.zeros(1, 1, 768)`, `torch.empty(...).normal_(0, 0.02)`, ...
 * @param opts `requiresGrad`.
 * @example
 * this.classToken = nn.Parameter(torch.zeros(1, 1, hiddenDim));
 */
export function Parameter(data: Tensor, opts?: ParameterOptions): Tensor;

/** Options of the Kaiming initialisers ({@link nn.init}). */
export interface KaimingOptions {
  /** The negative slope of a leaky ReLU after this layer. */
  a?: number;
  /** Preserve the variance of the forward (`"fan_in"`) or the backward pass (`"fan_out"`). */
  mode?: "fan_in" | "fan_out";
  /** The non-linearity after this layer, for its gain (`"relu"`, `"leaky_relu"`, `"tanh"`, `"linear"`, ...). */
  nonlinearity?: string;
}
/**
 * Initialisers, like `torch.nn.init` (camelCase; `trunc_normal_` is also `truncNormal_`). Each
 * sets the initial values of a parameter or buffer in place (the trainer uses them) and returns it.
 * @example
 * nn.init.kaimingNormal_(conv.weight, { mode: "fan_out", nonlinearity: "relu" });
 * nn.init.zeros_(conv.bias);
 */
export const init: {
  /** N(0, std²) with std = gain / √fan (PyTorch's `kaiming_normal_`). */
  kaimingNormal_(tensor: Tensor, opts?: KaimingOptions): Tensor;
  /** U(−bound, bound) with bound = gain·√(3 / fan) (PyTorch's `kaiming_uniform_`). */
  kaimingUniform_(tensor: Tensor, opts?: KaimingOptions): Tensor;
  /** N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). */
  xavierNormal_(tensor: Tensor, opts?: { gain?: number }): Tensor;
  /** U(−a, a) with a = gain·√(6 / (fan_in + fan_out)). */
  xavierUniform_(tensor: Tensor, opts?: { gain?: number }): Tensor;
  /** N(mean, std²). */
  normal_(tensor: Tensor, mean?: number, std?: number): Tensor;
  /** N(mean, std²), PyTorch's keywords as options: `nn.init.normal_(w, { std: 0.02 })`. */
  normal_(tensor: Tensor, opts: { mean?: number; std?: number }): Tensor;
  /** U(a, b). */
  uniform_(tensor: Tensor, a?: number, b?: number): Tensor;
  /** U(a, b), PyTorch's keywords as options. */
  uniform_(tensor: Tensor, opts: { a?: number; b?: number }): Tensor;
  /** N(mean, std²) redrawn inside [a, b] (absolute bounds). */
  truncNormal_(tensor: Tensor, mean?: number, std?: number, a?: number, b?: number): Tensor;
  /** N(mean, std²) redrawn inside [a, b], PyTorch's keywords as options: `nn.init.truncNormal_(w, { std: 0.02 })`. */
  truncNormal_(tensor: Tensor, opts: { mean?: number; std?: number; a?: number; b?: number }): Tensor;
  /** The same as `truncNormal_`, as PyTorch spells it. */
  trunc_normal_(tensor: Tensor, mean?: number, std?: number, a?: number, b?: number): Tensor;
  /** The same as `truncNormal_`, as PyTorch spells it. */
  trunc_normal_(tensor: Tensor, opts: { mean?: number; std?: number; a?: number; b?: number }): Tensor;
  /** Zeros. */
  zeros_(tensor: Tensor): Tensor;
  /** Ones. */
  ones_(tensor: Tensor): Tensor;
  /** The value `val`. */
  constant_(tensor: Tensor, val: number): Tensor;
};
