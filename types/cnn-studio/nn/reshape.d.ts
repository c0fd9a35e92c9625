/** Reshaping, identity and upsampling. */

import type { InterpolationMode, Size2d, Tensor } from "../tensor";
import type * as nn from "./index";
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
export const Flatten: FlattenClass;
/** `nn.Flatten` is a factory and a class: `new nn.Flatten(...)` equals `nn.Flatten(...)`, and `class X extends nn.Flatten` reads its attributes and may override `forward`. */
export interface FlattenClass {
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
  (startDim?: number, endDim?: number): Flatten;
  /** The class form: `new nn.Flatten(...)`, or `super(...)` in a subclass. */
  new (startDim?: number, endDim?: number): Flatten;
  readonly prototype: Flatten;
}
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
export const Identity: IdentityClass;
/** `nn.Identity` is a factory and a class: `new nn.Identity(...)` equals `nn.Identity(...)`, and `class X extends nn.Identity` reads its attributes and may override `forward`. */
export interface IdentityClass {
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
  (...args: unknown[]): Identity;
  /** The class form: `new nn.Identity(...)`, or `super(...)` in a subclass. */
  new (...args: unknown[]): Identity;
  readonly prototype: Identity;
}
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
   * Another tensor's shape works too: `{ size: skip.shape.slice(-2) }`.
   */
  size: Size2d | readonly number[];
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
export const Upsample: UpsampleClass;
/** `nn.Upsample` is a factory and a class: `new nn.Upsample(...)` equals `nn.Upsample(...)`, and `class X extends nn.Upsample` reads its attributes and may override `forward`. */
export interface UpsampleClass {
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
  (opts: UpsampleOptions): Upsample;
  /** The class form: `new nn.Upsample(...)`, or `super(...)` in a subclass. */
  new (opts: UpsampleOptions): Upsample;
  readonly prototype: Upsample;
}
/** An upsampling module, made by {@link nn.Upsample}. */
export interface Upsample extends Module {
  readonly size: Size2d | null;
  readonly scaleFactor: number | readonly [number, number] | null;
  readonly mode: InterpolationMode;
  /** Resizes `input` (`[N, C, H, W]`). */
  forward(input: Tensor): Tensor;
}

/**
 * Unflattens one dimension into several, like `torch.nn.Unflatten`: the inverse of `nn.Flatten`.
 *
 * **Shape**: `[..., D, ...]` (at `dim`) → `[..., ...unflattenedSize, ...]`; the sizes multiply to
 * `D` (one may be `-1`, inferred). **Parameters**: none.
 *
 * @param dim the dimension to unflatten (negative counts from the end).
 * @param unflattenedSize the sizes it becomes.
 * @returns a callable `Unflatten` module.
 * @example
 * nn.Unflatten(1, [64, 7, 7]) // [N, 3136] → [N, 64, 7, 7]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Unflatten.html
 */
export const Unflatten: UnflattenClass;
/** `nn.Unflatten` is a factory and a class: `new nn.Unflatten(...)` equals `nn.Unflatten(...)`, and `class X extends nn.Unflatten` reads its attributes and may override `forward`. */
export interface UnflattenClass {
  /**
   * Unflattens one dimension into several, like `torch.nn.Unflatten`: the inverse of `nn.Flatten`.
   *
   * **Shape**: `[..., D, ...]` (at `dim`) → `[..., ...unflattenedSize, ...]`; the sizes multiply to
   * `D` (one may be `-1`, inferred). **Parameters**: none.
   *
   * @param dim the dimension to unflatten (negative counts from the end).
   * @param unflattenedSize the sizes it becomes.
   * @returns a callable `Unflatten` module.
   * @example
   * nn.Unflatten(1, [64, 7, 7]) // [N, 3136] → [N, 64, 7, 7]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Unflatten.html
   */
  (dim: number, unflattenedSize: readonly number[]): Unflatten;
  /** The class form: `new nn.Unflatten(...)`, or `super(...)` in a subclass. */
  new (dim: number, unflattenedSize: readonly number[]): Unflatten;
  readonly prototype: Unflatten;
}
/** An unflatten module, made by {@link nn.Unflatten}. */
export interface Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: readonly number[];
  /** `input` with dimension `dim` split into `unflattenedSize`. */
  forward(input: Tensor): Tensor;
}

