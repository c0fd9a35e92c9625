/** Activations. */

import type { Tensor } from "../tensor";
import type * as nn from "./index";
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
export const ReLU: ReLUClass;
/** `nn.ReLU` is a factory and a class: `new nn.ReLU(...)` equals `nn.ReLU(...)`, and `class X extends nn.ReLU` reads its attributes and may override `forward`. */
export interface ReLUClass {
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
  (opts?: InplaceOptions): ReLU;
  /** The class form: `new nn.ReLU(...)`, or `super(...)` in a subclass. */
  new (opts?: InplaceOptions): ReLU;
  readonly prototype: ReLU;
}
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
export const ReLU6: ReLU6Class;
/** `nn.ReLU6` is a factory and a class: `new nn.ReLU6(...)` equals `nn.ReLU6(...)`, and `class X extends nn.ReLU6` reads its attributes and may override `forward`. */
export interface ReLU6Class {
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
  (opts?: InplaceOptions): ReLU6;
  /** The class form: `new nn.ReLU6(...)`, or `super(...)` in a subclass. */
  new (opts?: InplaceOptions): ReLU6;
  readonly prototype: ReLU6;
}
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
export const LeakyReLU: LeakyReLUClass;
/** `nn.LeakyReLU` is a factory and a class: `new nn.LeakyReLU(...)` equals `nn.LeakyReLU(...)`, and `class X extends nn.LeakyReLU` reads its attributes and may override `forward`. */
export interface LeakyReLUClass {
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
  (negativeSlope?: number, opts?: InplaceOptions): LeakyReLU;
  /** The class form: `new nn.LeakyReLU(...)`, or `super(...)` in a subclass. */
  new (negativeSlope?: number, opts?: InplaceOptions): LeakyReLU;
  readonly prototype: LeakyReLU;
}
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
export const ELU: ELUClass;
/** `nn.ELU` is a factory and a class: `new nn.ELU(...)` equals `nn.ELU(...)`, and `class X extends nn.ELU` reads its attributes and may override `forward`. */
export interface ELUClass {
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
  (alpha?: number, opts?: InplaceOptions): ELU;
  /** The class form: `new nn.ELU(...)`, or `super(...)` in a subclass. */
  new (alpha?: number, opts?: InplaceOptions): ELU;
  readonly prototype: ELU;
}
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
export const GELU: GELUClass;
/** `nn.GELU` is a factory and a class: `new nn.GELU(...)` equals `nn.GELU(...)`, and `class X extends nn.GELU` reads its attributes and may override `forward`. */
export interface GELUClass {
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
  (opts?: GELUOptions): GELU;
  /** The class form: `new nn.GELU(...)`, or `super(...)` in a subclass. */
  new (opts?: GELUOptions): GELU;
  readonly prototype: GELU;
}
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
export const SiLU: SiLUClass;
/** `nn.SiLU` is a factory and a class: `new nn.SiLU(...)` equals `nn.SiLU(...)`, and `class X extends nn.SiLU` reads its attributes and may override `forward`. */
export interface SiLUClass {
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
  (opts?: InplaceOptions): SiLU;
  /** The class form: `new nn.SiLU(...)`, or `super(...)` in a subclass. */
  new (opts?: InplaceOptions): SiLU;
  readonly prototype: SiLU;
}
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
export const Sigmoid: SigmoidClass;
/** `nn.Sigmoid` is a factory and a class: `new nn.Sigmoid(...)` equals `nn.Sigmoid(...)`, and `class X extends nn.Sigmoid` reads its attributes and may override `forward`. */
export interface SigmoidClass {
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
  (opts?: InplaceOptions): Sigmoid;
  /** The class form: `new nn.Sigmoid(...)`, or `super(...)` in a subclass. */
  new (opts?: InplaceOptions): Sigmoid;
  readonly prototype: Sigmoid;
}
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
export const Tanh: TanhClass;
/** `nn.Tanh` is a factory and a class: `new nn.Tanh(...)` equals `nn.Tanh(...)`, and `class X extends nn.Tanh` reads its attributes and may override `forward`. */
export interface TanhClass {
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
  (opts?: InplaceOptions): Tanh;
  /** The class form: `new nn.Tanh(...)`, or `super(...)` in a subclass. */
  new (opts?: InplaceOptions): Tanh;
  readonly prototype: Tanh;
}
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
export const Hardswish: HardswishClass;
/** `nn.Hardswish` is a factory and a class: `new nn.Hardswish(...)` equals `nn.Hardswish(...)`, and `class X extends nn.Hardswish` reads its attributes and may override `forward`. */
export interface HardswishClass {
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
  (opts?: InplaceOptions): Hardswish;
  /** The class form: `new nn.Hardswish(...)`, or `super(...)` in a subclass. */
  new (opts?: InplaceOptions): Hardswish;
  readonly prototype: Hardswish;
}
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
export const Hardsigmoid: HardsigmoidClass;
/** `nn.Hardsigmoid` is a factory and a class: `new nn.Hardsigmoid(...)` equals `nn.Hardsigmoid(...)`, and `class X extends nn.Hardsigmoid` reads its attributes and may override `forward`. */
export interface HardsigmoidClass {
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
  (opts?: InplaceOptions): Hardsigmoid;
  /** The class form: `new nn.Hardsigmoid(...)`, or `super(...)` in a subclass. */
  new (opts?: InplaceOptions): Hardsigmoid;
  readonly prototype: Hardsigmoid;
}
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
export const Softmax: SoftmaxClass;
/** `nn.Softmax` is a factory and a class: `new nn.Softmax(...)` equals `nn.Softmax(...)`, and `class X extends nn.Softmax` reads its attributes and may override `forward`. */
export interface SoftmaxClass {
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
  (dim: number): Softmax;
  /** The class form: `new nn.Softmax(...)`, or `super(...)` in a subclass. */
  new (dim: number): Softmax;
  readonly prototype: Softmax;
}
/** A softmax module, made by {@link nn.Softmax}. */
export interface Softmax extends Module {
  readonly dim: number;
  /** Softmax of `input` along `dim`. */
  forward(input: Tensor): Tensor;
}

