/**
 * What CNN Studio's webview panels share: their kinds and view types, tensors as they travel
 * (binary `Float32Array`s, never JSON arrays), checkpoints, inputs, and the messages every panel
 * understands (`ready`, `log`).
 */
import type { ReceptiveField } from "../analysis";
import { anyOf, arr, bool, checked, f32, int, Invalid, literal, nat, nullable, num, obj, oneOf, str, tuple2, type V } from "../validate";

export type PanelKind = "curves" | "featureMaps" | "filters" | "receptiveField" | "graph" | "evaluation";
export const PANEL_KINDS: readonly PanelKind[] = ["curves", "featureMaps", "filters", "receptiveField", "graph", "evaluation"];

/** `WebviewPanel` view types (also the ids for `registerWebviewPanelSerializer` / `onWebviewPanel:`). */
export const PANEL_VIEW_TYPES: Readonly<Record<PanelKind, string>> = {
  curves: "cnnStudio.curves",
  featureMaps: "cnnStudio.featureMaps",
  filters: "cnnStudio.filters",
  receptiveField: "cnnStudio.receptiveField",
  graph: "cnnStudio.graph",
  evaluation: "cnnStudio.evaluation",
};

/** A tensor as it travels: row-major values (`[C, H, W]` for one sample's feature maps). */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export const tensor: V<Tensor> = (v, at) => {
  const t = obj({ shape: arr(nat, { max: 8 }), data: f32 })(v, at);
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (size !== t.data.length) throw new Invalid(`${at}.data has ${t.data.length} values but shape [${t.shape.join(", ")}] needs ${size}`);
  return t;
};

/** A `Tensor` of exactly `rank` dimensions. */
export function tensorOfRank(rank: number): V<Tensor> {
  return (v, at) => {
    const t = tensor(v, at);
    if (t.shape.length !== rank) throw new Invalid(`${at}.shape must have ${rank} dimensions, got [${t.shape.join(", ")}]`);
    return t;
  };
}

export const receptiveField: V<ReceptiveField> = anyOf<ReceptiveField>(
  obj({ size: tuple2(num({ min: 0 })), jump: tuple2(num({ min: 0 })), start: tuple2(num()) }),
  obj({ wholeInput: literal(true) }),
);

/** Something a panel could not do, and why (shown to the user as a "not available" state). */
export interface Availability {
  available: boolean;
  /** Why not (or a note when available); "" when there is nothing to say. */
  reason: string;
}

export const availability: V<Availability> = obj({ available: bool, reason: str });

/** A saved checkpoint of a training run (`id` is the path of its `.json` index). */
export interface CheckpointInfo {
  id: string;
  /** The run folder. */
  run: string;
  /** The run folder's name, e.g. `2026-11-23-101500-ourCnn`. */
  runName: string;
  epoch: number;
  globalStep: number;
  /** What to show, e.g. `2026-11-23-101500-ourCnn · epoch 3`. */
  label: string;
}

export const checkpointInfo: V<CheckpointInfo> = obj({ id: str, run: str, runName: str, epoch: nat, globalStep: nat, label: str });

/** The dataset of the model's runs, as far as the panels need it (for choosing a sample). */
export interface DatasetSummary {
  name: string;
  channels: number;
  height: number;
  width: number;
  classNames: string[];
  trainCount: number;
  validationCount: number;
}

export const datasetSummary: V<DatasetSummary> = obj({
  name: str,
  channels: num({ int: true, min: 1 }),
  height: num({ int: true, min: 1 }),
  width: num({ int: true, min: 1 }),
  classNames: arr(str),
  trainCount: nat,
  validationCount: nat,
});

/**
 * The input of a forward pass: a dataset sample, or pixels the user gave (an image file, or a
 * digit drawn on a canvas), as `[C, H, W]` values in [0, 1] already resized to the model's input;
 * the trainer normalises them as it normalises the dataset.
 */
export type InputSpec =
  { kind: "sample"; split: "train" | "validation"; index: number } | { kind: "pixels"; source: "file" | "drawing"; name: string; tensor: Tensor };

export const inputSpec: V<InputSpec> = (v, at) => {
  const kind = oneOf(["sample", "pixels"] as const)((v as { kind?: unknown } | null)?.kind, `${at}.kind`);
  if (kind === "sample") return obj({ kind: literal("sample"), split: oneOf(["train", "validation"] as const), index: nat })(v, at);
  return obj({ kind: literal("pixels"), source: oneOf(["file", "drawing"] as const), name: str, tensor: tensorOfRank(3) })(v, at);
};

