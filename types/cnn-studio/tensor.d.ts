/** The `Tensor` type of the model language and the option types shared by modules and functions. */

// ────────────────────────────────────────────────────────────────────────────────────────────
// Shared option types
// ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A size over the two spatial axes: one number for both height and width, or `[height, width]`.
 * `3` is the same as `[3, 3]`.
 */
export type Size2d = number | readonly [number, number];

/**
 * Padding of a convolution: zeros added on **both** sides of each spatial axis (`[height, width]` or
 * one number for both), or
 * - `"valid"`: no padding (same as `0`);
 * - `"same"`: enough padding that the output keeps the input's height and width (stride must be 1).
 */
export type Conv2dPadding = Size2d | "same" | "valid";

/** Upsampling algorithms (shapes do not depend on the mode). */
export type InterpolationMode = "nearest" | "nearest-exact" | "bilinear" | "bicubic";


// ────────────────────────────────────────────────────────────────────────────────────────────
// Tensor
// ────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A tensor flowing through `forward`. CNN Studio tracks its **shape** (NCHW for images, e.g.
 * `[N, 3, 224, 224]`; the batch may be symbolic) — never its values.
 *
 * Arithmetic operators (`x + y`) do not apply to tensors: write `x.add(y)`, `x.mul(y)`,
 * `torch.add(x, y)` or `torch.mul(x, y)`.
 */
export interface Tensor {
  /**
   * The shape, e.g. `[N, 64, 56, 56]` (a symbolic batch reads as a number in the typings).
   * With `noUncheckedIndexedAccess`, `x.shape[1]` is `number | undefined`: prefer `x.size(1)`.
   */
  readonly shape: number[];
  /**
   * The size of one dimension.
   * @param dim the dimension; negative counts from the end (`-1` is the last).
   * @example
   * const n = x.size(0); x.view(n, -1)
   */
  size(dim: number): number;
  /** The whole shape, like `x.shape`. */
  size(): number[];
  /** Number of dimensions (`x.shape.length`). */
  dim(): number;
  /** Number of dimensions (`x.shape.length`). */
  readonly ndim: number;
  /**
   * Element-wise sum with broadcasting (PyTorch `x + y`), e.g. a residual connection
   * `out.add(identity)`. Shapes must be equal or broadcastable (aligned from the right, each pair
   * equal or one of them 1); the result has the broadcast shape.
   * @param other a tensor or a number.
   */
  add(other: Tensor | number): Tensor;
  /**
   * Element-wise product with broadcasting (PyTorch `x * y`), e.g. channel attention
   * `x.mul(scale)` with `scale: [N, C, 1, 1]`. The result has the broadcast shape.
   * @param other a tensor or a number.
   */
  mul(other: Tensor | number): Tensor;
  /** Element-wise difference with broadcasting (PyTorch `x - y`). @param other a tensor or a number. */
  sub(other: Tensor | number): Tensor;
  /** Element-wise quotient with broadcasting (PyTorch `x / y`). @param other a tensor or a number. */
  div(other: Tensor | number): Tensor;
  /**
   * Merges dimensions `startDim … endDim` into one whose size is their product.
   * Note the default `startDim` is `0` (like `torch.flatten`), unlike `nn.Flatten` (`1`):
   * to keep the batch write `x.flatten(1)`.
   * @param startDim first dimension to merge. Default: `0`.
   * @param endDim last dimension to merge (inclusive). Default: `-1`.
   * @example
   * x.flatten(1) // [N, 512, 7, 7] → [N, 25088]
   */
  flatten(startDim?: number, endDim?: number): Tensor;
  /**
   * The same elements with another shape; the element count must not change. One size may be `-1`:
   * it is inferred from the others.
   * @param shape the new sizes.
   * @example
   * x.view(x.size(0), -1) // [N, 256, 6, 6] → [N, 9216]
   */
  view(...shape: number[]): Tensor;
  /**
   * The same elements with another shape, like {@link Tensor.view}; one size may be `-1`.
   * @param shape the new sizes.
   * @example
   * x.reshape(n, groups, c / groups, h, w) // channel shuffle
   */
  reshape(...shape: number[]): Tensor;
  /**
   * Mean over the given dimensions.
   * @param dims one dimension or several, e.g. `[2, 3]` for global average pooling.
   * @param keepdim keep the reduced dimensions with size 1. Default: `false`.
   * @example
   * x.mean([2, 3])       // [N, C, H, W] → [N, C]
   * x.mean([2, 3], true) // [N, C, H, W] → [N, C, 1, 1]
   */
  mean(dims: number | number[], keepdim?: boolean): Tensor;
  /** `max(0, x)` element-wise; same shape. */
  relu(): Tensor;
  /** `1 / (1 + exp(−x))` element-wise; same shape. */
  sigmoid(): Tensor;
  /** `tanh(x)` element-wise; same shape. */
  tanh(): Tensor;
  /** The same tensor (memory layout is not modelled); same shape. */
  contiguous(): Tensor;
  // ---- language: in-place initialisers (set the initial values of a parameter or buffer) ----
  /**
   * Fills the tensor with values from N(mean, std²) in place, like PyTorch's `normal_`.
   * @param mean Default: `0`.
   * @param std Default: `1`.
   * @returns this tensor.
   * @example
   * this.posEmbedding = nn.Parameter(torch.empty(1, 197, 768).normal_(0, 0.02));
   */
  normal_(mean?: number, std?: number): Tensor;
  /**
   * Fills the tensor with values from U(from, to) in place, like PyTorch's `uniform_`.
   * @param from Default: `0`.
   * @param to Default: `1`.
   * @returns this tensor.
   */
  uniform_(from?: number, to?: number): Tensor;
  /** Fills the tensor with zeros in place. @returns this tensor. */
  zero_(): Tensor;
  /** Fills the tensor with `value` in place. @param value the value. @returns this tensor. */
  fill_(value: number): Tensor;
  /**
   * Fills the tensor with values from N(mean, std²) redrawn until inside [a, b] (absolute bounds),
   * like `nn.init.trunc_normal_`.
   * @param mean Default: `0`.
   * @param std Default: `1`.
   * @param a Default: `-2`.
   * @param b Default: `2`.
   * @returns this tensor.
   */
  truncNormal_(mean?: number, std?: number, a?: number, b?: number): Tensor;
  // ---- end language ----
}
