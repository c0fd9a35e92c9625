import type * as tfc from "@tensorflow/tfjs-core";
import { fail, ok, type Result } from "./data/index";
import type { CompiledModel, TF } from "./model/types";

/**
 * Issue 18: what a trained model predicts for one input and what it looks at, for the feature-map
 * panel (answered by the Inspector, src/trainer/inspect.ts).
 *
 * - `classProbabilities`: the softmax of the logits, in evaluation mode.
 * - `gradCam` (Selvaraju et al., 2017): at a layer with activation A `[C, h, w]`, the weight of
 *   channel k is the spatial mean of d y_c / d A_k, where y_c is the score (logit) of class c;
 *   the map is ReLU(Σ_k α_k A_k), `[h, w]` at the layer's resolution and not normalised (the
 *   panel scales and upsamples it). The gradient with respect to the activation is that with respect
 *   to a zero offset added to it (CompiledModel.outputWithOffset). test/trainer/gradcam_reference.py
 *   computes the same with PyTorch hooks.
 */

export interface GradCam {
  /** The class explained: the given one, or the predicted (first highest score). */
  classIndex: number;
  /** `[h, w]` row-major. */
  cam: Float32Array;
  height: number;
  width: number;
  probabilities: number[];
}

const argmax = (v: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
};

/** The softmax of the model's logits `[1, k]` for one NCHW input `[1, C, H, W]`. */
export function classProbabilities(tf: TF, model: CompiledModel, x: tfc.Tensor4D): Result<number[]> {
  const out = tf.tidy(() => model.apply([x], false));
  try {
    if (out.rank !== 2 || out.shape[0] !== 1) return fail(`the model outputs [${out.shape.join(", ")}], not class scores [1, classes]`);
    return ok(Array.from(tf.tidy(() => tf.softmax(out as tfc.Tensor2D)).dataSync()));
  } finally {
    out.dispose();
  }
}

/** Grad-CAM of `classIndex` (null: the predicted class) at graph node `nodeId`, whose output for one sample is `[C, h, w]`. */
export function gradCam(
  tf: TF,
  model: CompiledModel,
  x: tfc.Tensor4D,
  nodeId: number,
  layer: [number, number, number],
  classIndex: number | null,
): Result<GradCam> {
  const probs = classProbabilities(tf, model, x);
  if (!probs.ok) return probs;
  const k = probs.value.length;
  if (classIndex !== null && classIndex >= k) return fail(`class ${classIndex} is out of range: the model has ${k} classes (0 to ${k - 1})`);
  const c = classIndex ?? argmax(probs.value);
  const [C, h, w] = layer;
  const cam = tf.tidy(() => {
    const score = (offset: tfc.Tensor): tfc.Tensor => {
      const { output } = model.outputWithOffset([x], nodeId, offset);
      return tf.sum(tf.slice(tf.reshape(output, [-1]), [c], [1]));
    };
    const zero = tf.zeros([1, C, h, w]);
    const grad = tf.reshape(tf.grad(score)(zero), [C, h * w]);
    const { activation } = model.outputWithOffset([x], nodeId, zero);
    const a = tf.reshape(activation, [C, h * w]);
    const alpha = tf.mean(grad, 1, true); // [C, 1]
    return tf.relu(tf.sum(tf.mul(alpha, a), 0));
  });
  const data = Float32Array.from(cam.dataSync());
  cam.dispose();
  return ok({ classIndex: c, cam: data, height: h, width: w, probabilities: probs.value });
}
