/** Pooling. */

import type { Size2d, Tensor } from "../tensor";
import type * as nn from "./index";
import type { Module } from "./index";

// ── Pooling ─────────────────────────────────────────────────────────────────────────────

/** Options of {@link nn.MaxPool2d} and {@link F.maxPool2d}. */
export interface MaxPool2dOptions {
  /**
   * Step of the window: a number or `[strideH, strideW]`.
   * @defaultValue kernelSize
   */
  stride?: Size2d;
  /**
   * Implicit `−∞` padding on both sides of each spatial axis; at most half the kernel size.
   * @defaultValue 0
   */
  padding?: Size2d;
  /**
   * Spacing between window elements.
   * @defaultValue 1
   */
  dilation?: Size2d;
  /**
   * PyTorch's `return_indices`: only `false` (the indices of the maxima are not modelled).
   * @defaultValue false
   */
  returnIndices?: false;
  /**
   * Use `ceil` instead of `floor` in the output-size formula (a last, partial window is kept when
   * it starts inside the input or the left padding).
   * @defaultValue false
   */
  ceilMode?: boolean;
}

/**
 * 2-D max pooling, like `torch.nn.MaxPool2d`: the maximum over each `kH × kW` window, per channel.
 *
 * **Shape**: `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]` with
 * ```text
 * H_out = floor((H_in + 2·padding[0] − dilation[0]·(kernelSize[0] − 1) − 1) / stride[0] + 1)
 * W_out = floor((W_in + 2·padding[1] − dilation[1]·(kernelSize[1] − 1) − 1) / stride[1] + 1)
 * ```
 * (`ceil` instead of `floor` with `ceilMode`).
 *
 * **Parameters**: none.
 *
 * @param kernelSize size of the window: `k` or `[kH, kW]`.
 * @param opts `stride` (= kernelSize), `padding` (0), `dilation` (1), `ceilMode` (false).
 * @returns a callable `MaxPool2d` module.
 * @example
 * nn.MaxPool2d(2)                            // [N, 64, 56, 56] → [N, 64, 28, 28]
 * nn.MaxPool2d(3, { stride: 2, padding: 1 }) // ResNet stem: [N, 64, 112, 112] → [N, 64, 56, 56]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html
 */
export const MaxPool2d: MaxPool2dClass;
/** `nn.MaxPool2d` is a factory and a class: `new nn.MaxPool2d(...)` equals `nn.MaxPool2d(...)`, and `class X extends nn.MaxPool2d` reads its attributes and may override `forward`. */
export interface MaxPool2dClass {
  /**
   * 2-D max pooling, like `torch.nn.MaxPool2d`: the maximum over each `kH × kW` window, per channel.
   *
   * **Shape**: `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]` with
   * ```text
   * H_out = floor((H_in + 2·padding[0] − dilation[0]·(kernelSize[0] − 1) − 1) / stride[0] + 1)
   * W_out = floor((W_in + 2·padding[1] − dilation[1]·(kernelSize[1] − 1) − 1) / stride[1] + 1)
   * ```
   * (`ceil` instead of `floor` with `ceilMode`).
   *
   * **Parameters**: none.
   *
   * @param kernelSize size of the window: `k` or `[kH, kW]`.
   * @param opts `stride` (= kernelSize), `padding` (0), `dilation` (1), `ceilMode` (false).
   * @returns a callable `MaxPool2d` module.
   * @example
   * nn.MaxPool2d(2)                            // [N, 64, 56, 56] → [N, 64, 28, 28]
   * nn.MaxPool2d(3, { stride: 2, padding: 1 }) // ResNet stem: [N, 64, 112, 112] → [N, 64, 56, 56]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html
   */
  (kernelSize: Size2d, opts?: MaxPool2dOptions): MaxPool2d;
  /** The class form: `new nn.MaxPool2d(...)`, or `super(...)` in a subclass. */
  new (kernelSize: Size2d, opts?: MaxPool2dOptions): MaxPool2d;
  readonly prototype: MaxPool2d;
}
/** A max-pooling module, made by {@link nn.MaxPool2d}. */
export interface MaxPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly ceilMode: boolean;
  /** Max-pools `input` (`[N, C, H, W]`). */
  forward(input: Tensor): Tensor;
}

