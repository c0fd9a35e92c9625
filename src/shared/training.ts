/**
 * The protocol between the extension (or the CLI) and the background trainer process, and the
 * training configuration they exchange.
 *
 * Transport: the trainer is a Node child process started with `child_process.fork` and
 * `serialization: "advanced"`; every message is one plain object sent with `process.send`.
 * Advanced serialization is V8's structured clone, so the `Float32Array`s of feature maps travel
 * as binary, not as JSON arrays, and no framing is needed; the child's stdout and stderr stay free
 * for its own logging (the parent keeps their tail for crash reports). Every message is checked on
 * arrival in both directions by `validateRequest` / `validateEvent`: a message of an unknown type
 * or with a bad field is rejected with a message naming the type, the field and the value, never
 * thrown.
 *
 * Epochs and steps are 1-based in events (epoch 1 of 5, step 1 of 125); `globalStep` counts the
 * optimiser steps since the run began (1-based, across epochs and resumes).
 */

import { datasetSummary, inputSpec, tensor, tensorOfRank, type DatasetSummary, type InputSpec, type Tensor } from "./webview/common";
import { unit, type Unit } from "./webview/receptiveField";
import { trainConfigOf, type BackendName, type RunBackend, type TrainConfig } from "./trainConfig";
import { weightsReport, type WeightsReport } from "./weights";
import { EVALUATION_SPLITS, evaluationReport, type EvaluationReport, type EvaluationSplit } from "./evaluation";
import { arr, Invalid, literal, nat, nullable, num, obj, oneOf, optional, record, show, str, tagged, type Checked, type V } from "./validate";

export * from "./trainConfig";
export type { Checked } from "./validate";

// ---------------------------------------------------------------------------------------------
// Requests: extension/CLI → trainer

/** What trains a run: the engine names of `EngineSpec`. */
export type EngineName = "tfjs" | "torch";
export const ENGINE_NAMES: readonly EngineName[] = ["tfjs", "torch"];

/**
 * What trains a run: TensorFlow.js in the trainer process, or PyTorch in the user's Python (its
 * interpreter: `python`, or when null `$CNN_STUDIO_PYTHON`, python3, python), which the trainer
 * process starts as its child (src/trainer/engines).
 */
export type EngineSpec = { name: "tfjs" } | { name: "torch"; python: string | null };

export type TrainerRequest =
  | { type: "start"; config: TrainConfig; engine: EngineSpec }
  /** Stop gracefully at the next step boundary, writing a checkpoint. */
  | { type: "stop" }
  /** The activations of graph nodes (ids of `ModelAnalysis.graph`) for one sample, current weights. */
  | { type: "featureMaps"; requestId: number; nodeIds: number[]; split: "train" | "validation"; index: number }
  | { type: "ping"; requestId: number }
  /** A computation for the panels (see "Inspection" below); answered by `inspected` or a request error. Served with or without a run. */
  | InspectRequest
  /** Stop (if training) and exit. */
  | { type: "shutdown" };

// ---------------------------------------------------------------------------------------------
// Events: trainer → extension/CLI

export interface BackendRejection {
  backend: BackendName;
  reason: string;
}

/** The backends not used, as the logs list them: "gpu: why; native: why". */
export function notUsedText(notUsed: readonly BackendRejection[]): string {
  return notUsed.map((r) => `${r.backend}: ${r.reason}`).join("; ");
}

export interface DatasetInfo {
  name: string;
  channels: number;
  height: number;
  width: number;
  classes: number;
  classNames: string[];
  trainCount: number;
  validationCount: number;
  mean: number[];
  std: number[];
}

export interface StartedEvent {
  type: "started";
  runDir: string;
  backend: RunBackend;
  /** Backends tried before the one used, or not chosen, and why not. */
  notUsed: BackendRejection[];
  model: string;
  params: number;
  dataset: DatasetInfo;
  epochs: number;
  stepsPerEpoch: number;
  /** Where a resumed run continues: the last completed step (0 for a new run). */
  resumedFrom: { epoch: number; step: number; globalStep: number } | null;
  /** The PyTorch engine's device: `cuda:0 (NVIDIA H100 80GB HBM3)` or `cpu`. */
  device?: string;
  /** Issue 16: the CUDA GPUs the PyTorch engine trains on (one per local rank), by name. */
  gpus?: string[];
  /** How the --weights file matched the model (absent without --weights, and on resume: the checkpoint has the weights). */
  weights?: WeightsReport;
}

/** GPU memory of the PyTorch engine's device in bytes (torch.cuda.memory_allocated / max_memory_allocated), on CUDA. */
export interface GpuMemory {
  allocated: number;
  maxAllocated: number;
}

