import type * as tfc from "@tensorflow/tfjs-core";
import { nhwc, torch as torchValue } from "../value";
import { only, padCrop, type LayerBuilder } from "./common";

/** Embedding, Unflatten, PixelShuffle and ZeroPad2d (issue 14). */

/**
 * Embedding: rows of the weight selected by the (integer-valued) input. With paddingIdx, the
 * weight's row is masked so that it receives no gradient, as PyTorch; the row is zero from
 * initialisation on, so the output is PyTorch's.
 */
export const embedding: LayerBuilder<"Embedding"> = (b, c) => {
  const tf = b.tf;
  const weight = b.tensor("weight");
  const { numEmbeddings: rows, paddingIdx } = c;
  let mask: tfc.Tensor | null = null;
  if (paddingIdx !== null) {
    const m = new Float32Array(rows).fill(1);
    m[paddingIdx] = 0;
    mask = b.constant(m, [rows, 1]);
  }
  return (inputs, ctx) => {
    const x = ctx.torchOf(only(inputs));
    const indices = tf.cast(tf.reshape(x, [-1]), "int32");
    const table = mask ? tf.mul(weight, mask) : weight;
    // gather's gradient needs UnsortedSegmentSum, which the WebAssembly backend lacks: there, a
    // one-hot product (exact: one term per row; its gradient Oᵀ·dy), which costs tokens × rows.
    const rowsOf = tf.getKernel("UnsortedSegmentSum", tf.getBackend())
      ? tf.gather(table, indices)
      : tf.matMul(tf.cast(tf.oneHot(indices, rows), "float32"), table);
    return torchValue(tf.reshape(rowsOf, [...x.shape, c.embeddingDim]));
  };
};

export const unflatten: LayerBuilder<"Unflatten"> = (b, c) => (inputs, ctx) => {
  const x = ctx.torchOf(only(inputs));
  const axis = c.dim < 0 ? c.dim + x.rank : c.dim;
  return torchValue(b.tf.reshape(x, [...x.shape.slice(0, axis), ...c.unflattenedSize, ...x.shape.slice(axis + 1)]));
};

/** [*, C·r², H, W] → [*, C, H·r, W·r]: channel c·r² + i·r + j goes to row h·r + i, column w·r + j. */
export const pixelShuffle: LayerBuilder<"PixelShuffle"> = (b, c) => (inputs, ctx) => {
  const tf = b.tf;
  const r = c.upscaleFactor;
  const x = ctx.torchOf(only(inputs));
  const lead = x.shape.slice(0, -3);
  const [ch, h, w] = x.shape.slice(-3) as [number, number, number];
  const m = lead.reduce((p, d) => p * d, 1);
  const oc = ch / (r * r);
  // One 5-D transpose: [M·C, i, j, H, W] → [M·C, H, i, W, j].
  const shuffled = tf.transpose(tf.reshape(x, [m * oc, r, r, h, w]), [0, 3, 1, 4, 2]);
  return torchValue(tf.reshape(shuffled, [...lead, oc, h * r, w * r]));
};

/** ZeroPad2d: (left, right, top, bottom) on the last two axes; negative amounts crop, as PyTorch. */
export const zeroPad2d: LayerBuilder<"ZeroPad2d"> = (b, c) => {
  const [left, right, top, bottom] = c.padding as [number, number, number, number];
  return (inputs, ctx) => {
    const v = only(inputs);
    if (v.t.rank === 4)
      return nhwc(
        padCrop(b.tf, ctx.nhwcOf(v), [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ]),
      );
    return torchValue(
      padCrop(b.tf, ctx.torchOf(v), [
        [0, 0],
        [top, bottom],
        [left, right],
      ]),
    );
  };
};