/**
 * Mish, like `torch.nn.Mish`: `Mish(x) = x · tanh(softplus(x))`.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param opts `inplace` (false, accepted and ignored).
 * @returns a callable `Mish` module.
 * @example
 * nn.Mish()
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Mish.html
 */
export const Mish: MishClass;
/** `nn.Mish` is a factory and a class: `new nn.Mish(...)` equals `nn.Mish(...)`, and `class X extends nn.Mish` reads its attributes and may override `forward`. */
export interface MishClass {
  /**
   * Mish, like `torch.nn.Mish`: `Mish(x) = x · tanh(softplus(x))`.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param opts `inplace` (false, accepted and ignored).
   * @returns a callable `Mish` module.
   * @example
   * nn.Mish()
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Mish.html
   */
  (opts?: InplaceOptions): Mish;
  /** The class form: `new nn.Mish(...)`, or `super(...)` in a subclass. */
  new (opts?: InplaceOptions): Mish;
  readonly prototype: Mish;
}
/** A Mish module, made by {@link nn.Mish}. */
export interface Mish extends Module {
  /** `input · tanh(softplus(input))` element-wise. */
  forward(input: Tensor): Tensor;
}

/** Options of {@link nn.PReLU}. */
export interface PReLUOptions {
  /**
   * The initial slope for negative inputs.
   * @defaultValue 0.25
   */
  init?: number;
}

/**
 * Parametric ReLU, like `torch.nn.PReLU`: `PReLU(x) = max(0, x) + a · min(0, x)` with a learned
 * slope `a`: one, or one per channel (dimension 1 of the input).
 *
 * **Shape**: unchanged. **Parameters**: `numParameters`.
 *
 * @param numParameters 1, or the number of channels of the input. Default: `1`.
 * @param opts `init` (0.25).
 * @returns a callable `PReLU` module.
 * @example
 * nn.PReLU(64) // [N, 64, 56, 56] → same; 64 params
 * @see https://pytorch.org/docs/stable/generated/torch.nn.PReLU.html
 */
export const PReLU: PReLUClass;
/** `nn.PReLU` is a factory and a class: `new nn.PReLU(...)` equals `nn.PReLU(...)`, and `class X extends nn.PReLU` reads its attributes and may override `forward`. */
export interface PReLUClass {
  /**
   * Parametric ReLU, like `torch.nn.PReLU`: `PReLU(x) = max(0, x) + a · min(0, x)` with a learned
   * slope `a`: one, or one per channel (dimension 1 of the input).
   *
   * **Shape**: unchanged. **Parameters**: `numParameters`.
   *
   * @param numParameters 1, or the number of channels of the input. Default: `1`.
   * @param opts `init` (0.25).
   * @returns a callable `PReLU` module.
   * @example
   * nn.PReLU(64) // [N, 64, 56, 56] → same; 64 params
   * @see https://pytorch.org/docs/stable/generated/torch.nn.PReLU.html
   */
  (numParameters?: number, opts?: PReLUOptions): PReLU;
  /** The class form: `new nn.PReLU(...)`, or `super(...)` in a subclass. */
  new (numParameters?: number, opts?: PReLUOptions): PReLU;
  readonly prototype: PReLU;
}
/** A parametric-ReLU module, made by {@link nn.PReLU}. */
export interface PReLU extends Module {
  readonly numParameters: number;
  readonly init: number;
  /** Parametric ReLU of `input`, element-wise. */
  forward(input: Tensor): Tensor;
}
