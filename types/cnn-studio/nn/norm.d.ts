/** Normalisation and dropout. */

import type { Tensor } from "../tensor";
import type * as nn from "./index";
import type { Module, RunningStats, WeightAndBias } from "./index";

// ── Normalisation ───────────────────────────────────────────────────────────────────────

/** Options of {@link nn.BatchNorm2d} and {@link nn.BatchNorm1d}. */
export interface BatchNormOptions {
  /**
   * Added to the variance for numerical stability.
   * @defaultValue 1e-5
   */
  eps?: number;
  /**
   * Weight of the current batch in the running mean and variance.
   * @defaultValue 0.1
   */
  momentum?: number;
  /**
   * Whether to learn a per-channel scale γ and shift β (`2 · numFeatures` parameters).
   * @defaultValue true
   */
  affine?: boolean;
  /**
   * Whether to keep running statistics (buffers `runningMean`, `runningVar`: `numFeatures` each,
   * and `numBatchesTracked`: 1).
   * @defaultValue true
   */
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over a 4-D input, like `torch.nn.BatchNorm2d`: per channel,
 * `y = (x − E[x]) / sqrt(Var[x] + eps) · γ + β`, with statistics over `N, H, W` (training) or the
 * running statistics (evaluation).
 *
 * **Shape**: `[N, C, H, W]` → same, with `C = numFeatures`.
 *
 * **Parameters**: `2 · numFeatures` (γ and β) when `affine`. The running mean and variance
 * (`2 · numFeatures`) and the batch counter (1) are **buffers**, not parameters — as in PyTorch.
 *
 * @param numFeatures number of channels `C` of the input.
 * @param opts `eps` (1e-5), `momentum` (0.1), `affine` (true), `trackRunningStats` (true).
 * @returns a callable `BatchNorm2d` module.
 * @example
 * nn.BatchNorm2d(64) // [N, 64, 56, 56] → [N, 64, 56, 56]; 128 params, 129 buffer elements
 * @see https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
 */
export const BatchNorm2d: BatchNorm2dClass;
/** `nn.BatchNorm2d` is a factory and a class: `new nn.BatchNorm2d(...)` equals `nn.BatchNorm2d(...)`, and `class X extends nn.BatchNorm2d` reads its attributes and may override `forward`. */
export interface BatchNorm2dClass {
  /**
   * Batch normalisation over a 4-D input, like `torch.nn.BatchNorm2d`: per channel,
   * `y = (x − E[x]) / sqrt(Var[x] + eps) · γ + β`, with statistics over `N, H, W` (training) or the
   * running statistics (evaluation).
   *
   * **Shape**: `[N, C, H, W]` → same, with `C = numFeatures`.
   *
   * **Parameters**: `2 · numFeatures` (γ and β) when `affine`. The running mean and variance
   * (`2 · numFeatures`) and the batch counter (1) are **buffers**, not parameters — as in PyTorch.
   *
   * @param numFeatures number of channels `C` of the input.
   * @param opts `eps` (1e-5), `momentum` (0.1), `affine` (true), `trackRunningStats` (true).
   * @returns a callable `BatchNorm2d` module.
   * @example
   * nn.BatchNorm2d(64) // [N, 64, 56, 56] → [N, 64, 56, 56]; 128 params, 129 buffer elements
   * @see https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
   */
  (numFeatures: number, opts?: BatchNormOptions): BatchNorm2d;
  /** The class form: `new nn.BatchNorm2d(...)`, or `super(...)` in a subclass. */
  new (numFeatures: number, opts?: BatchNormOptions): BatchNorm2d;
  readonly prototype: BatchNorm2d;
}
/** A 2-D batch-normalisation module, made by {@link nn.BatchNorm2d}. */
export interface BatchNorm2d extends Module, WeightAndBias, RunningStats {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  /** Normalises `input` (`[N, numFeatures, H, W]`). */
  forward(input: Tensor): Tensor;
}

/**
 * Batch normalisation over a 2-D or 3-D input, like `torch.nn.BatchNorm1d`: per feature,
 * `y = (x − E[x]) / sqrt(Var[x] + eps) · γ + β`.
 *
 * **Shape**: `[N, C]` or `[N, C, L]` → same, with `C = numFeatures`.
 *
 * **Parameters**: `2 · numFeatures` when `affine`; running statistics are buffers.
 *
 * @param numFeatures number of features / channels `C` of the input.
 * @param opts `eps` (1e-5), `momentum` (0.1), `affine` (true), `trackRunningStats` (true).
 * @returns a callable `BatchNorm1d` module.
 * @example
 * nn.Sequential(nn.Linear(512, 256), nn.BatchNorm1d(256), nn.ReLU())
 * @see https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
 */
export const BatchNorm1d: BatchNorm1dClass;
/** `nn.BatchNorm1d` is a factory and a class: `new nn.BatchNorm1d(...)` equals `nn.BatchNorm1d(...)`, and `class X extends nn.BatchNorm1d` reads its attributes and may override `forward`. */
export interface BatchNorm1dClass {
  /**
   * Batch normalisation over a 2-D or 3-D input, like `torch.nn.BatchNorm1d`: per feature,
   * `y = (x − E[x]) / sqrt(Var[x] + eps) · γ + β`.
   *
   * **Shape**: `[N, C]` or `[N, C, L]` → same, with `C = numFeatures`.
   *
   * **Parameters**: `2 · numFeatures` when `affine`; running statistics are buffers.
   *
   * @param numFeatures number of features / channels `C` of the input.
   * @param opts `eps` (1e-5), `momentum` (0.1), `affine` (true), `trackRunningStats` (true).
   * @returns a callable `BatchNorm1d` module.
   * @example
   * nn.Sequential(nn.Linear(512, 256), nn.BatchNorm1d(256), nn.ReLU())
   * @see https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
   */
  (numFeatures: number, opts?: BatchNormOptions): BatchNorm1d;
  /** The class form: `new nn.BatchNorm1d(...)`, or `super(...)` in a subclass. */
  new (numFeatures: number, opts?: BatchNormOptions): BatchNorm1d;
  readonly prototype: BatchNorm1d;
}
/** A 1-D batch-normalisation module, made by {@link nn.BatchNorm1d}. */
export interface BatchNorm1d extends Module, WeightAndBias, RunningStats {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  /** Normalises `input` (`[N, numFeatures]` or `[N, numFeatures, L]`). */
  forward(input: Tensor): Tensor;
}

/** Options of {@link nn.LocalResponseNorm}. */
export interface LocalResponseNormOptions {
  /**
   * Multiplicative factor.
   * @defaultValue 1e-4
   */
  alpha?: number;
  /**
   * Exponent.
   * @defaultValue 0.75
   */
  beta?: number;
  /**
   * Additive factor.
   * @defaultValue 1
   */
  k?: number;
}

/**
 * Local response normalisation across channels, like `torch.nn.LocalResponseNorm` (AlexNet):
 * `b_c = a_c · (k + alpha / size · Σ a_c'²)^(−beta)`, the sum over the `size` channels around `c`.
 *
 * **Shape**: `[N, C, H, W]` → same. **Parameters**: none.
 *
 * @param size number of neighbouring channels used for normalisation.
 * @param opts `alpha` (1e-4), `beta` (0.75), `k` (1).
 * @returns a callable `LocalResponseNorm` module.
 * @example
 * nn.LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 2 }) // AlexNet (2012)
 * @see https://pytorch.org/docs/stable/generated/torch.nn.LocalResponseNorm.html
 */
export const LocalResponseNorm: LocalResponseNormClass;
/** `nn.LocalResponseNorm` is a factory and a class: `new nn.LocalResponseNorm(...)` equals `nn.LocalResponseNorm(...)`, and `class X extends nn.LocalResponseNorm` reads its attributes and may override `forward`. */
export interface LocalResponseNormClass {
  /**
   * Local response normalisation across channels, like `torch.nn.LocalResponseNorm` (AlexNet):
   * `b_c = a_c · (k + alpha / size · Σ a_c'²)^(−beta)`, the sum over the `size` channels around `c`.
   *
   * **Shape**: `[N, C, H, W]` → same. **Parameters**: none.
   *
   * @param size number of neighbouring channels used for normalisation.
   * @param opts `alpha` (1e-4), `beta` (0.75), `k` (1).
   * @returns a callable `LocalResponseNorm` module.
   * @example
   * nn.LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 2 }) // AlexNet (2012)
   * @see https://pytorch.org/docs/stable/generated/torch.nn.LocalResponseNorm.html
   */
  (size: number, opts?: LocalResponseNormOptions): LocalResponseNorm;
  /** The class form: `new nn.LocalResponseNorm(...)`, or `super(...)` in a subclass. */
  new (size: number, opts?: LocalResponseNormOptions): LocalResponseNorm;
  readonly prototype: LocalResponseNorm;
}
/** A local-response-normalisation module, made by {@link nn.LocalResponseNorm}. */
export interface LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  /** Normalises `input` (`[N, C, H, W]`). */
  forward(input: Tensor): Tensor;
}

