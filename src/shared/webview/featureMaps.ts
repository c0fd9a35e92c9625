/**
 * Messages of the feature-map panel (`webview/featureMaps`): pick a checkpoint (or the untrained
 * model), an input and a layer; the host computes the forward pass (through the trainer) and sends
 * the activations back as binary tensors.
 */
import {
  availability,
  checkpointInfo,
  checkpointsMessage,
  computeRequest,
  datasetSummary,
  featureMapsResult,
  logMessage,
  modelRef,
  readyMessage,
  requestFailed,
  shape3,
  spatialLayer,
  type Availability,
  type CheckpointInfo,
  type CommonToHost,
  type ComputeRequest,
  type DatasetSummary,
  type FeatureMapsResult,
  type ModelRef,
  type RequestFailed,
  type SpatialLayer,
} from "./common";
import { arr, literal, nullable, obj, tagged } from "../validate";

export interface FeatureMapsSnapshot {
  type: "snapshot";
  model: ModelRef;
  /** The model's (first) input, one sample: `[C, H, W]`; null when the analysis has none with a spatial extent. */
  inputShape: [number, number, number] | null;
  /** Every graph node with a `[C, H, W]` output, in graph order (the input first). */
  layers: SpatialLayer[];
  /** Newest first. */
  checkpoints: CheckpointInfo[];
  dataset: DatasetSummary | null;
  /** Whether forward passes can be computed (a trainer is reachable), and why not. */
  compute: Availability;
}

export type FeatureMapsToWebview = FeatureMapsSnapshot | { type: "checkpoints"; checkpoints: CheckpointInfo[] } | FeatureMapsResult | RequestFailed;

export type FeatureMapsToHost = CommonToHost | ComputeRequest;

export const validateFeatureMapsToWebview = tagged<FeatureMapsToWebview>("feature-maps host→webview", {
  snapshot: obj({
    type: literal("snapshot"),
    model: modelRef,
    inputShape: nullable(shape3),
    layers: arr(spatialLayer),
    checkpoints: arr(checkpointInfo),
    dataset: nullable(datasetSummary),
    compute: availability,
  }),
  checkpoints: checkpointsMessage,
  featureMaps: featureMapsResult,
  requestFailed,
});

export const validateFeatureMapsToHost = tagged<FeatureMapsToHost>("feature-maps webview→host", {
  ready: readyMessage,
  log: logMessage,
  compute: computeRequest,
});