/** Options of {@link nn.AvgPool2d} and {@link F.avgPool2d}. */
export interface AvgPool2dOptions {
  /**
   * Step of the window: a number or `[strideH, strideW]`.
   * @defaultValue kernelSize
   */
  stride?: Size2d;
  /**
   * Implicit zero padding on both sides of each spatial axis; at most half the kernel size.
   * @defaultValue 0
   */
  padding?: Size2d;
  /**
   * Use `ceil` instead of `floor` in the output-size formula.
   * @defaultValue false
   */
  ceilMode?: boolean;
  /**
   * Whether the zero padding counts in the averages' denominators.
   * @defaultValue true
   */
  countIncludePad?: boolean;
  /**
   * A fixed divisor instead of the window size. Shapes do not depend on it.
   * @defaultValue undefined (the window size)
   */
  divisorOverride?: number;
}

/**
 * 2-D average pooling, like `torch.nn.AvgPool2d`: the mean over each `kH × kW` window, per channel.
 *
 * **Shape**: `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]` with
 * ```text
 * H_out = floor((H_in + 2·padding[0] − kernelSize[0]) / stride[0] + 1)
 * W_out = floor((W_in + 2·padding[1] − kernelSize[1]) / stride[1] + 1)
 * ```
 * (`ceil` instead of `floor` with `ceilMode`).
 *
 * **Parameters**: none.
 *
 * @param kernelSize size of the window: `k` or `[kH, kW]`.
 * @param opts `stride` (= kernelSize), `padding` (0), `ceilMode` (false), `countIncludePad` (true).
 * @returns a callable `AvgPool2d` module.
 * @example
 * nn.AvgPool2d(2) // LeNet-5 subsampling: [N, 6, 28, 28] → [N, 6, 14, 14]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.AvgPool2d.html
 */
export const AvgPool2d: AvgPool2dClass;
/** `nn.AvgPool2d` is a factory and a class: `new nn.AvgPool2d(...)` equals `nn.AvgPool2d(...)`, and `class X extends nn.AvgPool2d` reads its attributes and may override `forward`. */
export interface AvgPool2dClass {
  /**
   * 2-D average pooling, like `torch.nn.AvgPool2d`: the mean over each `kH × kW` window, per channel.
   *
   * **Shape**: `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]` with
   * ```text
   * H_out = floor((H_in + 2·padding[0] − kernelSize[0]) / stride[0] + 1)
   * W_out = floor((W_in + 2·padding[1] − kernelSize[1]) / stride[1] + 1)
   * ```
   * (`ceil` instead of `floor` with `ceilMode`).
   *
   * **Parameters**: none.
   *
   * @param kernelSize size of the window: `k` or `[kH, kW]`.
   * @param opts `stride` (= kernelSize), `padding` (0), `ceilMode` (false), `countIncludePad` (true).
   * @returns a callable `AvgPool2d` module.
   * @example
   * nn.AvgPool2d(2) // LeNet-5 subsampling: [N, 6, 28, 28] → [N, 6, 14, 14]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.AvgPool2d.html
   */
  (kernelSize: Size2d, opts?: AvgPool2dOptions): AvgPool2d;
  /** The class form: `new nn.AvgPool2d(...)`, or `super(...)` in a subclass. */
  new (kernelSize: Size2d, opts?: AvgPool2dOptions): AvgPool2d;
  readonly prototype: AvgPool2d;
}
/** An average-pooling module, made by {@link nn.AvgPool2d}. */
export interface AvgPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  /** Average-pools `input` (`[N, C, H, W]`). */
  forward(input: Tensor): Tensor;
}

/**
 * 2-D adaptive average pooling, like `torch.nn.AdaptiveAvgPool2d`: averages over windows chosen so
 * that the output has the requested size **whatever the input size** (output row `i` averages input
 * rows `floor(i·H_in / H_out)` to `ceil((i + 1)·H_in / H_out) − 1`). `nn.AdaptiveAvgPool2d(1)` is
 * global average pooling.
 *
 * **Shape**: `[N, C, H_in, W_in]` → `[N, C, outputSize[0], outputSize[1]]`.
 *
 * **Parameters**: none.
 *
 * @param outputSize the output's height and width: `s` (an `s × s` output) or `[H_out, W_out]`.
 * @returns a callable `AdaptiveAvgPool2d` module.
 * @example
 * nn.AdaptiveAvgPool2d(1)      // [N, 512, 7, 7] → [N, 512, 1, 1]
 * nn.AdaptiveAvgPool2d([6, 6]) // AlexNet: [N, 256, 13, 13] → [N, 256, 6, 6]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveAvgPool2d.html
 */
