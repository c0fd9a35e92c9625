/**
 * Messages of the feature-map panel (`webview/featureMaps`): pick a checkpoint (or the untrained
 * model), an input and a layer; the host computes the forward pass (through the trainer) and sends
 * the activations back as binary tensors. For an attention layer, the attention weights instead.
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
  type Tensor,
  tensorOfRank,
  inputSpec,
  type InputSpec,
} from "./common";
import { arr, int, literal, nat, nullable, num, obj, str, tagged, tuple2 } from "../validate";

/**
 * An attention layer (an `nn.MultiheadAttention` call): its queries attend over `keys` tokens.
 * When the keys are image patches, `grid` is their `[rows, columns]` on the input and `firstPatch`
 * the index of the first patch token (1 after a class token, else 0); null when they are not.
 */
export interface AttentionLayer {
  nodeId: number;
  label: string;
  heads: number;
  queries: number;
  keys: number;
  grid: [number, number] | null;
  firstPatch: number;
}

const attentionLayer = obj({ nodeId: int, label: str, heads: nat, queries: nat, keys: nat, grid: nullable(tuple2(nat)), firstPatch: nat });

/** The attention weights of one layer for one input (answers an `attention` request). */
export interface AttentionResult {
  type: "attentionMaps";
  requestId: number;
  checkpoint: string | null;
  input: Tensor;
  label: number | null;
  nodeId: number;
  /** `[heads, queries, keys]`; each row sums to 1. */
  weights: Tensor;
}

/** Compute the attention weights of attention layer `nodeId` (answered by `attentionMaps` or `requestFailed`). */
export interface AttentionRequest {
  type: "attention";
  requestId: number;
  checkpoint: string | null;
  input: InputSpec;
  nodeId: number;
}

/**
 * Issue 18: what the model predicts for the input and, for a layer with a spatial output, Grad-CAM
 * of a class there (null: the predicted class). `nodeId` null: the predictions only.
 */
export interface ExplainRequest {
  type: "explain";
  requestId: number;
  checkpoint: string | null;
  input: InputSpec;
  nodeId: number | null;
  classIndex: number | null;
}

/** The answer to `explain`: every class's probability, and the Grad-CAM map `[1, h, w]` (not normalised) of `classIndex`; `error` when it failed. */
export interface ExplainResult {
  type: "explained";
  requestId: number;
  nodeId: number | null;
  classIndex: number | null;
  cam: Tensor | null;
  probabilities: number[];
  error: string | null;
}

export interface FeatureMapsSnapshot {
  type: "snapshot";
  model: ModelRef;
  /** The model's (first) input, one sample: `[C, H, W]`; null when the analysis has none with a spatial extent. */
  inputShape: [number, number, number] | null;
  /** Every graph node with a `[C, H, W]` output, in graph order (the input first). */
  layers: SpatialLayer[];
  /** The attention layers, in graph order. */
  attention: AttentionLayer[];
  /** Newest first. */
  checkpoints: CheckpointInfo[];
  dataset: DatasetSummary | null;
  /** Whether forward passes can be computed (a trainer is reachable), and why not. */
  compute: Availability;
}

export type FeatureMapsToWebview =
  FeatureMapsSnapshot | { type: "checkpoints"; checkpoints: CheckpointInfo[] } | FeatureMapsResult | AttentionResult | RequestFailed | ExplainResult;

export type FeatureMapsToHost = CommonToHost | ComputeRequest | AttentionRequest | ExplainRequest;

export const validateFeatureMapsToWebview = tagged<FeatureMapsToWebview>("feature-maps host→webview", {
  snapshot: obj({
    type: literal("snapshot"),
    model: modelRef,
    inputShape: nullable(shape3),
    layers: arr(spatialLayer),
    attention: arr(attentionLayer),
    checkpoints: arr(checkpointInfo),
    dataset: nullable(datasetSummary),
    compute: availability,
  }),
  checkpoints: checkpointsMessage,
  featureMaps: featureMapsResult,
  attentionMaps: obj({
    type: literal("attentionMaps"),
    requestId: int,
    checkpoint: nullable(str),
    input: tensorOfRank(3),
    label: nullable(nat),
    nodeId: int,
    weights: tensorOfRank(3),
  }),
  requestFailed,
  explained: obj({
    type: literal("explained"),
    requestId: int,
    nodeId: nullable(int),
    classIndex: nullable(nat),
    cam: nullable(tensorOfRank(3)),
    probabilities: arr(num({ min: 0, max: 1 })),
    error: nullable(str),
  }),
});

export const validateFeatureMapsToHost = tagged<FeatureMapsToHost>("feature-maps webview→host", {
  ready: readyMessage,
  log: logMessage,
  compute: computeRequest,
  attention: obj({ type: literal("attention"), requestId: int, checkpoint: nullable(str), input: inputSpec, nodeId: int }),
  explain: obj({ type: literal("explain"), requestId: int, checkpoint: nullable(str), input: inputSpec, nodeId: nullable(int), classIndex: nullable(nat) }),
});