// ── Dropout ─────────────────────────────────────────────────────────────────────────────

/** The `inplace` option, accepted wherever PyTorch has it and ignored by the analysis. */
export interface InplaceOptions {
  /**
   * Overwrite the input instead of allocating the output (PyTorch's memory optimisation). Accepted
   * and ignored: it changes neither shapes nor parameters.
   * @defaultValue false
   */
  inplace?: boolean;
}

/**
 * Dropout, like `torch.nn.Dropout`: in training, zeroes each element with probability `p` and
 * scales the others by `1 / (1 − p)`; in evaluation (what CNN Studio analyses) it is the identity.
 *
 * **Shape**: unchanged. **Parameters**: none.
 *
 * @param p probability of an element being zeroed, in `[0, 1]`. Default: `0.5`.
 * @param opts `inplace` (false, ignored).
 * @returns a callable `Dropout` module.
 * @example
 * nn.Sequential(nn.Dropout(), nn.Linear(9216, 4096), nn.ReLU({ inplace: true })) // AlexNet classifier
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html
 */
export const Dropout: DropoutClass;
/** `nn.Dropout` is a factory and a class: `new nn.Dropout(...)` equals `nn.Dropout(...)`, and `class X extends nn.Dropout` reads its attributes and may override `forward`. */
export interface DropoutClass {
  /**
   * Dropout, like `torch.nn.Dropout`: in training, zeroes each element with probability `p` and
   * scales the others by `1 / (1 − p)`; in evaluation (what CNN Studio analyses) it is the identity.
   *
   * **Shape**: unchanged. **Parameters**: none.
   *
   * @param p probability of an element being zeroed, in `[0, 1]`. Default: `0.5`.
   * @param opts `inplace` (false, ignored).
   * @returns a callable `Dropout` module.
   * @example
   * nn.Sequential(nn.Dropout(), nn.Linear(9216, 4096), nn.ReLU({ inplace: true })) // AlexNet classifier
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html
   */
  (p?: number, opts?: InplaceOptions): Dropout;
  /** The class form: `new nn.Dropout(...)`, or `super(...)` in a subclass. */
  new (p?: number, opts?: InplaceOptions): Dropout;
  readonly prototype: Dropout;
}
/** A dropout module, made by {@link nn.Dropout}. */
export interface Dropout extends Module {
  readonly p: number;
  /** Applies dropout to `input` (identity in evaluation mode). */
  forward(input: Tensor): Tensor;
}