export interface ProgressEvent {
  type: "progress";
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  globalStep: number;
  /** Loss and top-1 accuracy of this step's batch. */
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
  etaSeconds: number;
  lr: number;
  /** Issue 16: GPU memory in bytes on rank 0's GPU (PyTorch engine on CUDA only). */
  gpuMemory?: GpuMemory;
}

export interface EpochEndEvent {
  type: "epochEnd";
  epoch: number;
  epochs: number;
  /** Means over the epoch's training batches (weighted by batch size), as a PyTorch loop reports them. */
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  /** Top-5 accuracies, only where the model has more than 10 classes. */
  trainTop5: number | null;
  valTop5: number | null;
  /** Segmentation: the validation split's mean IoU (over the classes in the targets or predictions); absent for classifiers. */
  valMiou?: number;
  lr: number;
  seconds: number;
  /** Issue 16: GPU memory in bytes on rank 0's GPU (PyTorch engine on CUDA only). */
  gpuMemory?: GpuMemory;
}

export interface CheckpointEvent {
  type: "checkpoint";
  /** The checkpoint's model file, `<base>.safetensors` (its optimiser state lies beside it in `<base>.optimizer.safetensors`). */
  path: string;
  epoch: number;
  step: number;
  globalStep: number;
  reason: "epoch" | "stop";
}

export interface FeatureMap {
  nodeId: number;
  shape: number[];
  /** Row-major values (NCHW for spatial outputs), as binary over IPC. */
  data: Float32Array;
}

export interface FeatureMapsEvent {
  type: "featureMaps";
  requestId: number;
  split: "train" | "validation";
  index: number;
  label: number;
  maps: FeatureMap[];
}

export interface FinalMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  valTop5: number | null;
}

export interface CompletedEvent {
  type: "completed";
  runDir: string;
  final: FinalMetrics | null;
  seconds: number;
}

export interface StoppedEvent {
  type: "stopped";
  runDir: string;
  epoch: number;
  step: number;
  globalStep: number;
  checkpoint: string | null;
}

export interface TrainerDiagnostic {
  message: string;
  file: string;
  line: number;
  column: number;
}

export interface ErrorEvent {
  type: "error";
  /** Set when the error answers a request (featureMaps, ping); such errors do not end a run. */
  requestId: number | null;
  /**
   * Where it went wrong. `request`: a request other than start was refused (a bad message, an
   * unknown graph node); it does not end a run. The others end the run (or its start): `config`
   * (an invalid start request, a run that cannot be resumed), `model`, `dataset`, `training`, and
   * `process` (the trainer process died or crashed).
   */
  phase: "request" | "config" | "model" | "dataset" | "training" | "process";
  message: string;
  /** Model diagnostics (severity error), for `phase: "model"`. */
  diagnostics: TrainerDiagnostic[];
  runDir: string | null;
  /** The last lines of the trainer's log. */
  logTail: string[];
}

export interface ReadyEvent {
  type: "ready";
  pid: number;
  version: string;
}

export interface PongEvent {
  type: "pong";
  requestId: number;
  state: TrainerState;
}

export interface LogEvent {
  type: "log";
  level: "info" | "warning";
  message: string;
}

export type TrainerState = "idle" | "preparing" | "training" | "stopping" | "finished";

export type TrainerEvent =
  | ReadyEvent
  | StartedEvent
  | ProgressEvent
  | EpochEndEvent
  | CheckpointEvent
  | FeatureMapsEvent
  | CompletedEvent
  | StoppedEvent
  | ErrorEvent
  | PongEvent
  | LogEvent
  | InspectedEvent;

// ---------------------------------------------------------------------------------------------
// Inspection: what the feature-map, filter and receptive-field panels ask of a model's
// weights. Any trainer process answers `inspect` requests, with or without a run; the extension
// keeps one long-lived "inspector" process for them. Inputs, units and tensors have the panels'
// shapes (src/shared/webview); tensors travel as Float32Arrays.

/** The model: an absolute file path and an exported model's name; the weights: a checkpoint index (`.json`) or null for the untrained model. */
interface InspectTarget {
  file: string;
  model: string;
  /** The editor's unsaved text of `file`, so that node ids mean what the editor's analysis says; absent: the file on disk. */
  text?: string;
}

