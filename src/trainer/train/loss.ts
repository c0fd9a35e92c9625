import type * as tfc from "@tensorflow/tfjs-core";
import type { TF } from "../model/types";

/**
 * Cross-entropy of logits [N, K] against integer labels, averaged over the batch (PyTorch's
 * `F.cross_entropy`, reduction "mean"). Its gradient is written out, (softmax − one-hot)/N, so the
 * loss needs no registered gradient kernels and is as exact as the forward pass. With
 * `labelSmoothing` ε (nn.CrossEntropyLoss(label_smoothing=ε)) the target is (1 − ε)·one-hot + ε/K,
 * the loss (1 − ε)·NLL + ε·mean over classes of −log p, the gradient (softmax − target)/N.
 */
export function crossEntropy(tf: TF, logits: tfc.Tensor, labels: Int32Array, labelSmoothing = 0): tfc.Scalar {
  const [n, k] = logits.shape as [number, number];
  const hard = tf.oneHot(tf.tensor1d(labels, "int32"), k);
  const oneHot = labelSmoothing === 0 ? hard : tf.add(tf.mul(hard, 1 - labelSmoothing), labelSmoothing / k);
  const f = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const [z, y, save] = args as [tfc.Tensor, tfc.Tensor, tfc.GradSaveFunc];
    const logp = tf.logSoftmax(z as tfc.Tensor2D);
    save([logp, y]);
    return {
      value: tf.div(tf.neg(tf.sum(tf.mul(logp, y))), n) as tfc.Scalar,
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const [lp, yy] = saved as [tfc.Tensor, tfc.Tensor];
        return [tf.mul(tf.div(tf.sub(tf.exp(lp), yy), n), dy), tf.zerosLike(yy)];
      },
    };
  });
  return f(logits, oneHot) as tfc.Scalar;
}

/** Correct top-1 and top-k predictions of row-major logits [n, k] (ties: the lower index wins, like argmax). */
export function countCorrect(logits: Float32Array, n: number, k: number, labels: Int32Array, topK: number): { top1: number; topK: number } {
  let top1 = 0;
  let topk = 0;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    const label = labels[i]!;
    const target = logits[row + label]!;
    // rank of the label = how many classes score higher (or equal with a lower index)
    let rank = 0;
    for (let j = 0; j < k; j++) {
      const v = logits[row + j]!;
      if (v > target || (v === target && j < label) || Number.isNaN(v)) rank++;
    }
    if (rank === 0) top1++;
    if (rank < topK) topk++;
  }
  return { top1, topK: topk };
}
