/**
 * torchvision's building blocks, mirroring `torchvision.ops` (0.14) with its defaults and child
 * names (so state_dict names are torchvision's): `import { nn, ops } from "cnn-studio"`.
 * (The package exports this file as `ops`.)
 */

import type { Conv2dPadding, Size2d, Tensor } from "./tensor";
import type * as nn from "./nn/index";

/** A module factory taking the channels (`nn.BatchNorm2d`, `(c) => nn.GroupNorm(1, c)`, a class). */
export type NormFactory = ((channels: number) => nn.Module) | (new (channels: number) => nn.Module);
/** An activation factory (`nn.ReLU`, `nn.Hardswish`, a class), called with `{ inplace }` when `inplace` is not null. */
export type ActivationFactory = ((opts?: nn.InplaceOptions) => nn.Module) | (new (opts?: nn.InplaceOptions) => nn.Module);

/**
 * Stochastic depth, like `torchvision.ops.StochasticDepth`: in training, zeroes each sample's
 * residual branch (`"row"`) or the whole batch's (`"batch"`) with probability `p` and scales what
 * is kept by `1 / (1 − p)`; the identity at evaluation.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param p probability of dropping.
 * @param mode `"row"` (per sample) or `"batch"`.
 * @returns a callable `StochasticDepth` module.
 * @example
 * ops.StochasticDepth(0.1, "row") // ConvNeXt, Swin
 * @see https://pytorch.org/vision/stable/generated/torchvision.ops.StochasticDepth.html
 */
export const StochasticDepth: StochasticDepthClass;
/** `ops.StochasticDepth` is a factory and a class: `new ops.StochasticDepth(...)` equals `ops.StochasticDepth(...)`, and `class X extends ops.StochasticDepth` reads its attributes and may override `forward`. */
export interface StochasticDepthClass {
  /**
   * Stochastic depth, like `torchvision.ops.StochasticDepth`: in training, zeroes each sample's
   * residual branch (`"row"`) or the whole batch's (`"batch"`) with probability `p` and scales what
   * is kept by `1 / (1 − p)`; the identity at evaluation.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param p probability of dropping.
   * @param mode `"row"` (per sample) or `"batch"`.
   * @returns a callable `StochasticDepth` module.
   * @example
   * ops.StochasticDepth(0.1, "row") // ConvNeXt, Swin
   * @see https://pytorch.org/vision/stable/generated/torchvision.ops.StochasticDepth.html
   */
  (p: number, mode: "batch" | "row"): StochasticDepth;
  /** The class form: `new ops.StochasticDepth(...)`, or `super(...)` in a subclass. */
  new (p: number, mode: "batch" | "row"): StochasticDepth;
  readonly prototype: StochasticDepth;
}
/** A stochastic-depth module, made by {@link ops.StochasticDepth}. */
export interface StochasticDepth extends nn.Module {
  readonly p: number;
  readonly mode: "batch" | "row";
  /** `input` at evaluation. */
  forward(input: Tensor): Tensor;
}

/**
 * PyTorch's `permute(dims)` as a module, like `torchvision.ops.Permute`.
 *
 * **Shape**: the input's dimensions in the order `dims`. **Parameters**: none.
 *
 * @param dims a permutation of the input's dimensions, e.g. `[0, 2, 3, 1]` (NCHW → NHWC).
 * @returns a callable `Permute` module.
 * @example
 * ops.Permute([0, 2, 3, 1])
 * @see https://pytorch.org/vision/stable/generated/torchvision.ops.Permute.html
 */
export const Permute: PermuteClass;
/** `ops.Permute` is a factory and a class: `new ops.Permute(...)` equals `ops.Permute(...)`, and `class X extends ops.Permute` reads its attributes and may override `forward`. */
export interface PermuteClass {
  /**
   * PyTorch's `permute(dims)` as a module, like `torchvision.ops.Permute`.
   *
   * **Shape**: the input's dimensions in the order `dims`. **Parameters**: none.
   *
   * @param dims a permutation of the input's dimensions, e.g. `[0, 2, 3, 1]` (NCHW → NHWC).
   * @returns a callable `Permute` module.
   * @example
   * ops.Permute([0, 2, 3, 1])
   * @see https://pytorch.org/vision/stable/generated/torchvision.ops.Permute.html
   */
  (dims: readonly number[]): Permute;
  /** The class form: `new ops.Permute(...)`, or `super(...)` in a subclass. */
  new (dims: readonly number[]): Permute;
  readonly prototype: Permute;
}
/** A permutation module, made by {@link ops.Permute}. */
export interface Permute extends nn.Module {
  readonly dims: readonly number[];
  /** `input` with its dimensions permuted. */
  forward(input: Tensor): Tensor;
}

