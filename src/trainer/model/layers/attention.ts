import type * as tfc from "@tensorflow/tfjs-core";
import type { TF } from "../types";
import { torch as torchValue, type Attrs, type Value } from "../value";
import { CompileError, only, type LayerBuilder, type NodeFn, type RunCtx } from "./common";

/**
 * nn.MultiheadAttention (PyTorch's multi_head_attention_forward), torchvision.ops.StochasticDepth
 * and Permute. A module call with several outputs (attention's `[output, weights]`) returns its
 * first output as the node's value; the others are read by `item` nodes (see compileItem).
 */

/** The further outputs of a multi-output node's value, for the `item` nodes that read them. */
const EXTRA_OUTPUTS = new WeakMap<Value, (Value | null)[]>();

/** The `item` operation: output `index` (≥ 1) of a multi-output module call. */
export function compileItem(type: string, attrs: Attrs): NodeFn | undefined {
  if (type !== "item") return undefined;
  const index = attrs.index;
  if (typeof index !== "number" || index < 1) throw new CompileError(`item needs an index ≥ 1, got ${JSON.stringify(index)}`);
  return (inputs) => {
    const v = EXTRA_OUTPUTS.get(only(inputs))?.[index - 1];
    if (!v) throw new Error(`output ${index} of this call is not available`);
    return v;
  };
}

/** Inverted dropout on the attention weights in training (PyTorch's dropout_p). */
function dropout(ctx: RunCtx, t: tfc.Tensor, p: number): tfc.Tensor {
  if (!ctx.training || p === 0) return t;
  const tf = ctx.tf;
  if (p >= 1) return tf.zerosLike(t);
  const keep = tf.cast(tf.greaterEqual(tf.randomUniform(t.shape, 0, 1, "float32", ctx.nextSeed()), p), "float32");
  return tf.mul(t, tf.div(keep, 1 - p));
}

/** x·Wᵀ + b over the last axis of a [L, N, F] tensor. */
function project(tf: TF, x: tfc.Tensor, w: tfc.Tensor, b: tfc.Tensor | null): tfc.Tensor {
  const [l, n, f] = x.shape as [number, number, number];
  const y = tf.matMul(tf.reshape(x, [l * n, f]) as tfc.Tensor2D, w as tfc.Tensor2D, false, true);
  return tf.reshape(b ? tf.add(y, b) : y, [l, n, w.shape[0]!]);
}

/** A mask as an additive float mask: a boolean one is −∞ where true. */
function additive(tf: TF, m: tfc.Tensor): tfc.Tensor {
  return m.dtype === "bool" ? tf.where(m, tf.fill(m.shape, -Infinity), tf.zeros(m.shape)) : m;
}

