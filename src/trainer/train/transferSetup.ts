import type { ModelAnalysis } from "../../shared/analysis";
import type { TrainConfig } from "../../shared/trainConfig";
import type { CompiledModel } from "../model/types";
import { planTransfer, type ModelNames, type TransferPlan } from "./freeze";

/**
 * The TensorFlow.js engine's transfer-learning set-up (issue 15): the plan of --freeze and
 * --lr-for for the compiled model, checked before a run folder is created.
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
