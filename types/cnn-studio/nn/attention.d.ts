/** attention (moved from the single typings file). */

import type { Tensor } from "../tensor";
import type * as nn from "./index";
import type { Module } from "./index";

// ---- attention: nn.MultiheadAttention ----

/** Options of {@link nn.MultiheadAttention}. */
export interface MultiheadAttentionOptions {
  /**
   * Dropout probability on the attention weights (training only).
   * @defaultValue 0
   */
  dropout?: number;
  /**
   * Whether the input and output projections have biases (`in_proj_bias`, `out_proj.bias`).
   * @defaultValue true
   */
  bias?: boolean;
  /**
   * Features of the key (`null`: `embedDim`); another value gives separate `q_proj_weight`,
   * `k_proj_weight` and `v_proj_weight` instead of the packed `in_proj_weight`.
   * @defaultValue null
   */
  kdim?: number | null;
  /**
   * Features of the value (`null`: `embedDim`).
   * @defaultValue null
   */
  vdim?: number | null;
  /**
   * Whether inputs and outputs are `[N, L, E]` (batch first) instead of `[L, N, E]`.
   * @defaultValue false
   */
  batchFirst?: boolean;
}

/** Options of a {@link nn.MultiheadAttention} call (`attn(query, key, value, opts)`). */
export interface MultiheadAttentionCallOptions {
  /**
   * `[N, S]` (`[S]` unbatched): `true` (or a float added to the scores) marks keys to ignore.
   * @defaultValue null
   */
  keyPaddingMask?: Tensor | null;
  /**
   * Whether to return the attention weights (else the second element is `null`).
   * @defaultValue true
   */
  needWeights?: boolean;
  /**
   * `[L, S]` or `[N·numHeads, L, S]`: `true` masks a position out, a float is added to the scores.
   * @defaultValue null
   */
  attnMask?: Tensor | null;
  /**
   * Whether the returned weights are averaged over the heads (`[N, L, S]`) or per head
   * (`[N, numHeads, L, S]`).
   * @defaultValue true
   */
  averageAttnWeights?: boolean;
}

/**
 * Multi-head attention, like `torch.nn.MultiheadAttention`: `softmax(Q·Kᵀ / √headDim)·V` per head
 * over projections of query, key and value, then an output projection.
 *
 * **Call**: `attn(query, key, value, opts?)` returns `[output, weights]` like PyTorch's tuple:
 * `const [y] = this.attn(x, x, x, { needWeights: false })`.
 *
 * **Shape**: query `[L, N, E]`, key `[S, N, kdim]`, value `[S, N, vdim]` (`[N, L, E]`… with
 * `batchFirst`, or unbatched `[L, E]`) → output like the query; weights `[N, L, S]` (averaged over
 * heads) or `[N, numHeads, L, S]`.
 *
 * **Parameters**: `in_proj_weight` `[3E, E]` (or `q/k/v_proj_weight`), `in_proj_bias` `[3E]`,
 * `out_proj.weight` `[E, E]`, `out_proj.bias` `[E]`, PyTorch's state_dict names.
 *
 * **MACs**: the four projections plus the products `Q·Kᵀ` and `A·V` (`2·L·S·E`), batch 1.
 *
 * @param embedDim total features `E` (split over the heads).
 * @param numHeads number of heads; must divide `embedDim`.
 * @param opts `dropout` (0), `bias` (true), `kdim`, `vdim` (embedDim), `batchFirst` (false).
 * @returns a callable `MultiheadAttention` module.
 * @example
 * nn.MultiheadAttention(768, 12, { batchFirst: true }) // ViT-B/16: [N, 197, 768] → [N, 197, 768]
 * @see https://pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html
 */
export const MultiheadAttention: MultiheadAttentionClass;
/** `nn.MultiheadAttention` is a factory and a class: `new nn.MultiheadAttention(...)` equals `nn.MultiheadAttention(...)`, and `class X extends nn.MultiheadAttention` reads its attributes and may override `forward`. */
export interface MultiheadAttentionClass {
  /**
   * Multi-head attention, like `torch.nn.MultiheadAttention`: `softmax(Q·Kᵀ / √headDim)·V` per head
   * over projections of query, key and value, then an output projection.
   *
   * **Call**: `attn(query, key, value, opts?)` returns `[output, weights]` like PyTorch's tuple:
   * `const [y] = this.attn(x, x, x, { needWeights: false })`.
   *
   * **Shape**: query `[L, N, E]`, key `[S, N, kdim]`, value `[S, N, vdim]` (`[N, L, E]`… with
   * `batchFirst`, or unbatched `[L, E]`) → output like the query; weights `[N, L, S]` (averaged over
   * heads) or `[N, numHeads, L, S]`.
   *
   * **Parameters**: `in_proj_weight` `[3E, E]` (or `q/k/v_proj_weight`), `in_proj_bias` `[3E]`,
   * `out_proj.weight` `[E, E]`, `out_proj.bias` `[E]`, PyTorch's state_dict names.
   *
   * **MACs**: the four projections plus the products `Q·Kᵀ` and `A·V` (`2·L·S·E`), batch 1.
   *
   * @param embedDim total features `E` (split over the heads).
   * @param numHeads number of heads; must divide `embedDim`.
   * @param opts `dropout` (0), `bias` (true), `kdim`, `vdim` (embedDim), `batchFirst` (false).
   * @returns a callable `MultiheadAttention` module.
   * @example
   * nn.MultiheadAttention(768, 12, { batchFirst: true }) // ViT-B/16: [N, 197, 768] → [N, 197, 768]
   * @see https://pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html
   */
  (embedDim: number, numHeads: number, opts?: MultiheadAttentionOptions): MultiheadAttention;
  /** The class form: `new nn.MultiheadAttention(...)`, or `super(...)` in a subclass. */
  new (embedDim: number, numHeads: number, opts?: MultiheadAttentionOptions): MultiheadAttention;
  readonly prototype: MultiheadAttention;
}
/** A multi-head attention module, made by {@link nn.MultiheadAttention}. */
export interface MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly batchFirst: boolean;
  /** Attention of `query` over `key` and `value`: `[output, weights]` (weights `null` with `needWeights: false`). */
  forward(query: Tensor, key: Tensor, value: Tensor, opts?: MultiheadAttentionCallOptions): [Tensor, Tensor | null];
}
// ---- end attention ----
