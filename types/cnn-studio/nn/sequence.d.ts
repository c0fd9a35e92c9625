/** Sequences: 1-D convolutions and pools over `[N, C, L]`, and embeddings of token indices. */

import type { Tensor } from "../tensor";
import type * as nn from "./index";
import type { Module } from "./index";

/** Options of {@link nn.Conv1d} (PyTorch's keyword arguments, camelCase). */
export interface Conv1dOptions {
  /**
   * Step of the kernel along the sequence.
   * @defaultValue 1
   */
  stride?: number;
  /**
   * Zeros added on both ends: a number, `"valid"` (none) or `"same"` (output keeps the input's
   * length; requires stride 1).
   * @defaultValue 0
   */
  padding?: number | "same" | "valid";
  /**
   * Spacing between kernel elements.
   * @defaultValue 1
   */
  dilation?: number;
  /**
   * Number of blocked connections from input to output channels: `inChannels` and `outChannels`
   * must both be divisible by it.
   * @defaultValue 1
   */
  groups?: number;
  /**
   * Whether to add a learnable bias (`outChannels` parameters).
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
 * 1-D convolution over a sequence of several channels, like `torch.nn.Conv1d`.
 *
 * **Shape**: `[N, inChannels, L_in]` → `[N, outChannels, L_out]` with
 * ```text
 * L_out = floor((L_in + 2·padding − dilation·(kernelSize − 1) − 1) / stride + 1)
 * ```
 *
 * **Parameters**: `outChannels · (inChannels / groups) · kernelSize` weights `+ outChannels`
 * biases (when `bias`).
 *
 * **MACs**: `N · outChannels · L_out · (inChannels / groups) · kernelSize`.
 *
 * @param inChannels number of channels of the input; must be divisible by `groups`.
 * @param outChannels number of channels produced; must be divisible by `groups`.
 * @param kernelSize length of the kernel.
 * @param opts `stride` (1), `padding` (0, `"same"`, `"valid"`), `dilation` (1), `groups` (1),
 *   `bias` (true), `paddingMode` ("zeros").
 * @returns a callable `Conv1d` module.
 * @example
 * nn.Conv1d(16, 32, 3, { padding: 1 }) // [N, 16, 100] → [N, 32, 100]; 1,568 params
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Conv1d.html
 */
export const Conv1d: Conv1dClass;
/** `nn.Conv1d` is a factory and a class: `new nn.Conv1d(...)` equals `nn.Conv1d(...)`, and `class X extends nn.Conv1d` reads its attributes and may override `forward`. */
export interface Conv1dClass {
  /**
   * 1-D convolution over a sequence of several channels, like `torch.nn.Conv1d`.
   *
   * **Shape**: `[N, inChannels, L_in]` → `[N, outChannels, L_out]` with
   * ```text
   * L_out = floor((L_in + 2·padding − dilation·(kernelSize − 1) − 1) / stride + 1)
   * ```
   *
   * **Parameters**: `outChannels · (inChannels / groups) · kernelSize` weights `+ outChannels`
   * biases (when `bias`).
   *
   * **MACs**: `N · outChannels · L_out · (inChannels / groups) · kernelSize`.
   *
   * @param inChannels number of channels of the input; must be divisible by `groups`.
   * @param outChannels number of channels produced; must be divisible by `groups`.
   * @param kernelSize length of the kernel.
   * @param opts `stride` (1), `padding` (0, `"same"`, `"valid"`), `dilation` (1), `groups` (1),
   *   `bias` (true), `paddingMode` ("zeros").
   * @returns a callable `Conv1d` module.
   * @example
   * nn.Conv1d(16, 32, 3, { padding: 1 }) // [N, 16, 100] → [N, 32, 100]; 1,568 params
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Conv1d.html
   */
  (inChannels: number, outChannels: number, kernelSize: number, opts?: Conv1dOptions): Conv1d;
  /** The class form: `new nn.Conv1d(...)`, or `super(...)` in a subclass. */
  new (inChannels: number, outChannels: number, kernelSize: number, opts?: Conv1dOptions): Conv1d;
  readonly prototype: Conv1d;
}
/** A 1-D convolution module, made by {@link nn.Conv1d}. */
export interface Conv1d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly groups: number;
  /** Convolves `input` (`[N, inChannels, L]`). */
  forward(input: Tensor): Tensor;
}

/** Options of {@link nn.MaxPool1d}. */
export interface MaxPool1dOptions {
  /**
   * Step of the window.
   * @defaultValue kernelSize
   */
  stride?: number;
  /**
   * Implicit `−∞` padding on both ends; at most half the kernel size.
   * @defaultValue 0
   */
  padding?: number;
  /**
   * Spacing between window elements.
   * @defaultValue 1
   */
  dilation?: number;
  /**
   * PyTorch's `return_indices`: only `false` (the indices of the maxima are not modelled).
   * @defaultValue false
   */
  returnIndices?: false;
  /**
   * Use `ceil` instead of `floor` in the output-length formula.
   * @defaultValue false
   */
  ceilMode?: boolean;
}