export type InspectQuery =
  /** One forward pass in evaluation mode: the outputs of `nodeIds` (graph node ids), `[C, H, W]` each. */
  | (InspectTarget & { kind: "featureMaps"; checkpoint: string | null; input: InputSpec; nodeIds: number[] })
  /** d(unit of node `nodeId`)/d(normalised input), `[C, H, W]`, in evaluation mode. */
  | (InspectTarget & { kind: "inputGradient"; checkpoint: string | null; input: InputSpec; nodeId: number; unit: Unit })
  /** The attention weights of one attention layer (graph node `nodeId`) for one sample, per head: `[heads, L, S]`. */
  | (InspectTarget & { kind: "attention"; checkpoint: string | null; input: InputSpec; nodeId: number })
  /** A parameter (`state_dict` name) of the freshly initialised model, PyTorch layout. */
  | (InspectTarget & { kind: "initialWeights"; parameter: string })
  /** The dataset the samples of `input` come from (a checkpoint's run's, else mnist-sample where it fits); null when there is none. */
  | (InspectTarget & { kind: "dataset"; checkpoint: string | null })
  /** Issue 18: the softmax probabilities of every class for one input, in evaluation mode. */
  | (InspectTarget & { kind: "predictions"; checkpoint: string | null; input: InputSpec })
  /** Issue 18: Grad-CAM of class `classIndex` (null: the predicted class) at graph node `nodeId` (an output [C, h, w]), with the probabilities. */
  | (InspectTarget & { kind: "gradCam"; checkpoint: string | null; input: InputSpec; nodeId: number; classIndex: number | null })
  /** Issue 18: the run `runDir` (whose config names `file` and `model`) evaluated on a split with a checkpoint (null: its newest). */
  | (InspectTarget & { kind: "evaluate"; runDir: string; checkpoint: string | null; split: EvaluationSplit })
  /** Issue 18: images of a run's split (thumbnails of the Evaluation panel), `[C, H, W]` in [0, 1]. */
  | (InspectTarget & { kind: "samples"; runDir: string; split: EvaluationSplit; indices: number[] })
  /**
   * Issue 17: a warm-up, sent when a panel that needs the inspector opens: analyse and compile the
   * model, read the checkpoint, load the dataset and run one forward pass, so that the panel's first
   * request finds them ready. Answers `prepare` either way; a failure is the query's error.
   */
  | (InspectTarget & { kind: "prepare"; checkpoint: string | null });

export type InspectResult =
  | { kind: "featureMaps"; input: Tensor; label: number | null; maps: { nodeId: number; tensor: Tensor }[] }
  | { kind: "inputGradient"; input: Tensor; gradient: Tensor }
  | { kind: "attention"; input: Tensor; label: number | null; weights: Tensor }
  | { kind: "initialWeights"; weight: Tensor }
  | { kind: "dataset"; dataset: DatasetSummary | null }
  | { kind: "predictions"; input: Tensor; label: number | null; probabilities: number[] }
  /** `cam`: ReLU(Σ_k α_k A_k) with α_k the spatial mean of d(class score)/dA_k, `[1, h, w]` at the layer's resolution, not normalised. */
  | { kind: "gradCam"; input: Tensor; label: number | null; classIndex: number; cam: Tensor; probabilities: number[] }
  /** Every sample's true class, predicted class and its probability, in split order, besides the report. */
  | { kind: "evaluate"; report: EvaluationReport; labels: number[]; predicted: number[]; confidence: number[] }
  | { kind: "samples"; images: Tensor[] }
  | { kind: "prepare" };

export type InspectKind = InspectQuery["kind"];
export type InspectResultOf<K extends InspectKind> = Extract<InspectResult, { kind: K }>;

export interface InspectRequest {
  type: "inspect";
  requestId: number;
  query: InspectQuery;
}

export interface InspectedEvent {
  type: "inspected";
  requestId: number;
  result: InspectResult;
}

// ---------------------------------------------------------------------------------------------
// Validation, with the combinators of src/shared/validate.ts; a failure names the message type,
// the field and the value received.

/** A metric that may legitimately be NaN or infinite (a diverging loss). */
const metric = num({ nonFinite: true });
const int = num({ int: true });
const positive = num({ int: true, min: 1 });
const fraction = num({ min: 0, max: 1 });
const nonNegative = num({ min: 0 });
const split = oneOf(["train", "validation"] as const);

/** Graph node ids, at least one. */
const nodeIds: V<number[]> = (v, at) => {
  const ids = arr(int)(v, at);
  if (ids.length === 0) throw new Invalid(`${at} must name at least one graph node`);
  return ids;
};

const inspectTarget = { file: str, model: str, text: optional(str) };