export const shape3: V<[number, number, number]> = (v, at) => {
  const s = arr(nat)(v, at);
  if (s.length !== 3) throw new Invalid(`${at} must be [C, H, W], got [${s.join(", ")}]`);
  return [s[0]!, s[1]!, s[2]!];
};

/** A layer whose output has a spatial extent, as the feature-map and receptive-field panels list it. */
export interface SpatialLayer {
  /** The graph node (`ModelAnalysis.graph[i].id`). */
  nodeId: number;
  /** Module path, or the operation (`add`, `cat`), or `input`. */
  label: string;
  type: string;
  /** One sample's output: `[C, H, W]`. */
  shape: [number, number, number];
  receptiveField: ReceptiveField | null;
}

export const spatialLayer: V<SpatialLayer> = obj({
  nodeId: int,
  label: str,
  type: str,
  shape: (v, at) => shape3(v, at),
  receptiveField: nullable(receptiveField),
});

/** Which model a panel shows: the document (URI and file path) and the exported model's name. */
export interface ModelRef {
  uri: string;
  file: string;
  model: string;
}

export const modelRef: V<ModelRef> = obj({ uri: str, file: str, model: str });

/** Messages every panel sends: `ready` when loaded (the host answers with a snapshot), `log` for errors in the webview. */
export type CommonToHost = { type: "ready" } | { type: "log"; level: "info" | "warning" | "error"; message: string };

export const readyMessage: V<{ type: "ready" }> = obj({ type: literal("ready") });
export const logMessage: V<{ type: "log"; level: "info" | "warning" | "error"; message: string }> = obj({
  type: literal("log"),
  level: oneOf(["info", "warning", "error"] as const),
  message: str,
});

/** A request that failed (or that nothing can answer): shown in place of its result. */
export interface RequestFailed {
  type: "requestFailed";
  requestId: number;
  message: string;
}

export const requestFailed: V<RequestFailed> = obj({ type: literal("requestFailed"), requestId: int, message: str });

/** Feature maps of one forward pass: the input as the model saw it (unnormalised), and each requested node's output. */
export interface FeatureMapsResult {
  type: "featureMaps";
  requestId: number;
  checkpoint: string | null;
  /** `[C, H, W]`. */
  input: Tensor;
  /** The sample's class, when the input is a labelled sample. */
  label: number | null;
  /** One sample's outputs, `[C, H, W]` (a flat output arrives as `[C, 1, 1]`). */
  maps: { nodeId: number; tensor: Tensor }[];
}

export const featureMapsResult: V<FeatureMapsResult> = obj({
  type: literal("featureMaps"),
  requestId: int,
  checkpoint: nullable(str),
  input: tensorOfRank(3),
  label: nullable(nat),
  maps: arr(obj({ nodeId: int, tensor: tensorOfRank(3) })),
});

/** A forward pass to compute (answered by `featureMaps` or `requestFailed`). */
export interface ComputeRequest {
  type: "compute";
  requestId: number;
  /** A checkpoint id (`CheckpointInfo.id`), or null for the untrained (freshly initialised) model. */
  checkpoint: string | null;
  input: InputSpec;
  nodeIds: number[];
}

export const computeRequest: V<ComputeRequest> = obj({
  type: literal("compute"),
  requestId: int,
  checkpoint: nullable(str),
  input: inputSpec,
  nodeIds: arr(int, { min: 1 }),
});

export const checkpointsMessage: V<{ type: "checkpoints"; checkpoints: CheckpointInfo[] }> = obj({
  type: literal("checkpoints"),
  checkpoints: arr(checkpointInfo),
});

/**
 * What a panel keeps in its webview state (`setState`) so the host can re-create it after a window
 * reload (`registerWebviewPanelSerializer` hands the state back): the model shown, or the runs.
 */
export interface RestoreInfo {
  model: ModelRef | null;
  runs: string[] | null;
}

export const restoreInfo: V<RestoreInfo> = obj({ model: nullable(modelRef), runs: nullable(arr(str)) });

/** The `restore` field of a panel's saved webview state, or null when it has none (or a bad one). */
export function restoreInfoOf(state: unknown): RestoreInfo | null {
  if (typeof state !== "object" || state === null) return null;
  const r = checked(() => restoreInfo((state as { restore?: unknown }).restore, "state.restore"));
  return r.ok ? r.value : null;
}
