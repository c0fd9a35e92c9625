/** Activations. */

import type * as nn from "./index";
import type { Tensor } from "../tensor";
import type { InplaceOptions, Module } from "./index";

// ── Activations ─────────────────────────────────────────────────────────────────────────

/**
 * Rectified linear unit, like `torch.nn.ReLU`: `ReLU(x) = max(0, x)` element-wise.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param opts `inplace` (false, accepted and ignored).
 * @returns a callable `ReLU` module.
 * @example
 * nn.ReLU({ inplace: true })
 * @see https://pytorch.org/docs/stable/generated/torch.nn.ReLU.html
 */
export function ReLU(opts?: InplaceOptions): ReLU;
/** A ReLU module, made by {@link nn.ReLU}. */
export interface ReLU extends Module {
  /** `max(0, input)` element-wise. */
  forward(input: Tensor): Tensor;
}

/**
 * ReLU capped at 6, like `torch.nn.ReLU6` (MobileNet): `ReLU6(x) = min(max(0, x), 6)`.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param opts `inplace` (false, accepted and ignored).
 * @returns a callable `ReLU6` module.
 * @example
 * nn.ReLU6({ inplace: true })
 * @see https://pytorch.org/docs/stable/generated/torch.nn.ReLU6.html
 */
export function ReLU6(opts?: InplaceOptions): ReLU6;
/** A ReLU6 module, made by {@link nn.ReLU6}. */
export interface ReLU6 extends Module {
  /** `min(max(0, input), 6)` element-wise. */
  forward(input: Tensor): Tensor;
}

/**
 * Leaky ReLU, like `torch.nn.LeakyReLU`: `LeakyReLU(x) = max(0, x) + negativeSlope · min(0, x)`.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param negativeSlope slope for negative inputs. Default: `0.01`.
 * @param opts `inplace` (false, accepted and ignored).
 * @returns a callable `LeakyReLU` module.
 * @example
 * nn.LeakyReLU(0.2, { inplace: true }) // DCGAN discriminator
 * @see https://pytorch.org/docs/stable/generated/torch.nn.LeakyReLU.html
 */
export function LeakyReLU(negativeSlope?: number, opts?: InplaceOptions): LeakyReLU;
/** A leaky-ReLU module, made by {@link nn.LeakyReLU}. */
export interface LeakyReLU extends Module {
  readonly negativeSlope: number;
  /** Leaky ReLU of `input`, element-wise. */
  forward(input: Tensor): Tensor;
}

/**
 * Exponential linear unit, like `torch.nn.ELU`: `ELU(x) = x` if `x > 0`, else `alpha · (exp(x) − 1)`.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param alpha the value ELU tends to for large negative inputs (as `−alpha`). Default: `1.0`.
 * @param opts `inplace` (false, accepted and ignored).
 * @returns a callable `ELU` module.
 * @example
 * nn.ELU()
 * @see https://pytorch.org/docs/stable/generated/torch.nn.ELU.html
 */
export function ELU(alpha?: number, opts?: InplaceOptions): ELU;
/** An ELU module, made by {@link nn.ELU}. */
export interface ELU extends Module {
  readonly alpha: number;
  /** ELU of `input`, element-wise. */
  forward(input: Tensor): Tensor;
}

/** Options of {@link nn.GELU} and {@link F.gelu}. */
export interface GELUOptions extends InplaceOptions {
  /**
   * `"none"`: exact `x · Φ(x)`; `"tanh"`: the tanh approximation. Shapes do not depend on it.
   * @defaultValue "none"
   */
  approximate?: "none" | "tanh";
}

/**
 * Gaussian error linear unit, like `torch.nn.GELU` (Transformers, ConvNeXt):
 * `GELU(x) = x · Φ(x)`, `Φ` the standard normal CDF; with `approximate: "tanh"`,
 * `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param opts `approximate` ("none"), `inplace` (accepted and ignored).
 * @returns a callable `GELU` module.
 * @example
 * nn.GELU()
 * @see https://pytorch.org/docs/stable/generated/torch.nn.GELU.html
 */
