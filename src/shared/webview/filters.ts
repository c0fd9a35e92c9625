/**
 * Messages of the filters panel (`webview/filters`): the kernels of a convolution layer from a
 * checkpoint (or the untrained model), as one binary tensor `[out, in/groups, kh, kw]`.
 */
import {
  availability,
  checkpointInfo,
  checkpointsMessage,
  logMessage,
  modelRef,
  readyMessage,
  requestFailed,
  tensorOfRank,
  type Availability,
  type CheckpointInfo,
  type CommonToHost,
  type ModelRef,
  type RequestFailed,
  type Tensor,
} from "./common";
import { arr, int, Invalid, literal, nat, nullable, obj, str, tagged, type V } from "../validate";

/** A convolution whose kernels can be shown. */
export interface ConvLayer {
  nodeId: number;
  /** Module path (`layer1.0.conv1`); its weight is the parameter `<path>.weight`. */
  label: string;
  type: string;
  /** PyTorch's weight layout: `[out, in/groups, kh, kw]` for Conv2d, `[in, out/groups, kh, kw]` for ConvTranspose2d. */
  weightShape: [number, number, number, number];
  groups: number;
  /** Whether the layer reads the model input directly (its kernels are shown as images). */
  firstLayer: boolean;
}

export type FiltersToWebview =
  | { type: "snapshot"; model: ModelRef; layers: ConvLayer[]; checkpoints: CheckpointInfo[]; weights: Availability }
  | { type: "checkpoints"; checkpoints: CheckpointInfo[] }
  | { type: "weights"; requestId: number; nodeId: number; checkpoint: string | null; weight: Tensor }
  | RequestFailed;

export type FiltersToHost = CommonToHost | { type: "requestWeights"; requestId: number; checkpoint: string | null; nodeId: number };

const shape4: V<[number, number, number, number]> = (v, at) => {
  const s = arr(nat)(v, at);
  if (s.length !== 4) throw new Invalid(`${at} must have 4 dimensions, got [${s.join(", ")}]`);
  return [s[0]!, s[1]!, s[2]!, s[3]!];
};

export const convLayer: V<ConvLayer> = obj({
  nodeId: int,
  label: str,
  type: str,
  weightShape: shape4,
  groups: nat,
  firstLayer: (v, at) => {
    if (typeof v !== "boolean") throw new Invalid(`${at} must be true or false`);
    return v;
  },
});

export const validateFiltersToWebview = tagged<FiltersToWebview>("filters host→webview", {
  snapshot: obj({ type: literal("snapshot"), model: modelRef, layers: arr(convLayer), checkpoints: arr(checkpointInfo), weights: availability }),
  checkpoints: checkpointsMessage,
  weights: obj({ type: literal("weights"), requestId: int, nodeId: int, checkpoint: nullable(str), weight: tensorOfRank(4) }),
  requestFailed,
});

export const validateFiltersToHost = tagged<FiltersToHost>("filters webview→host", {
  ready: readyMessage,
  log: logMessage,
  requestWeights: obj({ type: literal("requestWeights"), requestId: int, checkpoint: nullable(str), nodeId: int }),
});