export const AdaptiveAvgPool2d: AdaptiveAvgPool2dClass;
/** `nn.AdaptiveAvgPool2d` is a factory and a class: `new nn.AdaptiveAvgPool2d(...)` equals `nn.AdaptiveAvgPool2d(...)`, and `class X extends nn.AdaptiveAvgPool2d` reads its attributes and may override `forward`. */
export interface AdaptiveAvgPool2dClass {
  /**
   * 2-D adaptive average pooling, like `torch.nn.AdaptiveAvgPool2d`: averages over windows chosen so
   * that the output has the requested size **whatever the input size** (output row `i` averages input
   * rows `floor(i·H_in / H_out)` to `ceil((i + 1)·H_in / H_out) − 1`). `nn.AdaptiveAvgPool2d(1)` is
   * global average pooling.
   *
   * **Shape**: `[N, C, H_in, W_in]` → `[N, C, outputSize[0], outputSize[1]]`.
   *
   * **Parameters**: none.
   *
   * @param outputSize the output's height and width: `s` (an `s × s` output) or `[H_out, W_out]`.
   * @returns a callable `AdaptiveAvgPool2d` module.
   * @example
   * nn.AdaptiveAvgPool2d(1)      // [N, 512, 7, 7] → [N, 512, 1, 1]
   * nn.AdaptiveAvgPool2d([6, 6]) // AlexNet: [N, 256, 13, 13] → [N, 256, 6, 6]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveAvgPool2d.html
   */
  (outputSize: Size2d): AdaptiveAvgPool2d;
  /** The class form: `new nn.AdaptiveAvgPool2d(...)`, or `super(...)` in a subclass. */
  new (outputSize: Size2d): AdaptiveAvgPool2d;
  readonly prototype: AdaptiveAvgPool2d;
}
/** An adaptive average-pooling module, made by {@link nn.AdaptiveAvgPool2d}. */
export interface AdaptiveAvgPool2d extends Module {
  readonly outputSize: Size2d;
  /** Pools `input` (`[N, C, H, W]`) to `[N, C, outputSize…]`. */
  forward(input: Tensor): Tensor;
}

/**
 * 2-D adaptive max pooling, like `torch.nn.AdaptiveMaxPool2d`: the maximum over windows chosen so
 * that the output has the requested size whatever the input size (same windows as
 * {@link nn.AdaptiveAvgPool2d}).
 *
 * **Shape**: `[N, C, H_in, W_in]` → `[N, C, outputSize[0], outputSize[1]]`.
 *
 * **Parameters**: none.
 *
 * @param outputSize the output's height and width: `s` or `[H_out, W_out]`.
 * @returns a callable `AdaptiveMaxPool2d` module.
 * @example
 * nn.AdaptiveMaxPool2d(1) // [N, 512, 7, 7] → [N, 512, 1, 1]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveMaxPool2d.html
 */
export const AdaptiveMaxPool2d: AdaptiveMaxPool2dClass;
/** `nn.AdaptiveMaxPool2d` is a factory and a class: `new nn.AdaptiveMaxPool2d(...)` equals `nn.AdaptiveMaxPool2d(...)`, and `class X extends nn.AdaptiveMaxPool2d` reads its attributes and may override `forward`. */
export interface AdaptiveMaxPool2dClass {
  /**
   * 2-D adaptive max pooling, like `torch.nn.AdaptiveMaxPool2d`: the maximum over windows chosen so
   * that the output has the requested size whatever the input size (same windows as
   * {@link nn.AdaptiveAvgPool2d}).
   *
   * **Shape**: `[N, C, H_in, W_in]` → `[N, C, outputSize[0], outputSize[1]]`.
   *
   * **Parameters**: none.
   *
   * @param outputSize the output's height and width: `s` or `[H_out, W_out]`.
   * @returns a callable `AdaptiveMaxPool2d` module.
   * @example
   * nn.AdaptiveMaxPool2d(1) // [N, 512, 7, 7] → [N, 512, 1, 1]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveMaxPool2d.html
   */
  (outputSize: Size2d): AdaptiveMaxPool2d;
  /** The class form: `new nn.AdaptiveMaxPool2d(...)`, or `super(...)` in a subclass. */
  new (outputSize: Size2d): AdaptiveMaxPool2d;
  readonly prototype: AdaptiveMaxPool2d;
}
/** An adaptive max-pooling module, made by {@link nn.AdaptiveMaxPool2d}. */
export interface AdaptiveMaxPool2d extends Module {
  readonly outputSize: Size2d;
  /** Pools `input` (`[N, C, H, W]`) to `[N, C, outputSize…]`. */
  forward(input: Tensor): Tensor;
}