export function GELU(opts?: GELUOptions): GELU;
/** A GELU module, made by {@link nn.GELU}. */
export interface GELU extends Module {
  readonly approximate: "none" | "tanh";
  /** GELU of `input`, element-wise. */
  forward(input: Tensor): Tensor;
}

/**
 * Sigmoid linear unit ("swish"), like `torch.nn.SiLU` (EfficientNet): `SiLU(x) = x · σ(x)`.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param opts `inplace` (false, accepted and ignored).
 * @returns a callable `SiLU` module.
 * @example
 * nn.SiLU({ inplace: true })
 * @see https://pytorch.org/docs/stable/generated/torch.nn.SiLU.html
 */
export function SiLU(opts?: InplaceOptions): SiLU;
/** A SiLU module, made by {@link nn.SiLU}. */
export interface SiLU extends Module {
  /** `input · σ(input)` element-wise. */
  forward(input: Tensor): Tensor;
}

/**
 * Logistic sigmoid, like `torch.nn.Sigmoid`: `σ(x) = 1 / (1 + exp(−x))`, in `(0, 1)`.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param opts `inplace` (accepted and ignored).
 * @returns a callable `Sigmoid` module.
 * @example
 * nn.Sequential(nn.Linear(128, 1), nn.Sigmoid()) // binary classifier head
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Sigmoid.html
 */
export function Sigmoid(opts?: InplaceOptions): Sigmoid;
/** A sigmoid module, made by {@link nn.Sigmoid}. */
export interface Sigmoid extends Module {
  /** `σ(input)` element-wise. */
  forward(input: Tensor): Tensor;
}

/**
 * Hyperbolic tangent, like `torch.nn.Tanh`: `tanh(x) = (exp(x) − exp(−x)) / (exp(x) + exp(−x))`,
 * in `(−1, 1)`.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param opts `inplace` (accepted and ignored).
 * @returns a callable `Tanh` module.
 * @example
 * nn.Sequential(nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2)) // LeNet-5
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Tanh.html
 */
export function Tanh(opts?: InplaceOptions): Tanh;
/** A tanh module, made by {@link nn.Tanh}. */
export interface Tanh extends Module {
  /** `tanh(input)` element-wise. */
  forward(input: Tensor): Tensor;
}

/**
 * Hard swish, like `torch.nn.Hardswish` (MobileNetV3): `x · ReLU6(x + 3) / 6`.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param opts `inplace` (false, accepted and ignored).
 * @returns a callable `Hardswish` module.
 * @example
 * nn.Hardswish()
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Hardswish.html
 */
export function Hardswish(opts?: InplaceOptions): Hardswish;
/** A hard-swish module, made by {@link nn.Hardswish}. */
export interface Hardswish extends Module {
  /** `input · ReLU6(input + 3) / 6` element-wise. */
  forward(input: Tensor): Tensor;
}

/**
 * Hard sigmoid, like `torch.nn.Hardsigmoid` (MobileNetV3 squeeze-excitation): `ReLU6(x + 3) / 6`.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param opts `inplace` (false, accepted and ignored).
 * @returns a callable `Hardsigmoid` module.
 * @example
 * nn.Hardsigmoid()
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Hardsigmoid.html
 */
export function Hardsigmoid(opts?: InplaceOptions): Hardsigmoid;
/** A hard-sigmoid module, made by {@link nn.Hardsigmoid}. */
export interface Hardsigmoid extends Module {
  /** `ReLU6(input + 3) / 6` element-wise. */
  forward(input: Tensor): Tensor;
}

/**
 * Softmax, like `torch.nn.Softmax`: `softmax(x)_i = exp(x_i) / Σ_j exp(x_j)` along `dim`, so the
 * values along `dim` are in `(0, 1)` and sum to 1.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param dim the dimension along which to normalise (required; negative counts from the end),
 *   e.g. `1` for class scores `[N, classes]`.
 * @returns a callable `Softmax` module.
 * @example
 * nn.Sequential(nn.Linear(84, 10), nn.Softmax(1))
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Softmax.html
 */
export function Softmax(dim: number): Softmax;
/** A softmax module, made by {@link nn.Softmax}. */
export interface Softmax extends Module {
  readonly dim: number;
  /** Softmax of `input` along `dim`. */
  forward(input: Tensor): Tensor;
}