/** Options of {@link ops.Conv2dNormActivation}. */
export interface Conv2dNormActivationOptions {
  /**
   * Size of the convolution's kernel.
   * @defaultValue 3
   */
  kernelSize?: Size2d;
  /**
   * Step of the convolution.
   * @defaultValue 1
   */
  stride?: Size2d;
  /**
   * Padding (`null`: `(kernelSize − 1) / 2 · dilation`, rounded down, per axis).
   * @defaultValue null
   */
  padding?: Conv2dPadding | null;
  /**
   * Groups of the convolution.
   * @defaultValue 1
   */
  groups?: number;
  /**
   * The normalisation after the convolution, made with the output channels (`null`: none).
   * @defaultValue nn.BatchNorm2d
   */
  normLayer?: NormFactory | null;
  /**
   * The activation after the normalisation (`null`: none).
   * @defaultValue nn.ReLU
   */
  activationLayer?: ActivationFactory | null;
  /**
   * Dilation of the convolution.
   * @defaultValue 1
   */
  dilation?: Size2d;
  /**
   * Passed to the activation as `{ inplace }` (`null`: nothing passed).
   * @defaultValue true
   */
  inplace?: boolean | null;
  /**
   * Whether the convolution has a bias (`null`: only when there is no normalisation).
   * @defaultValue null
   */
  bias?: boolean | null;
}

/**
 * Convolution, normalisation and activation, like `torchvision.ops.Conv2dNormActivation`: an
 * `nn.Sequential` with children `0` (Conv2d), `1` (the norm) and `2` (the activation), numbered
 * without the ones that are `null`.
 *
 * **Shape**: the convolution's. **Parameters**: the children's.
 *
 * @param inChannels channels of the input.
 * @param outChannels channels of the output.
 * @param opts see {@link ops.Conv2dNormActivationOptions}.
 * @returns a callable `Conv2dNormActivation` (an `nn.Sequential`).
 * @example
 * ops.Conv2dNormActivation(3, 32, { stride: 2, activationLayer: nn.SiLU }) // EfficientNet stem
 * @see https://pytorch.org/vision/stable/generated/torchvision.ops.Conv2dNormActivation.html
 */
export const Conv2dNormActivation: Conv2dNormActivationClass;
/** `ops.Conv2dNormActivation` is a factory and a class: `new ops.Conv2dNormActivation(...)` equals `ops.Conv2dNormActivation(...)`, and `class X extends ops.Conv2dNormActivation` reads its attributes. */
export interface Conv2dNormActivationClass {
  /**
   * Convolution, normalisation and activation, like `torchvision.ops.Conv2dNormActivation`: an
   * `nn.Sequential` with children `0` (Conv2d), `1` (the norm) and `2` (the activation), numbered
   * without the ones that are `null`.
   *
   * **Shape**: the convolution's. **Parameters**: the children's.
   *
   * @param inChannels channels of the input.
   * @param outChannels channels of the output.
   * @param opts see {@link ops.Conv2dNormActivationOptions}.
   * @returns a callable `Conv2dNormActivation` (an `nn.Sequential`).
   * @example
   * ops.Conv2dNormActivation(3, 32, { stride: 2, activationLayer: nn.SiLU }) // EfficientNet stem
   * @see https://pytorch.org/vision/stable/generated/torchvision.ops.Conv2dNormActivation.html
   */
  (inChannels: number, outChannels: number, opts?: Conv2dNormActivationOptions): Conv2dNormActivation;
  /** The class form: `new ops.Conv2dNormActivation(...)`, or `super(...)` in a subclass. */
  new (inChannels: number, outChannels: number, opts?: Conv2dNormActivationOptions): Conv2dNormActivation;
  readonly prototype: Conv2dNormActivation;
}
/** A convolution–norm–activation chain, made by {@link ops.Conv2dNormActivation}. */
export interface Conv2dNormActivation extends nn.Sequential {
  readonly outChannels: number;
}

/** Options of {@link ops.SqueezeExcitation}. */
export interface SqueezeExcitationOptions {
  /**
   * The activation between the two 1×1 convolutions.
   * @defaultValue nn.ReLU
   */
  activation?: ActivationFactory;
  /**
   * The activation of the scale.
   * @defaultValue nn.Sigmoid
   */
  scaleActivation?: ActivationFactory;
}

/**
 * Squeeze-and-excitation, like `torchvision.ops.SqueezeExcitation`: `input · scale_activation(fc2(
 * activation(fc1(avgpool(input)))))`, with children `avgpool`, `fc1`, `fc2`, `activation` and
 * `scale_activation` (torchvision's names).
 *
 * **Shape**: unchanged (`[N, inputChannels, H, W]`). **Parameters**: two 1×1 convolutions with
 * biases.
 *
 * @param inputChannels channels of the input.
 * @param squeezeChannels channels between the two convolutions.
 * @param opts `activation` (nn.ReLU), `scaleActivation` (nn.Sigmoid).
 * @returns a callable `SqueezeExcitation` module.
 * @example
 * ops.SqueezeExcitation(96, 24)
 * @see https://pytorch.org/vision/stable/generated/torchvision.ops.SqueezeExcitation.html
 */