/**
 * 1-D max pooling, like `torch.nn.MaxPool1d`: the maximum over each window, per channel.
 *
 * **Shape**: `[N, C, L_in]` → `[N, C, L_out]`,
 * `L_out = floor((L_in + 2·padding − dilation·(kernelSize − 1) − 1) / stride + 1)`.
 *
 * **Parameters**: none.
 *
 * @param kernelSize length of the window.
 * @param opts `stride` (kernelSize), `padding` (0), `dilation` (1), `returnIndices` (false), `ceilMode` (false).
 * @returns a callable `MaxPool1d` module.
 * @example
 * nn.MaxPool1d(2) // [N, 32, 100] → [N, 32, 50]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.MaxPool1d.html
 */
export const MaxPool1d: MaxPool1dClass;
/** `nn.MaxPool1d` is a factory and a class: `new nn.MaxPool1d(...)` equals `nn.MaxPool1d(...)`, and `class X extends nn.MaxPool1d` reads its attributes and may override `forward`. */
export interface MaxPool1dClass {
  /**
   * 1-D max pooling, like `torch.nn.MaxPool1d`: the maximum over each window, per channel.
   *
   * **Shape**: `[N, C, L_in]` → `[N, C, L_out]`,
   * `L_out = floor((L_in + 2·padding − dilation·(kernelSize − 1) − 1) / stride + 1)`.
   *
   * **Parameters**: none.
   *
   * @param kernelSize length of the window.
   * @param opts `stride` (kernelSize), `padding` (0), `dilation` (1), `returnIndices` (false), `ceilMode` (false).
   * @returns a callable `MaxPool1d` module.
   * @example
   * nn.MaxPool1d(2) // [N, 32, 100] → [N, 32, 50]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.MaxPool1d.html
   */
  (kernelSize: number, opts?: MaxPool1dOptions): MaxPool1d;
  /** The class form: `new nn.MaxPool1d(...)`, or `super(...)` in a subclass. */
  new (kernelSize: number, opts?: MaxPool1dOptions): MaxPool1d;
  readonly prototype: MaxPool1d;
}
/** A 1-D max-pooling module, made by {@link nn.MaxPool1d}. */
export interface MaxPool1d extends Module {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly ceilMode: boolean;
  /** Max-pools `input` (`[N, C, L]`). */
  forward(input: Tensor): Tensor;
}

/** Options of {@link nn.AvgPool1d}. */
export interface AvgPool1dOptions {
  /**
   * Step of the window.
   * @defaultValue kernelSize
   */
  stride?: number;
  /**
   * Implicit zero padding on both ends; at most half the kernel size.
   * @defaultValue 0
   */
  padding?: number;
  /**
   * Use `ceil` instead of `floor` in the output-length formula.
   * @defaultValue false
   */
  ceilMode?: boolean;
  /**
   * Whether the zero padding counts in the average's divisor.
   * @defaultValue true
   */
  countIncludePad?: boolean;
}

/**
 * 1-D average pooling, like `torch.nn.AvgPool1d`: the mean over each window, per channel.
 *
 * **Shape**: `[N, C, L_in]` → `[N, C, L_out]`, `L_out = floor((L_in + 2·padding − kernelSize) / stride + 1)`.
 *
 * **Parameters**: none.
 *
 * @param kernelSize length of the window.
 * @param opts `stride` (kernelSize), `padding` (0), `ceilMode` (false), `countIncludePad` (true).
 * @returns a callable `AvgPool1d` module.
 * @example
 * nn.AvgPool1d(3, { stride: 2, padding: 1 }) // [N, 8, 100] → [N, 8, 50]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.AvgPool1d.html
 */
export const AvgPool1d: AvgPool1dClass;
/** `nn.AvgPool1d` is a factory and a class: `new nn.AvgPool1d(...)` equals `nn.AvgPool1d(...)`, and `class X extends nn.AvgPool1d` reads its attributes and may override `forward`. */
export interface AvgPool1dClass {
  /**
   * 1-D average pooling, like `torch.nn.AvgPool1d`: the mean over each window, per channel.
   *
   * **Shape**: `[N, C, L_in]` → `[N, C, L_out]`, `L_out = floor((L_in + 2·padding − kernelSize) / stride + 1)`.
   *
   * **Parameters**: none.
   *
   * @param kernelSize length of the window.
   * @param opts `stride` (kernelSize), `padding` (0), `ceilMode` (false), `countIncludePad` (true).
   * @returns a callable `AvgPool1d` module.
   * @example
   * nn.AvgPool1d(3, { stride: 2, padding: 1 }) // [N, 8, 100] → [N, 8, 50]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.AvgPool1d.html
   */
  (kernelSize: number, opts?: AvgPool1dOptions): AvgPool1d;
  /** The class form: `new nn.AvgPool1d(...)`, or `super(...)` in a subclass. */
  new (kernelSize: number, opts?: AvgPool1dOptions): AvgPool1d;
  readonly prototype: AvgPool1d;
}
/** A 1-D average-pooling module, made by {@link nn.AvgPool1d}. */
export interface AvgPool1d extends Module {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  /** Average-pools `input` (`[N, C, L]`). */
  forward(input: Tensor): Tensor;
}

