/** Convolutions and `nn.Linear`. */

import type { Conv2dPadding, Size2d, Tensor } from "../tensor";
import type * as nn from "./index";
import type { Module, WeightAndBias } from "./index";

// ── Convolutions ────────────────────────────────────────────────────────────────────────

/** Options of {@link nn.Conv2d} (PyTorch's keyword arguments, camelCase). */
export interface Conv2dOptions {
  /**
   * Step of the kernel over the input: a number, or `[strideH, strideW]`.
   * @defaultValue 1
   */
  stride?: Size2d;
  /**
   * Zeros added on both sides of each spatial axis: a number, `[padH, padW]`, `"valid"` (no
   * padding) or `"same"` (output keeps the input's height and width; requires stride 1).
   * @defaultValue 0
   */
  padding?: Conv2dPadding;
  /**
   * Spacing between kernel elements (atrous / dilated convolution): a number or `[dH, dW]`.
   * The kernel then spans `dilation·(kernelSize − 1) + 1` pixels.
   * @defaultValue 1
   */
  dilation?: Size2d;
  /**
   * Number of blocked connections from input to output channels: `inChannels` and `outChannels`
   * must both be divisible by it. `groups: inChannels` is a depthwise convolution.
   * @defaultValue 1
   */
  groups?: number;
  /**
   * Whether to add a learnable bias (`outChannels` parameters). Usually `false` before a BatchNorm.
   * @defaultValue true
   */
  bias?: boolean;
  /**
   * How the padding is filled. Shapes and parameters do not depend on it.
   * @defaultValue "zeros"
   */
  paddingMode?: "zeros" | "reflect" | "replicate" | "circular";
}

/**
 * 2-D convolution over an input of several channels, like `torch.nn.Conv2d`: each of the
 * `outChannels` filters (`kH × kW` over the `inChannels / groups` channels of its group) slides
 * over the input; plus an optional bias per output channel.
 *
 * **Shape**: `[N, inChannels, H_in, W_in]` → `[N, outChannels, H_out, W_out]` with
 * ```text
 * H_out = floor((H_in + 2·padding[0] − dilation[0]·(kernelSize[0] − 1) − 1) / stride[0] + 1)
 * W_out = floor((W_in + 2·padding[1] − dilation[1]·(kernelSize[1] − 1) − 1) / stride[1] + 1)
 * ```
 * (`padding: "same"` keeps `H_in × W_in`.)
 *
 * **Parameters**: `outChannels · (inChannels / groups) · kH · kW` weights `+ outChannels` biases
 * (when `bias`).
 *
 * **MACs**: `N · outChannels · H_out · W_out · (inChannels / groups) · kH · kW`.
 *
 * **Receptive field**: grows by `dilation·(kernelSize − 1)·jump`; the jump (effective stride) is
 * multiplied by `stride`.
 *
 * @param inChannels number of channels of the input; must be divisible by `groups`.
 * @param outChannels number of channels produced (number of filters); must be divisible by `groups`.
 * @param kernelSize size of the kernel: `k` (a `k × k` kernel) or `[kH, kW]`.
 * @param opts `stride` (1), `padding` (0, `"same"`, `"valid"`), `dilation` (1), `groups` (1),
 *   `bias` (true), `paddingMode` ("zeros").
 * @returns a callable `Conv2d` module: `conv(x)`.
 * @example
 * nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }) // [N, 3, 224, 224] → [N, 64, 112, 112]; 9,408 params
 * nn.Conv2d(32, 32, 3, { padding: 1, groups: 32 })            // depthwise 3×3
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
 */
export const Conv2d: Conv2dClass;
/** `nn.Conv2d` is a factory and a class: `new nn.Conv2d(...)` equals `nn.Conv2d(...)`, and `class X extends nn.Conv2d` reads its attributes and may override `forward`. */
export interface Conv2dClass {
  /**
   * 2-D convolution over an input of several channels, like `torch.nn.Conv2d`: each of the
   * `outChannels` filters (`kH × kW` over the `inChannels / groups` channels of its group) slides
   * over the input; plus an optional bias per output channel.
   *
   * **Shape**: `[N, inChannels, H_in, W_in]` → `[N, outChannels, H_out, W_out]` with
   * ```text
   * H_out = floor((H_in + 2·padding[0] − dilation[0]·(kernelSize[0] − 1) − 1) / stride[0] + 1)
   * W_out = floor((W_in + 2·padding[1] − dilation[1]·(kernelSize[1] − 1) − 1) / stride[1] + 1)
   * ```
   * (`padding: "same"` keeps `H_in × W_in`.)
   *
   * **Parameters**: `outChannels · (inChannels / groups) · kH · kW` weights `+ outChannels` biases
   * (when `bias`).
   *
   * **MACs**: `N · outChannels · H_out · W_out · (inChannels / groups) · kH · kW`.
   *
   * **Receptive field**: grows by `dilation·(kernelSize − 1)·jump`; the jump (effective stride) is
   * multiplied by `stride`.
   *
   * @param inChannels number of channels of the input; must be divisible by `groups`.
   * @param outChannels number of channels produced (number of filters); must be divisible by `groups`.
   * @param kernelSize size of the kernel: `k` (a `k × k` kernel) or `[kH, kW]`.
   * @param opts `stride` (1), `padding` (0, `"same"`, `"valid"`), `dilation` (1), `groups` (1),
   *   `bias` (true), `paddingMode` ("zeros").
   * @returns a callable `Conv2d` module: `conv(x)`.
   * @example
   * nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }) // [N, 3, 224, 224] → [N, 64, 112, 112]; 9,408 params
   * nn.Conv2d(32, 32, 3, { padding: 1, groups: 32 })            // depthwise 3×3
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
   */
  (inChannels: number, outChannels: number, kernelSize: Size2d, opts?: Conv2dOptions): Conv2d;
  /** The class form: `new nn.Conv2d(...)`, or `super(...)` in a subclass. */
  new (inChannels: number, outChannels: number, kernelSize: Size2d, opts?: Conv2dOptions): Conv2d;
  readonly prototype: Conv2d;
}
/** A 2-D convolution module, made by {@link nn.Conv2d}. */
export interface Conv2d extends Module, WeightAndBias {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  /** Padding per side, `[padH, padW]` (for `"same"`: the top/left amount; `"valid"`: `[0, 0]`). */
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: "zeros" | "reflect" | "replicate" | "circular";
  /** Convolves `input` (`[N, inChannels, H, W]`). */
  forward(input: Tensor): Tensor;
}

