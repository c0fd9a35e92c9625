/** Tensor functions, like `torch.*` (the package exports this file as `torch`). */

import type { Tensor } from "./tensor";

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
