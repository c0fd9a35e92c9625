import type * as tfc from "@tensorflow/tfjs-core";
import { torch as torchValue } from "../value";
import { only, type LayerBuilder } from "./common";

/** Linear: y = x·Wᵀ + b over the last dimension (PyTorch layout; a 4-D map is made NCHW first). */
export const linear: LayerBuilder<"Linear"> = (b, c) => {
  const tf = b.tf;
  const { inFeatures: inF, outFeatures: outF } = c;
  const weight = b.tensor("weight");
  const bias = c.bias ? b.tensor("bias") : null;
  return (inputs, ctx) => {
    const x = ctx.torchOf(only(inputs));
    const lead = x.shape.slice(0, -1);
    const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, inF]);
    let y: tfc.Tensor = tf.matMul(x2 as tfc.Tensor2D, weight as tfc.Tensor2D, false, true);
    if (bias) y = tf.add(y, bias);
    return torchValue(x.rank === 2 ? y : tf.reshape(y, [...lead, outF]));
  };
};
