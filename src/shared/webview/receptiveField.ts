/**
 * Messages of the receptive-field panel (`webview/receptiveField`). The theoretical field comes
 * from the analysis (in the snapshot); the effective field needs the gradient of one unit with
 * respect to the input, which only the trainer can compute (`requestInputGradient`).
 */
import {
  availability,
  checkpointInfo,
  checkpointsMessage,
  computeRequest,
  datasetSummary,
  featureMapsResult,
  inputSpec,
  logMessage,
  modelRef,
  readyMessage,
  requestFailed,
  shape3,
  spatialLayer,
  tensorOfRank,
  type Availability,
  type CheckpointInfo,
  type CommonToHost,
  type ComputeRequest,
  type DatasetSummary,
  type FeatureMapsResult,
  type InputSpec,
  type ModelRef,
  type RequestFailed,
  type SpatialLayer,
  type Tensor,
} from "./common";
import { arr, int, literal, nat, nullable, obj, str, tagged, type V } from "../validate";

/** One output unit of a layer: a channel (null = all channels summed) at (y, x). */
export interface Unit {
  channel: number | null;
  y: number;
  x: number;
}

export const unit: V<Unit> = obj({ channel: nullable(nat), y: nat, x: nat });

export interface ReceptiveFieldSnapshot {
  type: "snapshot";
  model: ModelRef;
  inputShape: [number, number, number] | null;
  layers: SpatialLayer[];
  checkpoints: CheckpointInfo[];
  dataset: DatasetSummary | null;
  /** Forward passes (to show the input and the layer's feature map to click on). */
  featureMaps: Availability;
  /** Input gradients (the effective receptive field). */
  gradients: Availability;
}

/** d(unit)/d(input) for one input: the effective receptive field is its magnitude. */
export interface InputGradientResult {
  type: "inputGradient";
  requestId: number;
  nodeId: number;
  unit: Unit;
  checkpoint: string | null;
  /** `[C, H, W]`, unnormalised. */
  input: Tensor;
  /** `[C, H, W]`, same shape as the input. */
  gradient: Tensor;
}

export interface InputGradientRequest {
  type: "requestInputGradient";
  requestId: number;
  checkpoint: string | null;
  input: InputSpec;
  nodeId: number;
  unit: Unit;
}

export type ReceptiveFieldToWebview =
  ReceptiveFieldSnapshot | { type: "checkpoints"; checkpoints: CheckpointInfo[] } | FeatureMapsResult | InputGradientResult | RequestFailed;

export type ReceptiveFieldToHost = CommonToHost | ComputeRequest | InputGradientRequest;

export const validateReceptiveFieldToWebview = tagged<ReceptiveFieldToWebview>("receptive-field host→webview", {
  snapshot: obj({
    type: literal("snapshot"),
    model: modelRef,
    inputShape: nullable(shape3),
    layers: arr(spatialLayer),
    checkpoints: arr(checkpointInfo),
    dataset: nullable(datasetSummary),
    featureMaps: availability,
    gradients: availability,
  }),
  checkpoints: checkpointsMessage,
  featureMaps: featureMapsResult,
  inputGradient: obj({
    type: literal("inputGradient"),
    requestId: int,
    nodeId: int,
    unit,
    checkpoint: nullable(str),
    input: tensorOfRank(3),
    gradient: tensorOfRank(3),
  }),
  requestFailed,
});

export const validateReceptiveFieldToHost = tagged<ReceptiveFieldToHost>("receptive-field webview→host", {
  ready: readyMessage,
  log: logMessage,
  compute: computeRequest,
  requestInputGradient: obj({ type: literal("requestInputGradient"), requestId: int, checkpoint: nullable(str), input: inputSpec, nodeId: int, unit }),
});
