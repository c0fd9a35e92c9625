import type { ModelAnalysis } from "../../shared/analysis";
import type { TrainConfig } from "../../shared/trainConfig";
import type { CompiledModel, TF } from "../model/types";
import { matchWeights, type WeightsMatch } from "../weightFiles/match";
import { compiledTensorSpecs } from "../weightFiles/modelTensors";
import { readWeightsFile } from "../weightFiles/readWeights";
import { resolveWeightsSource } from "../weightFiles/weightsSource";
import type { Read } from "../weightFiles/stateDict";
import { planTransfer, type ModelNames, type TransferPlan } from "./freeze";

/**
 * The TensorFlow.js engine's transfer-learning set-up (issue 15): the plan of --freeze and
 * --lr-for for the compiled model and the --weights file read and matched, both checked before a
 * run folder is created; then the matched tensors loaded into the model.
 */

/** BatchNorm kinds whose running statistics a frozen layer keeps (PyTorch's `_BatchNorm` subclasses). */
export const BATCH_NORM = /^BatchNorm[123]d$/;

/** The names --freeze and --lr-for are matched against: the compiled model's parameters, buffers and BatchNorm layers. */
export function modelNames(analysis: ModelAnalysis, compiled: CompiledModel): ModelNames {
  return {
    model: analysis.name,
    parameters: [...compiled.parameters.keys()],
    buffers: [...compiled.buffers.keys()],
    batchNorms: analysis.modules.filter((m) => BATCH_NORM.test(m.type)).map((m) => m.path),
  };
}

/** The run's transfer plan; a string is the error (a glob that matches nothing, named). */
export function transferPlan(config: TrainConfig, analysis: ModelAnalysis, compiled: CompiledModel): TransferPlan | string {
  return planTransfer(config.transfer, modelNames(analysis, compiled));
}

/** The --weights file read and matched against the compiled model (null: the run has none, or resumes from its checkpoint). */
export function readRunWeights(config: TrainConfig, analysis: ModelAnalysis, compiled: CompiledModel): Read<WeightsMatch | null> {
  const file = config.transfer?.weights ?? null;
  if (file === null || config.resume !== null) return { ok: true, value: null };
  const source = resolveWeightsSource(file);
  if (!source.ok) return { ok: false, error: `--weights: ${source.error}` };
  const sd = readWeightsFile(source.value);
  if (!sd.ok) return { ok: false, error: `--weights: ${sd.error}` };
  return { ok: true, value: matchWeights(compiledTensorSpecs(analysis, compiled), sd.value) };
}

/** Puts the matched tensors into the model, bit for bit (int32 buffers such as num_batches_tracked rounded); the rest stays as initialised. */
export function loadMatchedWeights(tf: TF, compiled: CompiledModel, match: WeightsMatch): void {
  for (const [name, t] of match.values) {
    const v = compiled.parameters.get(name) ?? compiled.buffers.get(name);
    if (v === undefined) continue;
    tf.tidy(() => v.assign(tf.tensor(v.dtype === "int32" ? Int32Array.from(t.values, Math.round) : t.values, v.shape, v.dtype)));
  }
}