/**
 * Channel dropout, like `torch.nn.Dropout2d`: in training, zeroes **whole channels** with
 * probability `p` (scaling the others by `1 / (1 − p)`); the identity in evaluation.
 *
 * **Shape**: `[N, C, H, W]` → same. **Parameters**: none.
 *
 * @param p probability of a channel being zeroed, in `[0, 1]`. Default: `0.5`.
 * @param opts `inplace` (false, ignored).
 * @returns a callable `Dropout2d` module.
 * @example
 * nn.Dropout2d(0.2)
 * @see https://pytorch.org/docs/stable/generated/torch.nn.Dropout2d.html
 */
export const Dropout2d: Dropout2dClass;
/** `nn.Dropout2d` is a factory and a class: `new nn.Dropout2d(...)` equals `nn.Dropout2d(...)`, and `class X extends nn.Dropout2d` reads its attributes and may override `forward`. */
export interface Dropout2dClass {
  /**
   * Channel dropout, like `torch.nn.Dropout2d`: in training, zeroes **whole channels** with
   * probability `p` (scaling the others by `1 / (1 − p)`); the identity in evaluation.
   *
   * **Shape**: `[N, C, H, W]` → same. **Parameters**: none.
   *
   * @param p probability of a channel being zeroed, in `[0, 1]`. Default: `0.5`.
   * @param opts `inplace` (false, ignored).
   * @returns a callable `Dropout2d` module.
   * @example
   * nn.Dropout2d(0.2)
   * @see https://pytorch.org/docs/stable/generated/torch.nn.Dropout2d.html
   */
  (p?: number, opts?: InplaceOptions): Dropout2d;
  /** The class form: `new nn.Dropout2d(...)`, or `super(...)` in a subclass. */
  new (p?: number, opts?: InplaceOptions): Dropout2d;
  readonly prototype: Dropout2d;
}
/** A channel-dropout module, made by {@link nn.Dropout2d}. */
export interface Dropout2d extends Module {
  readonly p: number;
  /** Applies channel dropout to `input` (identity in evaluation mode). */
  forward(input: Tensor): Tensor;
}