/** Options of {@link nn.ConvTranspose2d} (PyTorch's keyword arguments, camelCase). */
export interface ConvTranspose2dOptions {
  /**
   * Upsampling factor: a number or `[strideH, strideW]`.
   * @defaultValue 1
   */
  stride?: Size2d;
  /**
   * Implicit padding of the equivalent convolution: in effect, `padding` rows/columns are cropped
   * from both sides of the output. A number or `[padH, padW]`.
   * @defaultValue 0
   */
  padding?: Size2d;
  /**
   * Extra rows/columns added to one side of the output, to pick among the output sizes a strided
   * convolution maps to the same input size. Must be smaller than `stride` or `dilation`.
   * @defaultValue 0
   */
  outputPadding?: Size2d;
  /**
   * Spacing between kernel elements: a number or `[dH, dW]`.
   * @defaultValue 1
   */
  dilation?: Size2d;
  /**
   * Blocked connections: `inChannels` and `outChannels` must both be divisible by it.
   * @defaultValue 1
   */
  groups?: number;
  /**
   * Whether to add a learnable bias (`outChannels` parameters).
   * @defaultValue true
   */
  bias?: boolean;
}

/**
 * 2-D transposed convolution ("deconvolution", fractionally-strided convolution), like
 * `torch.nn.ConvTranspose2d`: the gradient of a `Conv2d` with respect to its input; used to upsample
 * with learned filters (decoders, U-Net, GAN generators).
 *
 * **Shape**: `[N, inChannels, H_in, W_in]` → `[N, outChannels, H_out, W_out]` with
 * ```text
 * H_out = (H_in − 1)·stride[0] − 2·padding[0] + dilation[0]·(kernelSize[0] − 1) + outputPadding[0] + 1
 * W_out = (W_in − 1)·stride[1] − 2·padding[1] + dilation[1]·(kernelSize[1] − 1) + outputPadding[1] + 1
 * ```
 *
 * **Parameters**: `inChannels · (outChannels / groups) · kH · kW` weights `+ outChannels` biases
 * (when `bias`).
 *
 * **MACs**: `N · inChannels · H_in · W_in · (outChannels / groups) · kH · kW`.
 *
 * @param inChannels number of channels of the input; must be divisible by `groups`.
 * @param outChannels number of channels produced; must be divisible by `groups`.
 * @param kernelSize size of the kernel: `k` or `[kH, kW]`.
 * @param opts `stride` (1), `padding` (0), `outputPadding` (0), `dilation` (1), `groups` (1),
 *   `bias` (true).
 * @returns a callable `ConvTranspose2d` module.
 * @example
 * nn.ConvTranspose2d(128, 64, 2, { stride: 2 })                           // [N, 128, 28, 28] → [N, 64, 56, 56]
 * nn.ConvTranspose2d(64, 32, 3, { stride: 2, padding: 1, outputPadding: 1 }) // doubles H and W
 * @see https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html
 */