/**
 * 1-D adaptive average pooling, like `torch.nn.AdaptiveAvgPool1d`: output length `outputSize`
 * whatever the input's, with PyTorch's windows `[floor(i·L/O), ceil((i+1)·L/O))`.
 *
 * **Shape**: `[N, C, L]` → `[N, C, outputSize]`. **Parameters**: none.
 *
 * @param outputSize the output length.
 * @returns a callable `AdaptiveAvgPool1d` module.
 * @example
 * nn.AdaptiveAvgPool1d(1) // [N, 64, 37] → [N, 64, 1]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveAvgPool1d.html
 */
export const AdaptiveAvgPool1d: AdaptiveAvgPool1dClass;
/** `nn.AdaptiveAvgPool1d` is a factory and a class: `new nn.AdaptiveAvgPool1d(...)` equals `nn.AdaptiveAvgPool1d(...)`, and `class X extends nn.AdaptiveAvgPool1d` reads its attributes and may override `forward`. */
export interface AdaptiveAvgPool1dClass {
  /**
   * 1-D adaptive average pooling, like `torch.nn.AdaptiveAvgPool1d`: output length `outputSize`
   * whatever the input's, with PyTorch's windows `[floor(i·L/O), ceil((i+1)·L/O))`.
   *
   * **Shape**: `[N, C, L]` → `[N, C, outputSize]`. **Parameters**: none.
   *
   * @param outputSize the output length.
   * @returns a callable `AdaptiveAvgPool1d` module.
   * @example
   * nn.AdaptiveAvgPool1d(1) // [N, 64, 37] → [N, 64, 1]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.AdaptiveAvgPool1d.html
   */
  (outputSize: number): AdaptiveAvgPool1d;
  /** The class form: `new nn.AdaptiveAvgPool1d(...)`, or `super(...)` in a subclass. */
  new (outputSize: number): AdaptiveAvgPool1d;
  readonly prototype: AdaptiveAvgPool1d;
}
/** A 1-D adaptive average-pooling module, made by {@link nn.AdaptiveAvgPool1d}. */
export interface AdaptiveAvgPool1d extends Module {
  readonly outputSize: number;
  /** Pools `input` (`[N, C, L]`) to `[N, C, outputSize]`. */
  forward(input: Tensor): Tensor;
}

/** Options of {@link nn.Embedding}. */
export interface EmbeddingOptions {
  /**
   * A row (negative counts from the end) that stays zero and receives no gradient: padding tokens.
   * @defaultValue null
   */
  paddingIdx?: number | null;
}

/**
 * A lookup table, like `torch.nn.Embedding`: each integer index of the input selects a row of
 * `embeddingDim` learned values (initialised from N(0, 1)).
 *
 * **Shape**: integer indices of any shape `[*]` → `[*, embeddingDim]`.
 *
 * **Parameters**: `numEmbeddings · embeddingDim`.
 *
 * @param numEmbeddings the size of the dictionary (indices are `0 … numEmbeddings − 1`).
 * @param embeddingDim the length of each row.
 * @param opts `paddingIdx` (null).
 * @returns a callable `Embedding` module.
 * @example
 * nn.Embedding(10000, 256) // [N, 32] → [N, 32, 256]; 2,560,000 params
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Embedding.html
 */
export const Embedding: EmbeddingClass;
/** `nn.Embedding` is a factory and a class: `new nn.Embedding(...)` equals `nn.Embedding(...)`, and `class X extends nn.Embedding` reads its attributes and may override `forward`. */
export interface EmbeddingClass {
  /**
   * A lookup table, like `torch.nn.Embedding`: each integer index of the input selects a row of
   * `embeddingDim` learned values (initialised from N(0, 1)).
   *
   * **Shape**: integer indices of any shape `[*]` → `[*, embeddingDim]`.
   *
   * **Parameters**: `numEmbeddings · embeddingDim`.
   *
   * @param numEmbeddings the size of the dictionary (indices are `0 … numEmbeddings − 1`).
   * @param embeddingDim the length of each row.
   * @param opts `paddingIdx` (null).
   * @returns a callable `Embedding` module.
   * @example
   * nn.Embedding(10000, 256) // [N, 32] → [N, 32, 256]; 2,560,000 params
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Embedding.html
   */
  (numEmbeddings: number, embeddingDim: number, opts?: EmbeddingOptions): Embedding;
  /** The class form: `new nn.Embedding(...)`, or `super(...)` in a subclass. */
  new (numEmbeddings: number, embeddingDim: number, opts?: EmbeddingOptions): Embedding;
  readonly prototype: Embedding;
}
/** An embedding module, made by {@link nn.Embedding}. */
export interface Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  /** The rows of `input`'s indices. */
  forward(input: Tensor): Tensor;
}