export const SqueezeExcitation: SqueezeExcitationClass;
/** `ops.SqueezeExcitation` is a factory and a class: `new ops.SqueezeExcitation(...)` equals `ops.SqueezeExcitation(...)`, and `class X extends ops.SqueezeExcitation` reads its attributes and may override `forward`. */
export interface SqueezeExcitationClass {
  /**
   * Squeeze-and-excitation, like `torchvision.ops.SqueezeExcitation`: `input · scale_activation(fc2(
   * activation(fc1(avgpool(input)))))`, with children `avgpool`, `fc1`, `fc2`, `activation` and
   * `scale_activation` (torchvision's names).
   *
   * **Shape**: unchanged (`[N, inputChannels, H, W]`). **Parameters**: two 1×1 convolutions with
   * biases.
   *
   * @param inputChannels channels of the input.
   * @param squeezeChannels channels between the two convolutions.
   * @param opts `activation` (nn.ReLU), `scaleActivation` (nn.Sigmoid).
   * @returns a callable `SqueezeExcitation` module.
   * @example
   * ops.SqueezeExcitation(96, 24)
   * @see https://pytorch.org/vision/stable/generated/torchvision.ops.SqueezeExcitation.html
   */
  (inputChannels: number, squeezeChannels: number, opts?: SqueezeExcitationOptions): SqueezeExcitation;
  /** The class form: `new ops.SqueezeExcitation(...)`, or `super(...)` in a subclass. */
  new (inputChannels: number, squeezeChannels: number, opts?: SqueezeExcitationOptions): SqueezeExcitation;
  readonly prototype: SqueezeExcitation;
}
/** A squeeze-and-excitation module, made by {@link ops.SqueezeExcitation}. */
export interface SqueezeExcitation extends nn.Module {
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly fc1: nn.Conv2d;
  readonly fc2: nn.Conv2d;
  readonly activation: nn.Module;
  readonly scale_activation: nn.Module;
  /** `input` times its channel scale. */
  forward(input: Tensor): Tensor;
}

/** Options of {@link ops.MLP}. */
export interface MLPOptions {
  /**
   * A normalisation after each hidden Linear, made with its features (`null`: none).
   * @defaultValue null
   */
  normLayer?: NormFactory | null;
  /**
   * The activation after each hidden Linear.
   * @defaultValue nn.ReLU
   */
  activationLayer?: ActivationFactory;
  /**
   * Passed to the activation and the dropouts as `{ inplace }` (`null`: nothing passed).
   * @defaultValue true
   */
  inplace?: boolean | null;
  /**
   * Whether the Linear layers have biases.
   * @defaultValue true
   */
  bias?: boolean;
  /**
   * Dropout probability after each Linear.
   * @defaultValue 0
   */
  dropout?: number;
}

/**
 * A multi-layer perceptron, like `torchvision.ops.MLP`: an `nn.Sequential` of, per hidden size,
 * Linear, the norm, the activation and Dropout, then the last Linear and Dropout, numbered `0`, `1`, ….
 *
 * **Shape**: `[*, inChannels]` → `[*, hiddenChannels.at(-1)]`. **Parameters**: the Linear layers'
 * (and norms').
 *
 * @param inChannels features of the input.
 * @param hiddenChannels the features of each Linear, the last one's being the output's.
 * @param opts see {@link ops.MLPOptions}.
 * @returns a callable `MLP` (an `nn.Sequential`).
 * @example
 * ops.MLP(768, [3072, 768], { activationLayer: nn.GELU, inplace: null, dropout: 0.1 }) // ViT's MLP block
 * @see https://pytorch.org/vision/stable/generated/torchvision.ops.MLP.html
 */
export const MLP: MLPClass;
/** `ops.MLP` is a factory and a class: `new ops.MLP(...)` equals `ops.MLP(...)`, and `class X extends ops.MLP` reads its attributes and may override `forward`. */
export interface MLPClass {
  /**
   * A multi-layer perceptron, like `torchvision.ops.MLP`: an `nn.Sequential` of, per hidden size,
   * Linear, the norm, the activation and Dropout, then the last Linear and Dropout, numbered `0`, `1`, ….
   *
   * **Shape**: `[*, inChannels]` → `[*, hiddenChannels.at(-1)]`. **Parameters**: the Linear layers'
   * (and norms').
   *
   * @param inChannels features of the input.
   * @param hiddenChannels the features of each Linear, the last one's being the output's.
   * @param opts see {@link ops.MLPOptions}.
   * @returns a callable `MLP` (an `nn.Sequential`).
   * @example
   * ops.MLP(768, [3072, 768], { activationLayer: nn.GELU, inplace: null, dropout: 0.1 }) // ViT's MLP block
   * @see https://pytorch.org/vision/stable/generated/torchvision.ops.MLP.html
   */
  (inChannels: number, hiddenChannels: readonly number[], opts?: MLPOptions): MLP;
  /** The class form: `new ops.MLP(...)`, or `super(...)` in a subclass. */
  new (inChannels: number, hiddenChannels: readonly number[], opts?: MLPOptions): MLP;
  readonly prototype: MLP;
}
/** A multi-layer perceptron, made by {@link ops.MLP}. */
export type MLP = nn.Sequential;
