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
  // ---- tensorops: tensor operations of version 2 ----
  /**
   * The dimensions in a new order, like `torch.permute`: `x.permute(0, 2, 3, 1)` of `[N, C, H, W]` is `[N, H, W, C]`.
   * @param dims every dimension once.
   */
  permute(...dims: number[]): Tensor;
  /** As `permute(...dims)`, the dimensions as one list. @param dims every dimension once. */
  permute(dims: readonly number[]): Tensor;
  /** Swaps two dimensions, like `torch.transpose`. @param dim0 a dimension. @param dim1 another. */
  transpose(dim0: number, dim1: number): Tensor;
  /** Transposes a tensor of at most 2 dimensions, like `torch.t`. */
  t(): Tensor;
  /** Inserts a dimension of size 1 at `dim` (from `-rank-1` to `rank`). @param dim where. */
  unsqueeze(dim: number): Tensor;
  /** Removes dimensions of size 1: all of them, or those of `dim` that are 1. @param dim one dimension or several. */
  squeeze(dim?: number | readonly number[]): Tensor;
  /**
   * A broadcast view with larger sizes: size-1 dimensions grow, `-1` keeps a size, new leading dimensions may be added.
   * @param size the new sizes (a symbolic batch may be one).
   */
  expand(...size: number[]): Tensor;
  /** As `expand(...size)`, the sizes as one list. @param size the new sizes. */
  expand(size: readonly number[]): Tensor;
  /** `x.expand(other.shape)`. @param other the tensor whose shape to take. */
  expandAs(other: Tensor): Tensor;
  /** Tiles the tensor: dimension `i` becomes `size[i] · repeats[i]` (extra leading repeats add dimensions). @param repeats per dimension. */
  repeat(...repeats: number[]): Tensor;
  /**
   * Cuts `dim` into `chunks` pieces of `ceil(size / chunks)` (the last smaller), like `torch.chunk`.
   * @param chunks how many. @param dim Default: `0`.
   * @example
   * const [q, k, v] = this.qkv(x).chunk(3, -1)
   */
  chunk<C extends number>(chunks: C, dim?: number): TensorTuple<C>;
  /**
   * Cuts `dim` into pieces of `splitSizeOrSections` (the last smaller) or of the listed sizes, like `torch.split`.
   * @param splitSizeOrSections a size or the list of sizes (adding up to the dimension).
   * @param dim Default: `0`.
   */
  split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
  /** `length` entries of `dim` from `start` (negative counts from the end), like `torch.narrow`. @param dim the dimension. @param start first index. @param length how many. */
  narrow(dim: number, start: number, length: number): Tensor;
  /** Entry `index` of `dim`, which is removed: Python's `x[:, 0]` is `x.select(1, 0)`; `x[0]` is `x.select(0, 0)`. @param dim the dimension. @param index the entry. */
  select(dim: number, index: number): Tensor;
  /** The entries of `dim` listed by a 1-D `index` tensor, like `torch.index_select`. @param dim the dimension. @param index the indices. */
  indexSelect(dim: number, index: Tensor): Tensor;
  /** Reverses the order along the given dimensions; same shape. @param dims the dimensions. */
  flip(...dims: number[]): Tensor;
  /** Rolls entries along dimensions (flattened when `dims` is absent), like `torch.roll`; same shape. @param shifts per dimension. @param dims the dimensions. */
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor;
  /**
   * Matrix product with PyTorch's rules (`@` in Python): 1-D operands are promoted, batch dimensions broadcast.
   * Its multiply–accumulates count in the MACs (batch 1); a product of two activations sees the whole input.
   * @param other the right operand.
   * @example
   * q.matmul(k.transpose(-2, -1)) // [N, h, L, d] @ [N, h, d, L] → [N, h, L, L]
   */
  matmul(other: Tensor): Tensor;
  /** Batched matrix product of `[B, n, m]` and `[B, m, p]`, like `torch.bmm`. @param other `[B, m, p]`. */
  bmm(other: Tensor): Tensor;
  /** Softmax along `dim`; same shape. @param dim the dimension. */
  softmax(dim: number): Tensor;
  /** Log-softmax along `dim`; same shape. @param dim the dimension. */
  logSoftmax(dim: number): Tensor;
  /** Sum over `dim` (all when absent). @param dim one dimension or several. @param keepdim keep them with size 1. Default: `false`. */
  sum(dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** Mean of all entries: a 0-D tensor. */
  mean(): Tensor;
  /** Maximum over `dim`. @param dim one dimension or several. @param keepdim Default: `false`. */
  amax(dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** Minimum over `dim`. @param dim one dimension or several. @param keepdim Default: `false`. */
  amin(dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** The largest entry: a 0-D tensor. */
  max(): Tensor;
  /** `[values, indices]` of the maxima along `dim`, like PyTorch's `(values, indices)`. @param dim the dimension. @param keepdim Default: `false`. */
  max(dim: number, keepdim?: boolean): [Tensor, Tensor];
  /** Element-wise maximum with broadcasting (`torch.maximum`). @param other a tensor. */
  max(other: Tensor): Tensor;
  /** The smallest entry: a 0-D tensor. */
  min(): Tensor;
  /** `[values, indices]` of the minima along `dim`. @param dim the dimension. @param keepdim Default: `false`. */
  min(dim: number, keepdim?: boolean): [Tensor, Tensor];
  /** Element-wise minimum with broadcasting (`torch.minimum`). @param other a tensor. */
  min(other: Tensor): Tensor;
  /** Standard deviation over `dim` (all when absent). @param dim one dimension or several. @param keepdim Default: `false`. @param opts `correction` (Default: `1`, Bessel's). */
  std(dim?: number | readonly number[], keepdim?: boolean, opts?: { correction?: number }): Tensor;
  /** Variance over `dim` (all when absent). @param dim one dimension or several. @param keepdim Default: `false`. @param opts `correction` (Default: `1`). */
  var(dim?: number | readonly number[], keepdim?: boolean, opts?: { correction?: number }): Tensor;
  /** The `p`-norm over `dim` (all when absent), like `torch.norm`. @param p Default: `2`. @param dim one dimension or several. @param keepdim Default: `false`. */
  norm(p?: number | "fro", dim?: number | readonly number[], keepdim?: boolean): Tensor;
  /** Square root element-wise. */
  sqrt(): Tensor;
  /** `1 / sqrt(x)` element-wise. */
  rsqrt(): Tensor;
  /** `e^x` element-wise. */
  exp(): Tensor;
  /** Natural logarithm element-wise. */
  log(): Tensor;
  /** Absolute value element-wise. */
  abs(): Tensor;
  /** `-x` element-wise. */
  neg(): Tensor;
  /** `x^exponent` element-wise with broadcasting. @param exponent a number or a tensor. */
  pow(exponent: number | Tensor): Tensor;
  /** Clamps entries into `[min, max]`; one bound may be absent. @param min lower bound. @param max upper bound. */
  clamp(min?: number | null, max?: number | null): Tensor;
  /** Clamps with the bounds as options: `x.clamp({ min: 0 })`. @param opts `min`, `max`. */
  clamp(opts: { min?: number; max?: number }): Tensor;
  /** `x + value · tensor1 · tensor2` with broadcasting. @param tensor1 a factor. @param tensor2 the other. @param opts `value` (Default: `1`). */
  addcmul(tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor;
  /** `value` where `mask` is true; the mask broadcasts. @param mask a boolean tensor. @param value the fill value. */
  maskedFill(mask: Tensor, value: number): Tensor;
  /** `x` where `condition`, else `other` (PyTorch's `x.where(condition, other)`). @param condition a boolean tensor. @param other a tensor or a number. */
  where(condition: Tensor, other: Tensor | number): Tensor;
  /** `x == other` element-wise with broadcasting. @param other a tensor or a number. */
  eq(other: Tensor | number): Tensor;
  /** `x != other` element-wise. @param other a tensor or a number. */
  ne(other: Tensor | number): Tensor;
  /** `x < other` element-wise. @param other a tensor or a number. */
  lt(other: Tensor | number): Tensor;
  /** `x > other` element-wise. @param other a tensor or a number. */
  gt(other: Tensor | number): Tensor;
  /** `x <= other` element-wise. @param other a tensor or a number. */
  le(other: Tensor | number): Tensor;
  /** `x >= other` element-wise. @param other a tensor or a number. */
  ge(other: Tensor | number): Tensor;
  /** A tensor of zeros of the given size (no dependence on `x`'s values). @param size the sizes. */
  newZeros(...size: number[]): Tensor;
  /** A tensor of zeros of the given size, as a list: `x.newZeros([h, w])`. */
  newZeros(size: readonly number[]): Tensor;
  /** A tensor of ones of the given size. @param size the sizes. */
  newOnes(...size: number[]): Tensor;
  /** A tensor of ones of the given size, as a list. */
  newOnes(size: readonly number[]): Tensor;
  /** The same values as float32 (the only type modelled); same shape. */
  float(): Tensor;
  /** The same tensor on a device or in a type (accepted and ignored); same shape. @param args anything. */
  to(...args: unknown[]): Tensor;
  /** The same values, cut from the gradient; same shape. */
  detach(): Tensor;
  /** A copy; same shape. */
  clone(): Tensor;
  /** Number of entries (the batch may be symbolic). */
  numel(): number;
  /** In place: `x += other` (the tensor keeps its shape). @param other a tensor or a number. */
  add_(other: Tensor | number): Tensor;
  /** In place: `x -= other`. @param other a tensor or a number. */
  sub_(other: Tensor | number): Tensor;
  /** In place: `x *= other`. @param other a tensor or a number. */
  mul_(other: Tensor | number): Tensor;
  /** In place: `x /= other`. @param other a tensor or a number. */
  div_(other: Tensor | number): Tensor;
  /** In place: clamps into `[min, max]`. @param min lower bound. @param max upper bound. */
  clamp_(min?: number | null, max?: number | null): Tensor;
  /** In place: each entry 1 with probability `p`, else 0 (stochastic depth's mask). @param p Default: `0.5`. */
  bernoulli_(p?: number): Tensor;
  // ---- end tensorops ----
}

// ---- tensorops: the pieces of x.chunk(3) as a tuple, so that `const [q, k, v] = …` needs no checks ----
export type TensorTuple<N extends number, Acc extends Tensor[] = []> = number extends N ? Tensor[] : Acc["length"] extends N ? Acc : TensorTuple<N, [...Acc, Tensor]>;
