/** Tensor functions, like `torch.*` (the package exports this file as `torch`). */

import type { Tensor, TensorTuple } from "./tensor";

/**
 * Concatenates tensors along `dim`, like `torch.cat`: all other dimensions must be equal; the
 * result's `dim` is the sum of theirs.
 * @param tensors the tensors (at least one).
 * @param dim the dimension to join along. Default: `0` — for channels of NCHW tensors pass `1`.
 * @example
 * torch.cat([branch1, branch2, branch3], 1) // Inception: channels add up
 */
export function cat(tensors: readonly Tensor[], dim?: number): Tensor;
/**
 * Alias of {@link torch.cat}.
 * @param tensors the tensors (at least one).
 * @param dim the dimension to join along. Default: `0`.
 */
export function concat(tensors: readonly Tensor[], dim?: number): Tensor;
/**
 * Flattens dimensions `startDim … endDim` into one, like `torch.flatten`.
 * Note the default `startDim` is `0`: to keep the batch write `torch.flatten(x, 1)`.
 * @param x the input.
 * @param startDim first dimension to flatten. Default: `0`.
 * @param endDim last dimension to flatten (inclusive). Default: `-1`.
 * @example
 * torch.flatten(x, 1) // [N, 512, 1, 1] → [N, 512]
 */
export function flatten(x: Tensor, startDim?: number, endDim?: number): Tensor;
/**
 * Element-wise sum with broadcasting, like `torch.add` (`a + b`): the result has the broadcast shape.
 * @param a a tensor.
 * @param b a tensor or a number.
 * @example
 * torch.add(out, identity) // residual connection
 */
export function add(a: Tensor, b: Tensor | number): Tensor;
/**
 * Element-wise product with broadcasting, like `torch.mul` (`a * b`): the result has the broadcast
 * shape.
 * @param a a tensor.
 * @param b a tensor or a number.
 * @example
 * torch.mul(x, attention) // [N, C, H, W] · [N, C, 1, 1]
 */
export function mul(a: Tensor, b: Tensor | number): Tensor;
/**
 * Element-wise difference with broadcasting, like `torch.sub` (`a - b`).
 * @param a a tensor.
 * @param b a tensor or a number.
 */
export function sub(a: Tensor, b: Tensor | number): Tensor;
/**
 * Element-wise quotient with broadcasting, like `torch.div` (`a / b`).
 * @param a a tensor.
 * @param b a tensor or a number.
 */
export function div(a: Tensor, b: Tensor | number): Tensor;
/** `max(0, x)` element-wise, like `torch.relu`. Shape unchanged. @param x the input. */
export function relu(x: Tensor): Tensor;
/** `1 / (1 + exp(−x))` element-wise, like `torch.sigmoid`. Shape unchanged. @param x the input. */
export function sigmoid(x: Tensor): Tensor;
/** `tanh(x)` element-wise, like `torch.tanh`. Shape unchanged. @param x the input. */
export function tanh(x: Tensor): Tensor;

// ---- language: tensor creation (for parameters and buffers, or inside forward) ----
/** Options of the tensor creation functions: accepted and ignored (values are float32). */
export interface CreationOptions {
  dtype?: string;
  device?: string;
  requiresGrad?: boolean;
}
/** A tensor of zeros of the given size (`torch.zeros(1, 1, 768)` or `torch.zeros([1, 1, 768])`). @param size the sizes, and options last. */
export function zeros(...size: (number | number[] | CreationOptions)[]): Tensor;
/** A tensor of ones. @param size the sizes, and options last. */
export function ones(...size: (number | number[] | CreationOptions)[]): Tensor;
/** An uninitialised tensor (give it values with an initialiser, e.g. `.normal_(0, 0.02)`). @param size the sizes, and options last. */
export function empty(...size: (number | number[] | CreationOptions)[]): Tensor;
/** Values from N(0, 1). @param size the sizes, and options last. */
export function randn(...size: (number | number[] | CreationOptions)[]): Tensor;
/** Values from U(0, 1). @param size the sizes, and options last. */
export function rand(...size: (number | number[] | CreationOptions)[]): Tensor;
/** A tensor of `size` filled with `fillValue`. @param size the sizes. @param fillValue the value. */
export function full(size: number[], fillValue: number, opts?: CreationOptions): Tensor;
/** `[start, start + step, ...)` below `end`; one argument is `end` (from 0). @param start the first value (or `end` alone). */
export function arange(start: number, end?: number, step?: number, opts?: CreationOptions): Tensor;
/** `steps` values evenly spaced from `start` to `end`. @param start first value. @param end last value. @param steps how many. */
export function linspace(start: number, end: number, steps: number, opts?: CreationOptions): Tensor;
/** The identity matrix `[n, m]` (`m` defaults to `n`). @param n rows. @param m columns. */
export function eye(n: number, m?: number, opts?: CreationOptions): Tensor;
/**
 * Coordinate grids of 1-D tensors: one tensor per input, each of shape `[len0, len1, ...]`
 * (`indexing: "xy"` swaps the first two).
 * @param tensors the 1-D tensors, then `{ indexing }` (default `"ij"`).
 */
export function meshgrid(...tensors: (Tensor | Tensor[] | { indexing?: "ij" | "xy" })[]): Tensor[];
/** Joins tensors of equal shape along a new dimension `dim`. @param tensors the tensors. @param dim Default: `0`. */
export function stack(tensors: Tensor[], dim?: number): Tensor;
// ---- end language ----