/** Options of {@link nn.LayerNorm}. */
export interface LayerNormOptions {
  /**
   * Added to the variance for numerical stability.
   * @defaultValue 1e-5
   */
  eps?: number;
  /**
   * Whether to learn a scale (and a shift, see `bias`) of shape `normalizedShape`.
   * @defaultValue true
   */
  elementwiseAffine?: boolean;
  /**
   * Whether the affine part has a shift β (PyTorch 2.1's `bias`).
   * @defaultValue true
   */
  bias?: boolean;
}

/**
 * Layer normalisation, like `torch.nn.LayerNorm`: over the last dimensions (those of
 * `normalizedShape`), `y = (x − E[x]) / sqrt(Var[x] + eps) · γ + β`, per sample.
 *
 * **Shape**: `[*, ...normalizedShape]` → same.
 *
 * **Parameters**: `2 · prod(normalizedShape)` when `elementwiseAffine` (γ, and β when `bias`).
 *
 * @param normalizedShape the trailing dimensions to normalise over: a number (the last
 *   dimension) or a list of them.
 * @param opts `eps` (1e-5), `elementwiseAffine` (true), `bias` (true).
 * @returns a callable `LayerNorm` module.
 * @example
 * nn.LayerNorm(768) // [N, 197, 768] → [N, 197, 768]; 1,536 params
 * @see https://pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html
 */
