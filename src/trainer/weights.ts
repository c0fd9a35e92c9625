import type * as tfc from "@tensorflow/tfjs-core";
import type { LoadedCheckpoint } from "./checkpoint";
import type { CompiledModel, TF } from "./model/types";

/**
 * A compiled model's weights (parameters, then buffers, by PyTorch `state_dict` name) against a
 * checkpoint: the check that they fit, and their assignment. Used to resume a run
 * (TrainingLoop.restore) and to inspect a checkpoint (Inspector).
 */

function weightsOf(model: CompiledModel): [string, tfc.Variable][] {
  return [...model.parameters, ...model.buffers];
}

/** Why the checkpoint's parameters and buffers do not fit the model (a missing, extra or differently shaped tensor), or null. */
export function checkpointMisfit(ck: LoadedCheckpoint, model: CompiledModel): string | null {
  const named = weightsOf(model);
  for (const [name, v] of named) {
    const t = ck.tensors.get(name);
    if (t === undefined) return `${ck.file} has no tensor ${name} (the model changed since the checkpoint?)`;
    if (t.shape.join(",") !== v.shape.join(",")) return `${ck.file}: ${name} has shape [${t.shape.join(", ")}] but the model's is [${v.shape.join(", ")}]`;
  }
  const modelNames = new Set(named.map(([n]) => n));
  const extra = [...ck.tensors.values()].filter((t) => t.kind !== "optimizer" && !modelNames.has(t.name)).map((t) => t.name);
  if (extra.length > 0)
    return `${ck.file} has tensors the model lacks: ${extra.slice(0, 5).join(", ")}${extra.length > 5 ? ", …" : ""} (the model changed since the checkpoint?)`;
  return null;
}

/** Assigns every parameter and buffer from `values` (checked first with `checkpointMisfit`, or a copy made by `copyWeights`). */
export function assignWeights(tf: TF, model: CompiledModel, values: ReadonlyMap<string, { data: Float32Array }>): void {
  for (const [name, v] of weightsOf(model)) {
    const t = values.get(name);
    if (t === undefined) throw new Error(`no value for ${name}`);
    tf.tidy(() => v.assign(tf.tensor(v.dtype === "int32" ? Int32Array.from(t.data, Math.round) : t.data, v.shape, v.dtype)));
  }
}

/** A copy of the model's current parameters and buffers, as float32 values. */
export function copyWeights(model: CompiledModel): Map<string, { shape: number[]; data: Float32Array }> {
  return new Map(weightsOf(model).map(([name, v]) => [name, { shape: v.shape.slice(), data: Float32Array.from(v.dataSync()) }]));
}