export const multiheadAttention: LayerBuilder<"MultiheadAttention"> = (b, c) => {
  const tf = b.tf;
  const e = c.embedDim;
  const heads = c.numHeads;
  const hd = e / heads;
  const packed = c.kdim === e && c.vdim === e;
  const inProj = packed ? b.tensor("in_proj_weight") : null;
  const weights = packed
    ? [0, 1, 2].map((i) => (): tfc.Tensor => tf.slice(inProj!, [i * e, 0], [e, e]))
    : ["q_proj_weight", "k_proj_weight", "v_proj_weight"].map((n) => {
        const w = b.tensor(n);
        return (): tfc.Tensor => w;
      });
  const inBias = c.bias ? b.tensor("in_proj_bias") : null;
  const biases = [0, 1, 2].map((i) => (): tfc.Tensor | null => (inBias ? tf.slice(inBias, [i * e], [e]) : null));
  const outW = b.tensor("out_proj.weight");
  const outB = c.bias ? b.tensor("out_proj.bias") : null;
  const attrs = b.node.attrs;
  const maskNames = Array.isArray(attrs.masks) ? attrs.masks.map(String) : [];
  const needWeights = attrs.needWeights !== false;
  const average = attrs.averageAttnWeights !== false;
  return (inputs, ctx) => {
    if (inputs.length !== 3 + maskNames.length) throw new Error(`MultiheadAttention takes query, key, value and its masks, got ${inputs.length} inputs`);
    const [q0, k0, v0] = inputs.slice(0, 3).map((v) => ctx.torchOf(v));
    const unbatched = q0!.rank === 2;
    // [L, N, E] inside, as PyTorch's implementation.
    const seqFirst = (t: tfc.Tensor): tfc.Tensor => (unbatched ? tf.expandDims(t, 1) : c.batchFirst ? tf.transpose(t, [1, 0, 2]) : t);
    const [q, k, v] = [q0!, k0!, v0!].map(seqFirst) as [tfc.Tensor, tfc.Tensor, tfc.Tensor];
    const [l, n] = q.shape as [number, number];
    const s = k.shape[0]!;
    const split = (t: tfc.Tensor, len: number): tfc.Tensor => tf.transpose(tf.reshape(t, [len, n * heads, hd]), [1, 0, 2]); // [N·H, len, hd]
    const qh = tf.div(split(project(tf, q, weights[0]!(), biases[0]!()), l), Math.sqrt(hd));
    const kh = split(project(tf, k, weights[1]!(), biases[1]!()), s);
    const vh = split(project(tf, v, weights[2]!(), biases[2]!()), s);
    let scores = tf.matMul(qh as tfc.Tensor3D, kh as tfc.Tensor3D, false, true); // [N·H, L, S]
    maskNames.forEach((name, i) => {
      const m = additive(tf, ctx.torchOf(inputs[3 + i]!));
      if (name === "attnMask") scores = tf.add(scores, m.rank === 2 ? m : tf.reshape(m, [n * heads, l, s]));
      else scores = tf.reshape(tf.add(tf.reshape(scores, [n, heads, l, s]), tf.reshape(m, [n, 1, 1, s])), [n * heads, l, s]);
    });
    // PyTorch returns the weights after dropout (training only), the ones that multiply V.
    const attn = dropout(ctx, tf.softmax(scores, -1), c.dropout);
    ctx.recordAttention?.(tf.reshape(attn, [n, heads, l, s]));
    const context = tf.matMul(attn as tfc.Tensor3D, vh as tfc.Tensor3D); // [N·H, L, hd]
    const merged = tf.reshape(tf.transpose(context, [1, 0, 2]), [l, n, e]);
    let out = project(tf, merged, outW, outB);
    out = unbatched ? tf.squeeze(out, [1]) : c.batchFirst ? tf.transpose(out, [1, 0, 2]) : out;
    const value = torchValue(out);
    if (needWeights) {
      let w = tf.reshape(attn, [n, heads, l, s]);
      if (average) w = tf.mean(w, 1);
      EXTRA_OUTPUTS.set(value, [torchValue(unbatched ? tf.squeeze(w, [0]) : w)]);
    }
    return value;
  };
};

/** torchvision.ops.stochastic_depth: in training, keeps each row (or the whole batch) with 1 − p and scales it by 1/(1 − p). */
export const stochasticDepth: LayerBuilder<"StochasticDepth"> = (_b, c) => (inputs, ctx) => {
  const x = only(inputs);
  if (!ctx.training || c.p === 0) return x;
  const tf = ctx.tf;
  const survival = 1 - c.p;
  const shape = x.t.shape.map((d, i) => (i === 0 && c.mode === "row" ? d : 1));
  let noise = tf.cast(tf.less(tf.randomUniform(shape, 0, 1, "float32", ctx.nextSeed()), survival), "float32");
  if (survival > 0) noise = tf.div(noise, survival);
  return { t: tf.mul(x.t, noise), layout: x.layout };
};

/** torchvision.ops.Permute: `torch.permute(x, dims)` in PyTorch's layout. */
export const permute: LayerBuilder<"Permute"> = (_b, c) => (inputs, ctx) => {
  const x = ctx.torchOf(only(inputs));
  return torchValue(
    ctx.tf.transpose(
      x,
      c.dims.map((d) => (d < 0 ? d + x.rank : d)),
    ),
  );
};