export const LayerNorm: LayerNormClass;
/** `nn.LayerNorm` is a factory and a class: `new nn.LayerNorm(...)` equals `nn.LayerNorm(...)`, and `class X extends nn.LayerNorm` reads its attributes. */
export interface LayerNormClass {
  /**
   * Layer normalisation, like `torch.nn.LayerNorm`: over the last dimensions (those of
   * `normalizedShape`), `y = (x − E[x]) / sqrt(Var[x] + eps) · γ + β`, per sample.
   *
   * **Shape**: `[*, ...normalizedShape]` → same.
   *
   * **Parameters**: `2 · prod(normalizedShape)` when `elementwiseAffine` (γ, and β when `bias`).
   *
   * @param normalizedShape the trailing dimensions to normalise over: a number (the last
   *   dimension) or a list of them.
   * @param opts `eps` (1e-5), `elementwiseAffine` (true), `bias` (true).
   * @returns a callable `LayerNorm` module.
   * @example
   * nn.LayerNorm(768) // [N, 197, 768] → [N, 197, 768]; 1,536 params
   * @see https://pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html
   */
  (normalizedShape: number | readonly number[], opts?: LayerNormOptions): LayerNorm;
  /** The class form: `new nn.LayerNorm(...)`, or `super(...)` in a subclass. */
  new (normalizedShape: number | readonly number[], opts?: LayerNormOptions): LayerNorm;
  readonly prototype: LayerNorm;
}
/** A layer-normalisation module, made by {@link nn.LayerNorm}. */
export interface LayerNorm extends Module, WeightAndBias {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  /** Normalises `input` (`[*, ...normalizedShape]`) over its last dimensions. */
  forward(input: Tensor): Tensor;
}

/** Options of {@link nn.GroupNorm}. */
export interface GroupNormOptions {
  /**
   * Added to the variance for numerical stability.
   * @defaultValue 1e-5
   */
  eps?: number;
  /**
   * Whether to learn a per-channel scale γ and shift β (`2 · numChannels` parameters).
   * @defaultValue true
   */
  affine?: boolean;
}

/**
 * Group normalisation, like `torch.nn.GroupNorm`: the channels are split into `numGroups`
 * groups, each normalised per sample over its channels and positions; then a per-channel γ, β.
 *
 * **Shape**: `[N, C, *]` → same, with `C = numChannels`.
 *
 * **Parameters**: `2 · numChannels` when `affine`.
 *
 * @param numGroups number of groups; must divide `numChannels`.
 * @param numChannels number of channels `C` of the input.
 * @param opts `eps` (1e-5), `affine` (true).
 * @returns a callable `GroupNorm` module.
 * @example
 * nn.GroupNorm(32, 256) // [N, 256, 14, 14] → same; 512 params
 * @see https://pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html
 */
export const GroupNorm: GroupNormClass;
/** `nn.GroupNorm` is a factory and a class: `new nn.GroupNorm(...)` equals `nn.GroupNorm(...)`, and `class X extends nn.GroupNorm` reads its attributes and may override `forward`. */
export interface GroupNormClass {
  /**
   * Group normalisation, like `torch.nn.GroupNorm`: the channels are split into `numGroups`
   * groups, each normalised per sample over its channels and positions; then a per-channel γ, β.
   *
   * **Shape**: `[N, C, *]` → same, with `C = numChannels`.
   *
   * **Parameters**: `2 · numChannels` when `affine`.
   *
   * @param numGroups number of groups; must divide `numChannels`.
   * @param numChannels number of channels `C` of the input.
   * @param opts `eps` (1e-5), `affine` (true).
   * @returns a callable `GroupNorm` module.
   * @example
   * nn.GroupNorm(32, 256) // [N, 256, 14, 14] → same; 512 params
   * @see https://pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html
   */
  (numGroups: number, numChannels: number, opts?: GroupNormOptions): GroupNorm;
  /** The class form: `new nn.GroupNorm(...)`, or `super(...)` in a subclass. */
  new (numGroups: number, numChannels: number, opts?: GroupNormOptions): GroupNorm;
  readonly prototype: GroupNorm;
}
/** A group-normalisation module, made by {@link nn.GroupNorm}. */
export interface GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  /** Normalises `input` (`[N, numChannels, *]`). */
  forward(input: Tensor): Tensor;
}