/**
 * Sub-pixel rearrangement, like `torch.nn.PixelShuffle`: channel blocks of `r²` become `r × r`
 * pixel blocks (super-resolution, ESPCN).
 *
 * **Shape**: `[*, C·r², H, W]` → `[*, C, H·r, W·r]`. **Parameters**: none.
 *
 * @param upscaleFactor the factor `r`.
 * @returns a callable `PixelShuffle` module.
 * @example
 * nn.PixelShuffle(2) // [N, 64, 16, 16] → [N, 16, 32, 32]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.PixelShuffle.html
 */
export const PixelShuffle: PixelShuffleClass;
/** `nn.PixelShuffle` is a factory and a class: `new nn.PixelShuffle(...)` equals `nn.PixelShuffle(...)`, and `class X extends nn.PixelShuffle` reads its attributes and may override `forward`. */
export interface PixelShuffleClass {
  /**
   * Sub-pixel rearrangement, like `torch.nn.PixelShuffle`: channel blocks of `r²` become `r × r`
   * pixel blocks (super-resolution, ESPCN).
   *
   * **Shape**: `[*, C·r², H, W]` → `[*, C, H·r, W·r]`. **Parameters**: none.
   *
   * @param upscaleFactor the factor `r`.
   * @returns a callable `PixelShuffle` module.
   * @example
   * nn.PixelShuffle(2) // [N, 64, 16, 16] → [N, 16, 32, 32]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.PixelShuffle.html
   */
  (upscaleFactor: number): PixelShuffle;
  /** The class form: `new nn.PixelShuffle(...)`, or `super(...)` in a subclass. */
  new (upscaleFactor: number): PixelShuffle;
  readonly prototype: PixelShuffle;
}
/** A pixel-shuffle module, made by {@link nn.PixelShuffle}. */
export interface PixelShuffle extends Module {
  readonly upscaleFactor: number;
  /** `input` with channel blocks rearranged into pixel blocks. */
  forward(input: Tensor): Tensor;
}

/**
 * Zero padding of the last two dimensions, like `torch.nn.ZeroPad2d`.
 *
 * **Shape**: `[N, C, H, W]` → `[N, C, H + top + bottom, W + left + right]` (negative amounts
 * crop). **Parameters**: none.
 *
 * @param padding one amount for all four sides, or `[left, right, top, bottom]`.
 * @returns a callable `ZeroPad2d` module.
 * @example
 * nn.ZeroPad2d([0, 1, 0, 1]) // [N, 3, 224, 224] → [N, 3, 225, 225]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.ZeroPad2d.html
 */
export const ZeroPad2d: ZeroPad2dClass;
/** `nn.ZeroPad2d` is a factory and a class: `new nn.ZeroPad2d(...)` equals `nn.ZeroPad2d(...)`, and `class X extends nn.ZeroPad2d` reads its attributes and may override `forward`. */
export interface ZeroPad2dClass {
  /**
   * Zero padding of the last two dimensions, like `torch.nn.ZeroPad2d`.
   *
   * **Shape**: `[N, C, H, W]` → `[N, C, H + top + bottom, W + left + right]` (negative amounts
   * crop). **Parameters**: none.
   *
   * @param padding one amount for all four sides, or `[left, right, top, bottom]`.
   * @returns a callable `ZeroPad2d` module.
   * @example
   * nn.ZeroPad2d([0, 1, 0, 1]) // [N, 3, 224, 224] → [N, 3, 225, 225]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.ZeroPad2d.html
   */
  (padding: number | readonly [number, number, number, number]): ZeroPad2d;
  /** The class form: `new nn.ZeroPad2d(...)`, or `super(...)` in a subclass. */
  new (padding: number | readonly [number, number, number, number]): ZeroPad2d;
  readonly prototype: ZeroPad2d;
}
/** A zero-padding module, made by {@link nn.ZeroPad2d}. */
export interface ZeroPad2d extends Module {
  /** `[left, right, top, bottom]`. */
  readonly padding: readonly number[];
  /** `input` padded with zeros. */
  forward(input: Tensor): Tensor;
}
