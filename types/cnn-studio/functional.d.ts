/**
 * Functional forms of layers without parameters, like `torch.nn.functional`: for use inside
 * `forward`, e.g. `F.relu(x)`, `F.adaptiveAvgPool2d(x, 1)`. They are not modules: they do not appear
 * as layers of their own, but their shapes and receptive fields are tracked.
 * (The package exports this file as `F`.)
 */

import type { Conv2dPadding, Size2d, Tensor } from "./tensor";
import type * as nn from "./nn/index";

/**
 * ReLU, like `torch.nn.functional.relu`: `max(0, x)` element-wise. Shape unchanged.
 * @param x the input.
 * @param inplace accepted and ignored (`true`/`false` or `{ inplace }`). Default: `false`.
 * @example
 * F.relu(this.bn1(this.conv1(x)))
 */
export function relu(x: Tensor, inplace?: boolean | nn.InplaceOptions): Tensor;
/**
 * ReLU6, like `torch.nn.functional.relu6`: `min(max(0, x), 6)` element-wise. Shape unchanged.
 * @param x the input.
 * @param inplace accepted and ignored. Default: `false`.
 */
export function relu6(x: Tensor, inplace?: boolean | nn.InplaceOptions): Tensor;
/**
 * SiLU / swish, like `torch.nn.functional.silu`: `x · σ(x)` element-wise. Shape unchanged.
 * @param x the input.
 * @param inplace accepted and ignored. Default: `false`.
 */
export function silu(x: Tensor, inplace?: boolean | nn.InplaceOptions): Tensor;
/**
 * Logistic sigmoid, like `torch.sigmoid`: `1 / (1 + exp(−x))` element-wise. Shape unchanged.
 * @param x the input.
 * @example
 * x.mul(F.sigmoid(this.fc2(s))) // squeeze-and-excitation
 */
export function sigmoid(x: Tensor): Tensor;
/**
 * Hyperbolic tangent, like `torch.tanh`, element-wise. Shape unchanged.
 * @param x the input.
 */
export function tanh(x: Tensor): Tensor;
/**
 * GELU, like `torch.nn.functional.gelu`: `x · Φ(x)` element-wise (or its tanh approximation).
 * Shape unchanged.
 * @param x the input.
 * @param opts `approximate` ("none").
 */
export function gelu(x: Tensor, opts?: nn.GELUOptions): Tensor;
/**
 * ELU, like `torch.nn.functional.elu`: `x` if `x > 0`, else `alpha · (exp(x) − 1)`. Shape unchanged.
 * @param x the input.
 * @param alpha Default: `1.0`.
 * @param inplace accepted and ignored. Default: `false`.
 */
export function elu(x: Tensor, alpha?: number, inplace?: boolean): Tensor;
/**
 * Leaky ReLU, like `torch.nn.functional.leaky_relu`: `max(0, x) + negativeSlope · min(0, x)`.
 * Shape unchanged.
 * @param x the input.
 * @param negativeSlope Default: `0.01`.
 * @param inplace accepted and ignored. Default: `false`.
 * @example
 * F.leakyRelu(x, 0.2)
 */
export function leakyRelu(x: Tensor, negativeSlope?: number, inplace?: boolean): Tensor;
/**
 * Hard swish, like `torch.nn.functional.hardswish`: `x · ReLU6(x + 3) / 6`. Shape unchanged.
 * @param x the input.
 * @param inplace accepted and ignored. Default: `false`.
 */
export function hardswish(x: Tensor, inplace?: boolean | nn.InplaceOptions): Tensor;
/**
 * Hard sigmoid, like `torch.nn.functional.hardsigmoid`: `ReLU6(x + 3) / 6`. Shape unchanged.
 * @param x the input.
 * @param inplace accepted and ignored. Default: `false`.
 */
