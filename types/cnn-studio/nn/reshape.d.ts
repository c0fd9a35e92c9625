/** Reshaping, identity and upsampling. */

import type * as nn from "./index";
import type { InterpolationMode, Size2d, Tensor } from "../tensor";
import type { Module } from "./index";

// ── Reshaping ───────────────────────────────────────────────────────────────────────────

/**
 * Flattens a range of dimensions into one, like `torch.nn.Flatten`. The defaults keep the batch:
 * `[N, C, H, W]` → `[N, C·H·W]`.
 *
 * **Shape**: dimensions `startDim … endDim` are replaced by their product.
 * **Parameters**: none.
 *
 * @param startDim first dimension to flatten. Default: `1` (unlike `torch.flatten`, whose default is `0`).
 * @param endDim last dimension to flatten (inclusive). Default: `-1`.
 * @returns a callable `Flatten` module.
 * @example
 * nn.Flatten() // [N, 16, 5, 5] → [N, 400]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Flatten.html
 */
export function Flatten(startDim?: number, endDim?: number): Flatten;
/** A flattening module, made by {@link nn.Flatten}. */
export interface Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  /** Flattens `input`. */
  forward(input: Tensor): Tensor;
}

/**
 * The identity, like `torch.nn.Identity`: returns its input. Any arguments are accepted and
 * ignored. Handy as a placeholder (`this.downsample = stride === 1 ? nn.Identity() : …`) or to
 * remove a head (`model.fc = nn.Identity()`).
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param args ignored.
 * @returns a callable `Identity` module.
 * @example
 * const shortcut = inC === outC ? nn.Identity() : nn.Conv2d(inC, outC, 1);
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Identity.html
 */
export function Identity(...args: unknown[]): Identity;
/** An identity module, made by {@link nn.Identity}. */
export interface Identity extends Module {
  /** Returns `input` unchanged. */
  forward(input: Tensor): Tensor;
}

/** Options of {@link nn.Upsample} and {@link F.interpolate} shared by both forms. */
export interface UpsampleCommonOptions {
  /**
   * Interpolation algorithm. Shapes do not depend on it.
   * @defaultValue "nearest"
   */
  mode?: InterpolationMode;
  /**
   * For `"bilinear"` / `"bicubic"`: align the corner pixels of input and output. Shapes do not
   * depend on it.
   * @defaultValue undefined (false)
   */
  alignCorners?: boolean;
  /**
   * With `scaleFactor`: compute the source indices from the output size instead of the factor.
   * Shapes do not depend on it.
   * @defaultValue undefined (false)
   */
  recomputeScaleFactor?: boolean;
}

/** Upsampling to a fixed output size. */
export interface UpsampleSizeOptions extends UpsampleCommonOptions {
  /**
   * The output's height and width: `s` or `[H_out, W_out]`. Give either `size` or `scaleFactor`.
   */
  size: Size2d;
  scaleFactor?: undefined;
}

/** Upsampling by a factor. */
export interface UpsampleScaleOptions extends UpsampleCommonOptions {
  /**
   * Multiplier of height and width: `H_out = floor(H_in · scaleFactor)`. A number or
   * `[scaleH, scaleW]`. Give either `scaleFactor` or `size`.
   */
  scaleFactor: number | readonly [number, number];
  size?: undefined;
}

/**
 * Options of {@link nn.Upsample} and {@link F.interpolate}: exactly one of `size` and `scaleFactor`,
 * and optionally `mode` ("nearest") and `alignCorners`.
 */
export type UpsampleOptions = UpsampleSizeOptions | UpsampleScaleOptions;

/**
 * Upsampling, like `torch.nn.Upsample`: resizes height and width by interpolation
 * (`"nearest"` by default; `"bilinear"`, `"bicubic"`, `"nearest-exact"`).
 *
 * **Shape**: `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]` with `H_out = size[0]` or
 * `H_out = floor(H_in · scaleFactor[0])` (likewise `W_out`).
 *
 * **Parameters**: none.
 *
 * @param opts exactly one of `size` and `scaleFactor`; `mode` ("nearest"), `alignCorners`.
 * @returns a callable `Upsample` module.
 * @example
 * nn.Upsample({ scaleFactor: 2 })                                        // [N, 64, 28, 28] → [N, 64, 56, 56]
 * nn.Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: true }) // U-Net decoder
 * nn.Upsample({ size: [224, 224], mode: "bilinear" })
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Upsample.html
 */
export function Upsample(opts: UpsampleOptions): Upsample;
/** An upsampling module, made by {@link nn.Upsample}. */
export interface Upsample extends Module {
  readonly size: Size2d | null;
  readonly scaleFactor: number | readonly [number, number] | null;
  readonly mode: InterpolationMode;
  /** Resizes `input` (`[N, C, H, W]`). */
  forward(input: Tensor): Tensor;
}