// ---- tensorops: torch.* forms of the tensor methods ----
/** `x.permute(dims)`. @param x the input. @param dims every dimension once. */
export function permute(x: Tensor, dims: readonly number[]): Tensor;
/** `x.transpose(dim0, dim1)`. @param x the input. @param dim0 a dimension. @param dim1 another. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor;
/** `x.t()`. @param x at most 2-D. */
export function t(x: Tensor): Tensor;
/** `x.unsqueeze(dim)`. @param x the input. @param dim where. */
export function unsqueeze(x: Tensor, dim: number): Tensor;
/** `x.squeeze(dim)`. @param x the input. @param dim one dimension or several. */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor;
/** `x.chunk(chunks, dim)`. @param x the input. @param chunks how many. @param dim Default: `0`. */
export function chunk<C extends number>(x: Tensor, chunks: C, dim?: number): TensorTuple<C>;
/** `x.split(splitSizeOrSections, dim)`. @param x the input. @param splitSizeOrSections a size or sizes. @param dim Default: `0`. */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
/** `x.narrow(dim, start, length)`. @param x the input. @param dim the dimension. @param start first index. @param length how many. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor;
/** `x.select(dim, index)`. @param x the input. @param dim the dimension. @param index the entry. */
export function select(x: Tensor, dim: number, index: number): Tensor;
/** `x.indexSelect(dim, index)`. @param x the input. @param dim the dimension. @param index the indices. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor;
/** `x.flip(...dims)`. @param x the input. @param dims the dimensions. */
export function flip(x: Tensor, dims: readonly number[]): Tensor;
/** `x.roll(shifts, dims)`. @param x the input. @param shifts per dimension. @param dims the dimensions. */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor;
/** `a.matmul(b)`. @param a the left operand. @param b the right operand. */
export function matmul(a: Tensor, b: Tensor): Tensor;
/** `a.bmm(b)`. @param a `[B, n, m]`. @param b `[B, m, p]`. */
export function bmm(a: Tensor, b: Tensor): Tensor;
/** `x.softmax(dim)`. @param x the input. @param dim the dimension. */
export function softmax(x: Tensor, dim: number): Tensor;
/** `x.logSoftmax(dim)`. @param x the input. @param dim the dimension. */
export function logSoftmax(x: Tensor, dim: number): Tensor;
/** `x.sum(dim, keepdim)`. @param x the input. @param dim one dimension or several. @param keepdim Default: `false`. */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
/** `x.mean(dim, keepdim)`. @param x the input. @param dim one dimension or several. @param keepdim Default: `false`. */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
/** `x.amax(dim, keepdim)`. @param x the input. @param dim one dimension or several. @param keepdim Default: `false`. */
export function amax(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
/** `x.std(dim, keepdim)`. @param x the input. @param dim one dimension or several. @param keepdim Default: `false`. */
export function std(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
/** `x.norm(p, dim, keepdim)`. @param x the input. @param p Default: `2`. @param dim one dimension or several. @param keepdim Default: `false`. */
export function norm(x: Tensor, p?: number | "fro", dim?: number | readonly number[], keepdim?: boolean): Tensor;
/** `x.sqrt()`. @param x the input. */
export function sqrt(x: Tensor): Tensor;
/** `x.exp()`. @param x the input. */
export function exp(x: Tensor): Tensor;
/** `x.log()`. @param x the input. */
export function log(x: Tensor): Tensor;
/** `x.abs()`. @param x the input. */
export function abs(x: Tensor): Tensor;
/** `x.neg()`. @param x the input. */
export function neg(x: Tensor): Tensor;
/** `x.pow(exponent)`. @param x the input. @param exponent a number or a tensor. */
export function pow(x: Tensor, exponent: number | Tensor): Tensor;
/** `x.clamp(min, max)`. @param x the input. @param min lower bound. @param max upper bound. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor;
/** `x.addcmul(tensor1, tensor2, opts)`. @param x the input. @param tensor1 a factor. @param tensor2 the other. @param opts `value` (Default: `1`). */
export function addcmul(x: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: { value?: number }): Tensor;
/** `x.maskedFill(mask, value)`. @param x the input. @param mask a boolean tensor. @param value the fill value. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor;
/** `input` where `condition`, else `other`, with broadcasting. @param condition a boolean tensor. @param input a tensor or a number. @param other a tensor or a number. */
export function where(condition: Tensor, input: Tensor | number, other: Tensor | number): Tensor;
/** `x.eq(other)`. @param x the input. @param other a tensor or a number. */
export function eq(x: Tensor, other: Tensor | number): Tensor;
/** `x.ne(other)`. @param x the input. @param other a tensor or a number. */
export function ne(x: Tensor, other: Tensor | number): Tensor;
/** `x.lt(other)`. @param x the input. @param other a tensor or a number. */
export function lt(x: Tensor, other: Tensor | number): Tensor;
/** `x.gt(other)`. @param x the input. @param other a tensor or a number. */
export function gt(x: Tensor, other: Tensor | number): Tensor;
/** Zeros of `x`'s shape. @param x the tensor whose shape to take. */
export function zerosLike(x: Tensor): Tensor;
/** Ones of `x`'s shape. @param x the tensor whose shape to take. */
export function onesLike(x: Tensor): Tensor;
// ---- end tensorops ----