const inspectQuery: V<InspectQuery> = (v, at) => {
  const o = record(v, at);
  const kind = oneOf([
    "featureMaps",
    "inputGradient",
    "attention",
    "initialWeights",
    "dataset",
    "predictions",
    "gradCam",
    "evaluate",
    "samples",
    "prepare",
  ] as const)(o["kind"], `${at}.kind`);
  if (str(o["file"], `${at}.file`) === "") throw new Invalid(`${at}.file must name the model file, got ""`);
  switch (kind) {
    case "initialWeights":
      return obj({ kind: literal(kind), ...inspectTarget, parameter: str })(v, at);
    case "dataset":
      return obj({ kind: literal(kind), ...inspectTarget, checkpoint: nullable(str) })(v, at);
    case "inputGradient":
      return obj({ kind: literal(kind), ...inspectTarget, checkpoint: nullable(str), input: inputSpec, nodeId: int, unit })(v, at);
    case "featureMaps":
      return obj({ kind: literal(kind), ...inspectTarget, checkpoint: nullable(str), input: inputSpec, nodeIds })(v, at);
    case "attention":
      return obj({ kind: literal(kind), ...inspectTarget, checkpoint: nullable(str), input: inputSpec, nodeId: int })(v, at);
    case "predictions":
      return obj({ kind: literal(kind), ...inspectTarget, checkpoint: nullable(str), input: inputSpec })(v, at);
    case "gradCam":
      return obj({ kind: literal(kind), ...inspectTarget, checkpoint: nullable(str), input: inputSpec, nodeId: int, classIndex: nullable(nat) })(v, at);
    case "evaluate":
      return obj({ kind: literal(kind), ...inspectTarget, runDir: str, checkpoint: nullable(str), split: oneOf(EVALUATION_SPLITS) })(v, at);
    case "samples":
      return obj({ kind: literal(kind), ...inspectTarget, runDir: str, split: oneOf(EVALUATION_SPLITS), indices: arr(nat, { max: 1000 }) })(v, at);
    case "prepare":
      return obj({ kind: literal(kind), ...inspectTarget, checkpoint: nullable(str) })(v, at);
  }
};

const rank3 = tensorOfRank(3);
const inspectResults: { [K in InspectKind]: V<InspectResultOf<K>> } = {
  featureMaps: obj({ kind: literal("featureMaps"), input: rank3, label: nullable(nat), maps: arr(obj({ nodeId: int, tensor: rank3 })) }),
  inputGradient: obj({ kind: literal("inputGradient"), input: rank3, gradient: rank3 }),
  attention: obj({ kind: literal("attention"), input: rank3, label: nullable(nat), weights: rank3 }),
  initialWeights: obj({ kind: literal("initialWeights"), weight: tensor }),
  dataset: obj({ kind: literal("dataset"), dataset: nullable(datasetSummary) }),
  predictions: obj({ kind: literal("predictions"), input: rank3, label: nullable(nat), probabilities: arr(num({ min: 0, max: 1 })) }),
  gradCam: obj({
    kind: literal("gradCam"),
    input: rank3,
    label: nullable(nat),
    classIndex: nat,
    cam: rank3,
    probabilities: arr(num({ min: 0, max: 1 })),
  }),
  evaluate: obj({
    kind: literal("evaluate"),
    report: evaluationReport,
    labels: arr(nat),
    predicted: arr(nat),
    confidence: arr(num({ min: 0, max: 1 })),
  }),
  samples: obj({ kind: literal("samples"), images: arr(rank3) }),
  prepare: obj({ kind: literal("prepare") }),
};

const inspectResult: V<InspectResult> = (v, at) => {
  const kind = oneOf(Object.keys(inspectResults) as InspectKind[])(record(v, at)["kind"], `${at}.kind`);
  return inspectResults[kind](v, at);
};

const engineSpec: V<EngineSpec> = (v, at) => {
  const name = oneOf(ENGINE_NAMES)(record(v, at)["name"], `${at}.name`);
  return name === "tfjs" ? obj({ name: literal(name) })(v, at) : obj({ name: literal(name), python: nullable(str) })(v, at);
};

export const REQUEST_TYPES = ["start", "stop", "featureMaps", "ping", "inspect", "shutdown"] as const;

/** Checks a message received by the trainer. */
export const validateRequest: (v: unknown) => Checked<TrainerRequest> = tagged<TrainerRequest>(
  "request",
  {
    start: (v, at) => ({
      type: "start",
      config: trainConfigOf(record(v, at)["config"], `${at}: config`),
      engine: engineSpec(record(v, at)["engine"], `${at}.engine`),
    }),
    stop: obj({ type: literal("stop") }),
    featureMaps: obj({ type: literal("featureMaps"), requestId: int, nodeIds, split, index: nat }),
    ping: obj({ type: literal("ping"), requestId: int }),
    inspect: obj({ type: literal("inspect"), requestId: int, query: inspectQuery }),
    shutdown: obj({ type: literal("shutdown") }),
  },
  { message: "a request message", unknown: "request", at: (type) => `request "${type}"` },
);