export const ConvTranspose2d: ConvTranspose2dClass;
/** `nn.ConvTranspose2d` is a factory and a class: `new nn.ConvTranspose2d(...)` equals `nn.ConvTranspose2d(...)`, and `class X extends nn.ConvTranspose2d` reads its attributes and may override `forward`. */
export interface ConvTranspose2dClass {
  /**
   * 2-D transposed convolution ("deconvolution", fractionally-strided convolution), like
   * `torch.nn.ConvTranspose2d`: the gradient of a `Conv2d` with respect to its input; used to upsample
   * with learned filters (decoders, U-Net, GAN generators).
   *
   * **Shape**: `[N, inChannels, H_in, W_in]` → `[N, outChannels, H_out, W_out]` with
   * ```text
   * H_out = (H_in − 1)·stride[0] − 2·padding[0] + dilation[0]·(kernelSize[0] − 1) + outputPadding[0] + 1
   * W_out = (W_in − 1)·stride[1] − 2·padding[1] + dilation[1]·(kernelSize[1] − 1) + outputPadding[1] + 1
   * ```
   *
   * **Parameters**: `inChannels · (outChannels / groups) · kH · kW` weights `+ outChannels` biases
   * (when `bias`).
   *
   * **MACs**: `N · inChannels · H_in · W_in · (outChannels / groups) · kH · kW`.
   *
   * @param inChannels number of channels of the input; must be divisible by `groups`.
   * @param outChannels number of channels produced; must be divisible by `groups`.
   * @param kernelSize size of the kernel: `k` or `[kH, kW]`.
   * @param opts `stride` (1), `padding` (0), `outputPadding` (0), `dilation` (1), `groups` (1),
   *   `bias` (true).
   * @returns a callable `ConvTranspose2d` module.
   * @example
   * nn.ConvTranspose2d(128, 64, 2, { stride: 2 })                           // [N, 128, 28, 28] → [N, 64, 56, 56]
   * nn.ConvTranspose2d(64, 32, 3, { stride: 2, padding: 1, outputPadding: 1 }) // doubles H and W
   * @see https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html
   */
  (inChannels: number, outChannels: number, kernelSize: Size2d, opts?: ConvTranspose2dOptions): ConvTranspose2d;
  /** The class form: `new nn.ConvTranspose2d(...)`, or `super(...)` in a subclass. */
  new (inChannels: number, outChannels: number, kernelSize: Size2d, opts?: ConvTranspose2dOptions): ConvTranspose2d;
  readonly prototype: ConvTranspose2d;
}
/** A 2-D transposed convolution module, made by {@link nn.ConvTranspose2d}. */
export interface ConvTranspose2d extends Module, WeightAndBias {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  /** Applies the transposed convolution to `input` (`[N, inChannels, H, W]`). */
  forward(input: Tensor): Tensor;
}

// ── Linear ──────────────────────────────────────────────────────────────────────────────

/** Options of {@link nn.Linear}. */
export interface LinearOptions {
  /**
   * Whether to add a learnable bias (`outFeatures` parameters).
   * @defaultValue true
   */
  bias?: boolean;
}

/**
 * Fully connected layer, like `torch.nn.Linear`: `y = x·Wᵀ + b` over the **last** dimension.
 * Flatten image features first (`nn.Flatten()`, `torch.flatten(x, 1)`).
 *
 * **Shape**: `[*, inFeatures]` → `[*, outFeatures]` (e.g. `[N, 400]` → `[N, 120]`); the last
 * dimension of the input must equal `inFeatures`.
 *
 * **Parameters**: `inFeatures · outFeatures` weights `+ outFeatures` biases (when `bias`).
 *
 * **MACs**: `inFeatures ·` (number of output elements), e.g. `N · inFeatures · outFeatures`.
 *
 * @param inFeatures size of each input sample (last dimension of the input).
 * @param outFeatures size of each output sample.
 * @param opts `bias` (true).
 * @returns a callable `Linear` module.
 * @example
 * nn.Linear(16 * 5 * 5, 120) // [N, 400] → [N, 120]; 48,120 params
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
 */
export const Linear: LinearClass;
/** `nn.Linear` is a factory and a class: `new nn.Linear(...)` equals `nn.Linear(...)`, and `class X extends nn.Linear` reads its attributes and may override `forward`. */
export interface LinearClass {
  /**
   * Fully connected layer, like `torch.nn.Linear`: `y = x·Wᵀ + b` over the **last** dimension.
   * Flatten image features first (`nn.Flatten()`, `torch.flatten(x, 1)`).
   *
   * **Shape**: `[*, inFeatures]` → `[*, outFeatures]` (e.g. `[N, 400]` → `[N, 120]`); the last
   * dimension of the input must equal `inFeatures`.
   *
   * **Parameters**: `inFeatures · outFeatures` weights `+ outFeatures` biases (when `bias`).
   *
   * **MACs**: `inFeatures ·` (number of output elements), e.g. `N · inFeatures · outFeatures`.
   *
   * @param inFeatures size of each input sample (last dimension of the input).
   * @param outFeatures size of each output sample.
   * @param opts `bias` (true).
   * @returns a callable `Linear` module.
   * @example
   * nn.Linear(16 * 5 * 5, 120) // [N, 400] → [N, 120]; 48,120 params
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
   */
  (inFeatures: number, outFeatures: number, opts?: LinearOptions): Linear;
  /** The class form: `new nn.Linear(...)`, or `super(...)` in a subclass. */
  new (inFeatures: number, outFeatures: number, opts?: LinearOptions): Linear;
  readonly prototype: Linear;
}
/** A fully connected module, made by {@link nn.Linear}. */
export interface Linear extends Module, WeightAndBias {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Applies `x·Wᵀ + b` to `input` (`[*, inFeatures]`). */
  forward(input: Tensor): Tensor;
}
