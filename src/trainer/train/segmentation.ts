import type * as tfc from "@tensorflow/tfjs-core";
import type { Augmentation } from "../data/batches";
import { IGNORE_INDEX } from "../data/segFolder";
import type { Split } from "../data/types";
import type { TF } from "../model/types";
import type { Rng } from "../rng";

/**
 * Segmentation training as torchvision's references/segmentation/train.py does it: per-pixel
 * cross-entropy with ignore_index 255 on the output `out`, plus 0.5 × the same loss on `aux` when
 * the model returns one; pixel accuracy and mean IoU from a confusion matrix (its ConfusionMatrix).
 */

export { IGNORE_INDEX };
export const AUX_WEIGHT = 0.5;

/**
 * `F.cross_entropy(logits, target, ignore_index=255)` for logits [N, K, H, W] and targets N×H×W:
 * the mean of −log softmax over the pixels whose target is not 255 (NaN when there are none, as
 * PyTorch's). The gradient is written out, (softmax − one-hot) / valid pixels on valid pixels.
 */
export function pixelCrossEntropy(tf: TF, logits: tfc.Tensor, target: ArrayLike<number>): tfc.Scalar {
  const [n, k, h, w] = logits.shape as [number, number, number, number];
  const rows = n * h * w;
  const hot = new Float32Array(rows * k);
  const valid = new Float32Array(rows);
  let count = 0;
  for (let i = 0; i < rows; i++) {
    const t = target[i]!;
    if (t === IGNORE_INDEX) continue;
    hot[i * k + t] = 1;
    valid[i] = 1;
    count++;
  }
  const y = tf.tensor2d(hot, [rows, k]);
  const mask = tf.tensor2d(valid, [rows, 1]);
  const f = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const [z, yy, m, save] = args as [tfc.Tensor, tfc.Tensor, tfc.Tensor, tfc.GradSaveFunc];
    const flat = tf.reshape(tf.transpose(z, [0, 2, 3, 1]), [rows, k]) as tfc.Tensor2D;
    const logp = tf.logSoftmax(flat);
    save([logp, yy, m]);
    return {
      value: tf.div(tf.neg(tf.sum(tf.mul(logp, yy))), count) as tfc.Scalar,
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const [lp, y2, m2] = saved as [tfc.Tensor, tfc.Tensor, tfc.Tensor];
        const g = tf.mul(tf.div(tf.mul(tf.sub(tf.exp(lp), y2), m2), count), dy);
        return [tf.transpose(tf.reshape(g, [n, h, w, k]), [0, 3, 1, 2]), tf.zerosLike(y2), tf.zerosLike(m2)];
      },
    };
  });
  return f(logits, y, mask) as tfc.Scalar;
}

/** The training loss of torchvision's train.py: the loss of `out`, plus 0.5 × that of `aux` when there is one. */
export function segmentationLoss(tf: TF, outputs: ReadonlyMap<string, tfc.Tensor>, first: tfc.Tensor, target: ArrayLike<number>): tfc.Scalar {
  const loss = pixelCrossEntropy(tf, first, target);
  const aux = outputs.get("aux");
  return aux === undefined || aux === first ? loss : tf.add(loss, tf.mul(pixelCrossEntropy(tf, aux, target), AUX_WEIGHT));
}

/**
 * The masks of a batch, augmented as fillBatch (../data/batches.ts) augments its images: the same
 * draws from an equal generator (crop offsets, then the flip), padding with 255 (ignored).
 */
export function fillMasks(split: Split, indices: ArrayLike<number>, H: number, W: number, augment: Augmentation | null, rng: Rng | null, y: Int32Array): void {
  const masks = split.masks!;
  const P = augment && rng ? augment.cropPadding : 0;
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b]! * H * W;
    const dst = b * H * W;
    const dy = P > 0 ? rng!.int(2 * P + 1) - P : 0;
    const dx = P > 0 ? rng!.int(2 * P + 1) - P : 0;
    const flip = augment !== null && rng !== null && augment.flip && rng.next() < 0.5;
    for (let i = 0; i < H; i++) {
      const si = i + dy;
      for (let j = 0; j < W; j++) {
        const sj = (flip ? W - 1 - j : j) + dx;
        y[dst + i * W + j] = si < 0 || si >= H || sj < 0 || sj >= W ? IGNORE_INDEX : masks[src + si * W + sj]!;
      }
    }
  }
}

/** torchvision's ConfusionMatrix: rows the target class, columns the predicted one; pixels of 255 are left out. */
export class ConfusionMatrix {
  readonly counts: Float64Array;

  constructor(readonly classes: number) {
    this.counts = new Float64Array(classes * classes);
  }

  /** Adds the argmax (ties: the lower index) of NCHW logits against N×H×W targets. */
  add(logits: Float32Array, n: number, target: ArrayLike<number>): void {
    const K = this.classes;
    const hw = logits.length / (n * K);
    for (let b = 0; b < n; b++) {
      for (let p = 0; p < hw; p++) {
        const t = target[b * hw + p]!;
        if (t === IGNORE_INDEX || t >= K) continue;
        let best = 0;
        let max = logits[b * K * hw + p]!;
        for (let c = 1; c < K; c++) {
          const v = logits[(b * K + c) * hw + p]!;
          if (v > max || (Number.isNaN(v) && !Number.isNaN(max))) [best, max] = [c, v];
        }
        this.counts[t * K + best]! += 1;
      }
    }
  }

  get total(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }

  /** Correct pixels over counted pixels (0 when none were counted). */
  pixelAccuracy(): number {
    let diag = 0;
    for (let c = 0; c < this.classes; c++) diag += this.counts[c * this.classes + c]!;
    const total = this.total;
    return total > 0 ? diag / total : 0;
  }

  /** IoU per class, diag / (row + column − diag); NaN for a class in neither targets nor predictions. */
  iou(): number[] {
    const K = this.classes;
    return Array.from({ length: K }, (_, c) => {
      let row = 0;
      let col = 0;
      for (let j = 0; j < K; j++) {
        row += this.counts[c * K + j]!;
        col += this.counts[j * K + c]!;
      }
      const d = this.counts[c * K + c]!;
      const union = row + col - d;
      return union > 0 ? d / union : Number.NaN;
    });
  }

  /** The mean IoU over the classes present in targets or predictions (0 when none). */
  meanIou(): number {
    const present = this.iou().filter((x) => !Number.isNaN(x));
    return present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : 0;
  }
}

/** Sum of −log softmax at the target over the non-ignored pixels of NCHW logits (float64), and their count. */
export function pixelLossSum(logits: Float32Array, n: number, K: number, target: ArrayLike<number>): { sum: number; count: number } {
  const hw = logits.length / (n * K);
  let sum = 0;
  let count = 0;
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < hw; p++) {
      const t = target[b * hw + p]!;
      if (t === IGNORE_INDEX) continue;
      let max = -Infinity;
      for (let c = 0; c < K; c++) max = Math.max(max, logits[(b * K + c) * hw + p]!);
      let s = 0;
      for (let c = 0; c < K; c++) s += Math.exp(logits[(b * K + c) * hw + p]! - max);
      sum += max + Math.log(s) - logits[(b * K + t) * hw + p]!;
      count++;
    }
  }
  return { sum, count };
}