export const EVENT_TYPES = [
  "ready",
  "started",
  "progress",
  "epochEnd",
  "checkpoint",
  "featureMaps",
  "completed",
  "stopped",
  "error",
  "pong",
  "log",
  "inspected",
] as const;

const datasetInfo: V<DatasetInfo> = obj({
  name: str,
  channels: positive,
  height: positive,
  width: positive,
  classes: positive,
  classNames: arr(str),
  trainCount: nat,
  validationCount: nat,
  mean: arr(num()),
  std: arr(num()),
});

const featureMap: V<FeatureMap> = (v, at) => {
  const o = record(v, at);
  const shape = arr(int)(o["shape"], `${at}.shape`);
  const data = o["data"];
  if (!(data instanceof Float32Array)) throw new Invalid(`${at}.data must be a Float32Array, got ${show(data)}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new Invalid(`${at}.data has ${data.length} values but shape [${shape.join(", ")}] needs ${size}`);
  return { nodeId: int(o["nodeId"], `${at}.nodeId`), shape, data };
};

const position = { epoch: nat, step: nat, globalStep: nat };
export const gpuMemory: V<GpuMemory> = obj({ allocated: nat, maxAllocated: nat });
const TF_BACKENDS = ["gpu", "native", "wasm", "js"] as const satisfies readonly BackendName[];

/** Checks a message received from the trainer. */
export const validateEvent: (v: unknown) => Checked<TrainerEvent> = tagged<TrainerEvent>(
  "trainer",
  {
    ready: obj({ type: literal("ready"), pid: int, version: str }),
    started: obj({
      type: literal("started"),
      runDir: str,
      backend: oneOf<RunBackend>([...TF_BACKENDS, "torch"]),
      notUsed: arr(obj({ backend: oneOf(TF_BACKENDS), reason: str })),
      model: str,
      params: nat,
      dataset: datasetInfo,
      epochs: positive,
      stepsPerEpoch: positive,
      resumedFrom: nullable(obj(position)),
      device: optional(str),
      gpus: optional(arr(str)),
      weights: optional(weightsReport),
    }),
    progress: obj({
      type: literal("progress"),
      epoch: positive,
      epochs: positive,
      step: positive,
      stepsPerEpoch: positive,
      globalStep: positive,
      loss: metric,
      accuracy: fraction,
      imagesPerSecond: nonNegative,
      etaSeconds: nonNegative,
      lr: nonNegative,
      gpuMemory: optional(gpuMemory),
    }),
    epochEnd: obj({
      type: literal("epochEnd"),
      epoch: positive,
      epochs: positive,
      trainLoss: metric,
      trainAccuracy: fraction,
      valLoss: metric,
      valAccuracy: fraction,
      trainTop5: nullable(metric),
      valTop5: nullable(metric),
      valMiou: optional(fraction),
      lr: nonNegative,
      seconds: nonNegative,
      gpuMemory: optional(gpuMemory),
    }),
    checkpoint: obj({ type: literal("checkpoint"), path: str, ...position, reason: oneOf(["epoch", "stop"] as const) }),
    featureMaps: obj({ type: literal("featureMaps"), requestId: int, split, index: nat, label: nat, maps: arr(featureMap) }),
    completed: obj({
      type: literal("completed"),
      runDir: str,
      final: nullable(obj({ epoch: positive, trainLoss: metric, trainAccuracy: fraction, valLoss: metric, valAccuracy: fraction, valTop5: nullable(metric) })),
      seconds: nonNegative,
    }),
    stopped: obj({ type: literal("stopped"), runDir: str, ...position, checkpoint: nullable(str) }),
    error: obj({
      type: literal("error"),
      requestId: nullable(int),
      phase: oneOf(["request", "config", "model", "dataset", "training", "process"] as const),
      message: str,
      diagnostics: arr(obj({ message: str, file: str, line: int, column: int })),
      runDir: nullable(str),
      logTail: arr(str),
    }),
    pong: obj({ type: literal("pong"), requestId: int, state: oneOf(["idle", "preparing", "training", "stopping", "finished"] as const) }),
    log: obj({ type: literal("log"), level: oneOf(["info", "warning"] as const), message: str }),
    inspected: obj({ type: literal("inspected"), requestId: int, result: inspectResult }),
  },
  { message: "a trainer message", unknown: "trainer event", at: (type) => `event "${type}"` },
);