export function hardsigmoid(x: Tensor, inplace?: boolean | nn.InplaceOptions): Tensor;
/**
 * Softmax along `dim`, like `torch.nn.functional.softmax`: `exp(x_i) / Σ_j exp(x_j)`.
 * Shape unchanged.
 * @param x the input.
 * @param dim the dimension to normalise along (required; negative counts from the end).
 * @example
 * F.softmax(logits, 1) // [N, 10] → [N, 10], rows sum to 1
 */
export function softmax(x: Tensor, dim: number): Tensor;
/**
 * Dropout, like `torch.nn.functional.dropout`: in training zeroes elements with probability `p`
 * and scales the others by `1 / (1 − p)`; the identity otherwise. Shape unchanged.
 * @param x the input.
 * @param p probability of an element being zeroed. Default: `0.5`.
 * @param training apply dropout (pass `this.training`). Default: `true`.
 * @param inplace accepted and ignored. Default: `false`.
 * @example
 * F.dropout(x, 0.2, this.training)
 */
export function dropout(x: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
/**
 * Channel dropout, like `torch.nn.functional.dropout2d`: in training zeroes whole channels with
 * probability `p`; the identity otherwise. Shape unchanged.
 * @param x the input `[N, C, H, W]`.
 * @param p probability of a channel being zeroed. Default: `0.5`.
 * @param training apply dropout (pass `this.training`). Default: `true`.
 * @param inplace accepted and ignored. Default: `false`.
 */
export function dropout2d(x: Tensor, p?: number, training?: boolean, inplace?: boolean): Tensor;
/**
 * 2-D max pooling, like `torch.nn.functional.max_pool2d` (see {@link nn.MaxPool2d}):
 * `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]`,
 * `H_out = floor((H_in + 2·padding − dilation·(kernelSize − 1) − 1) / stride + 1)`.
 * @param x the input `[N, C, H, W]`.
 * @param kernelSize size of the window: `k` or `[kH, kW]`.
 * @param opts `stride` (= kernelSize), `padding` (0), `dilation` (1), `ceilMode` (false).
 * @example
 * F.maxPool2d(x, 3, { stride: 2, padding: 1 })
 */
export function maxPool2d(x: Tensor, kernelSize: Size2d, opts?: nn.MaxPool2dOptions): Tensor;
/**
 * 2-D average pooling, like `torch.nn.functional.avg_pool2d` (see {@link nn.AvgPool2d}):
 * `[N, C, H_in, W_in]` → `[N, C, H_out, W_out]`,
 * `H_out = floor((H_in + 2·padding − kernelSize) / stride + 1)`.
 * @param x the input `[N, C, H, W]`.
 * @param kernelSize size of the window: `k` or `[kH, kW]`.
 * @param opts `stride` (= kernelSize), `padding` (0), `ceilMode` (false), `countIncludePad` (true).
 * @example
 * F.avgPool2d(x, 2)
 */
export function avgPool2d(x: Tensor, kernelSize: Size2d, opts?: nn.AvgPool2dOptions): Tensor;
/**
 * Adaptive average pooling, like `torch.nn.functional.adaptive_avg_pool2d` (see
 * {@link nn.AdaptiveAvgPool2d}): `[N, C, H, W]` → `[N, C, outputSize[0], outputSize[1]]`.
 * @param x the input `[N, C, H, W]`.
 * @param outputSize `s` or `[H_out, W_out]`; `1` is global average pooling.
 * @example
 * torch.flatten(F.adaptiveAvgPool2d(x, 1), 1) // [N, 512, 7, 7] → [N, 512]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Size2d): Tensor;
/**
 * Adaptive max pooling, like `torch.nn.functional.adaptive_max_pool2d` (see
 * {@link nn.AdaptiveMaxPool2d}): `[N, C, H, W]` → `[N, C, outputSize[0], outputSize[1]]`.
 * @param x the input `[N, C, H, W]`.
 * @param outputSize `s` or `[H_out, W_out]`.
 */
export function adaptiveMaxPool2d(x: Tensor, outputSize: Size2d): Tensor;
/**
 * Resizes height and width, like `torch.nn.functional.interpolate` (see {@link nn.Upsample}):
 * `H_out = size[0]` or `floor(H_in · scaleFactor[0])`.
 * @param x the input `[N, C, H, W]`.
 * @param opts exactly one of `size` and `scaleFactor`; `mode` ("nearest"), `alignCorners`.
 * @example
 * F.interpolate(x, { scaleFactor: 2, mode: "nearest" })     // FPN top-down path
 * F.interpolate(x, { size: [h, w], mode: "bilinear", alignCorners: false })
 */
export function interpolate(x: Tensor, opts: nn.UpsampleOptions): Tensor;

// ---- tensorops: functional forms of version 2 ----
/**
 * Pads the last dimensions, like `torch.nn.functional.pad`: `pad` lists (before, after) pairs from the
 * last dimension backwards; negative entries crop.
 * @param x the input.
 * @param pad `[left, right]`, `[left, right, top, bottom]`, …
 * @param opts `mode` ("constant", "reflect", "replicate" or "circular"; Default: "constant"), `value` (Default: `0`).
 * @example
 * F.pad(x1, [diffX / 2, diffX - diffX / 2, diffY / 2, diffY - diffY / 2]) // UNet's skip connections
 */
export function pad(x: Tensor, pad: readonly number[], opts?: { mode?: "constant" | "reflect" | "replicate" | "circular"; value?: number }): Tensor;
/** Layer normalisation over the last dimensions (`normalizedShape`), like `F.layer_norm`. @param x the input. @param normalizedShape the last dimensions. @param weight optional `[*normalizedShape]`. @param bias optional. @param eps Default: `1e-5`. */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps?: number): Tensor;
/** Group normalisation of `[N, C, *]`, like `F.group_norm`. @param x the input. @param numGroups divides C. @param weight optional `[C]`. @param bias optional `[C]`. @param eps Default: `1e-5`. */
export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps?: number): Tensor;
/** `x · weightᵀ + bias`, like `F.linear` (MACs as `nn.Linear`). @param x `[*, in]`. @param weight `[out, in]`. @param bias optional `[out]`. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor;
/**
 * 2-D convolution with a given weight `[out, in / groups, kh, kw]`, like `F.conv2d` (shape, MACs and receptive field as `nn.Conv2d`).
 * @param x `[N, C, H, W]`. @param weight the kernel. @param bias optional `[out]`.
 * @param opts `stride` (Default: `1`), `padding` (Default: `0`), `dilation` (Default: `1`), `groups` (Default: `1`).
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts?: { stride?: Size2d; padding?: Conv2dPadding; dilation?: Size2d; groups?: number }): Tensor;
/**
 * `softmax(Q·Kᵀ / sqrt(E) + mask) · V`, like `F.scaled_dot_product_attention`: `[*, L, E]`, `[*, S, E]`, `[*, S, Ev]` → `[*, L, Ev]`.
 * Both products count in the MACs; the result sees the whole input.
 * @param query `[*, L, E]`. @param key `[*, S, E]`. @param value `[*, S, Ev]`.
 * @param opts `attnMask` (a tensor broadcasting to `[*, L, S]`), `dropoutP` (Default: `0`), `isCausal` (Default: `false`), `scale`.
 */
export function scaledDotProductAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  opts?: { attnMask?: Tensor | null; dropoutP?: number; isCausal?: boolean; scale?: number | null },
): Tensor;
/** `x / max(‖x‖_p, eps)` along `dim`, like `F.normalize`. @param x the input. @param opts `p` (Default: `2`), `dim` (Default: `1`), `eps` (Default: `1e-12`). */
export function normalize(x: Tensor, opts?: { p?: number; dim?: number; eps?: number }): Tensor;
/** Log-softmax along `dim`. @param x the input. @param dim the dimension. */
export function logSoftmax(x: Tensor, dim: number): Tensor;
/** Adaptive average pooling of `[N, C, L]` to `[N, C, outputSize]`. @param x the input. @param outputSize the length. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number): Tensor;
// ---- end tensorops ----
