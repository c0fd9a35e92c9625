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
