import type * as tfc from "@tensorflow/tfjs-core";
import type { CompiledModel, TF } from "../model/types";
import { crossEntropy } from "./loss";

/**
 * One shard of a data-parallel step (./dataParallel.ts): the gradients of a part of the batch, in
 * the main thread or in a gradient worker (./shardWorker.ts). The shard's mean cross-entropy is
 * scaled by its share of the global batch (n / N), so the shards' gradients and losses add up to
 * those of the whole batch's mean, as one process computes them (up to float rounding).
 */

/** What a shard's step needs besides the data (a classification step: no segmentation target). */
export interface ShardOptions {
  labelSmoothing: number;
  /** Modules that run in evaluation mode (frozen BatchNorm layers). */
  evalModules?: ReadonlySet<string>;
  /** The size of the global batch this shard is part of. */
  globalBatch: number;
}

/** A shard's results, kept out of any tidy: the caller disposes them. */
export interface ShardGradients {
  /** The shard's share of the global batch's mean loss (its mean loss × n / N). */
  loss: tfc.Scalar;
  logits: tfc.Tensor;
  /** Gradients by `state_dict` name (frozen parameters have none). */
  grads: Map<string, tfc.Tensor>;
}

export function shardGradients(
  tf: TF,
  model: CompiledModel,
  params: tfc.Variable[],
  varToParam: ReadonlyMap<string, string>,
  x: Float32Array,
  shape: [number, number, number, number],
  labels: Int32Array,
  options: ShardOptions,
): ShardGradients {
  const grads = new Map<string, tfc.Tensor>();
  const hold: { logits?: tfc.Tensor } = {};
  const share = shape[0] / options.globalBatch;
  const loss = tf.tidy(() => {
    const input = tf.tensor4d(x, shape);
    const { value, grads: byVar } = tf.variableGrads(() => {
      const out = model.apply([input], true, options.evalModules);
      hold.logits = tf.keep(out);
      const mean = crossEntropy(tf, out, labels, options.labelSmoothing);
      return share === 1 ? mean : tf.mul(mean, share);
    }, params);
    for (const [vn, g] of Object.entries(byVar)) {
      const p = varToParam.get(vn);
      if (p !== undefined && g) grads.set(p, tf.keep(g));
    }
    return value;
  });
  return { loss, logits: hold.logits!, grads };
}

/** The names of a model's float buffers (running statistics; not the int32 `num_batches_tracked`). */
export function floatBuffers(model: CompiledModel): string[] {
  return [...model.buffers].filter(([, v]) => v.dtype === "float32").map(([name]) => name);
}

/** The values of these variables, one after another in one array. */
export function packVariables(vars: readonly tfc.Variable[]): Float32Array {
  const out = new Float32Array(vars.reduce((a, v) => a + v.size, 0));
  let at = 0;
  for (const v of vars) {
    out.set(v.dataSync() as Float32Array, at);
    at += v.size;
  }
  return out;
}

/** Assigns the packed values (from `packVariables` of variables of the same shapes) to these variables. */
export function unpackVariables(tf: TF, vars: readonly tfc.Variable[], packed: Float32Array): void {
  let at = 0;
  for (const v of vars) {
    const t = tf.tensor(packed.subarray(at, at + v.size), v.shape, "float32");
    v.assign(t);
    t.dispose();
    at += v.size;
  }
  if (at !== packed.length) throw new Error(`expected ${at} values, got ${packed.length}`);
}
