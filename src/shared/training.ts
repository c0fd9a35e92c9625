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

import { datasetSummary as panelDatasetSummary, inputSpec as panelInputSpec, tensor as panelTensor, tensorOfRank, type DatasetSummary, type InputSpec, type Tensor } from "./webview/common";
import { unit as panelUnit, type Unit } from "./webview/receptiveField";
import { Invalid as PanelInvalid, type V as PanelV } from "./webview/validate";

// ---------------------------------------------------------------------------------------------
// Configuration

/** `gpu` = @tensorflow/tfjs-node-gpu, `native` = @tensorflow/tfjs-node, `wasm`, `js` = plain CPU. */
export type BackendName = "gpu" | "native" | "wasm" | "js";
/** What trains a run, as its `started` event says: a TensorFlow.js backend, or `torch` (the PyTorch engine, src/torch). */
export type RunBackend = BackendName | "torch";
export type BackendChoice = "auto" | BackendName;
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "gpu", "native", "wasm", "js"];

export type OptimizerName = "sgd" | "adam" | "adamw";
export const OPTIMIZERS: readonly OptimizerName[] = ["sgd", "adam", "adamw"];

export type ScheduleName = "none" | "step" | "cosine" | "onecycle";
export const SCHEDULES: readonly ScheduleName[] = ["none", "step", "cosine", "onecycle"];

/** Where the images come from. `dir` is an absolute path. */
export type DatasetSpec =
  | { kind: "mnist-sample" }
  | { kind: "idx"; dir: string }
  | { kind: "cifar10"; dir: string }
  | { kind: "folder"; dir: string };

export interface OptimizerConfig {
  name: OptimizerName;
  /** The learning rate (for one-cycle: the maximum learning rate). */
  lr: number;
  /** SGD momentum (PyTorch default 0). */
  momentum: number;
  /** SGD dampening (PyTorch default 0). */
  dampening: number;
  nesterov: boolean;
  /** L2 penalty for SGD and Adam (default 0); decoupled decay for AdamW (default 0.01). */
  weightDecay: number;
  /** Adam/AdamW betas (default [0.9, 0.999]). */
  betas: [number, number];
  /** Adam/AdamW epsilon (default 1e-8). */
  eps: number;
}

export interface ScheduleConfig {
  name: ScheduleName;
  /** `step`: decay every `stepSize` epochs by `gamma` (StepLR). */
  stepSize: number;
  gamma: number;
  /** `cosine`: CosineAnnealingLR with T_max = epochs and this eta_min. */
  minLr: number;
  /** `onecycle`: OneCycleLR's pct_start, div_factor and final_div_factor (PyTorch defaults 0.3, 25, 1e4). */
  pctStart: number;
  divFactor: number;
  finalDivFactor: number;
}

export interface AugmentConfig {
  /** Random crop of the input size after zero padding by this many pixels (0 = off). */
  cropPadding: number;
  /** Random horizontal flip with probability 0.5. */
  flip: boolean;
}

export interface TrainConfig {
  /** Absolute path of the model file. */
  file: string;
  /** The exported model's name. */
  model: string;
  dataset: DatasetSpec;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  augment: AugmentConfig;
  /** Normalise each channel with the training split's mean and standard deviation. */
  normalize: boolean;
  /** For image folders without train/val subfolders: the fraction held out for validation. */
  validationFraction: number;
  seed: number;
  backend: BackendChoice;
  /** Runs are created in `<runsDir>/<yyyy-mm-dd-HHMMSS>-<model>/`. */
  runsDir: string;
  /** Resume this run directory from its newest checkpoint instead of starting a new run. */
  resume: string | null;
}

/** A complete configuration from the fields given; PyTorch's defaults for the rest. */
export function trainConfig(
  base: Pick<TrainConfig, "file" | "model" | "dataset" | "runsDir"> &
    Partial<Omit<TrainConfig, "optimizer" | "schedule" | "augment">> & {
      optimizer?: Partial<OptimizerConfig>;
      schedule?: Partial<ScheduleConfig>;
      augment?: Partial<AugmentConfig>;
    },
): TrainConfig {
  const name = base.optimizer?.name ?? "adam";
  return {
    file: base.file,
    model: base.model,
    dataset: base.dataset,
    epochs: base.epochs ?? 5,
    batchSize: base.batchSize ?? 64,
    optimizer: {
      name,
      lr: base.optimizer?.lr ?? (name === "sgd" ? 0.01 : 0.001),
      momentum: base.optimizer?.momentum ?? 0,
      dampening: base.optimizer?.dampening ?? 0,
      nesterov: base.optimizer?.nesterov ?? false,
      weightDecay: base.optimizer?.weightDecay ?? (name === "adamw" ? 0.01 : 0),
      betas: base.optimizer?.betas ?? [0.9, 0.999],
      eps: base.optimizer?.eps ?? 1e-8,
    },
    schedule: {
      name: base.schedule?.name ?? "none",
      stepSize: base.schedule?.stepSize ?? 1,
      gamma: base.schedule?.gamma ?? 0.1,
      minLr: base.schedule?.minLr ?? 0,
      pctStart: base.schedule?.pctStart ?? 0.3,
      divFactor: base.schedule?.divFactor ?? 25,
      finalDivFactor: base.schedule?.finalDivFactor ?? 1e4,
    },
    augment: { cropPadding: base.augment?.cropPadding ?? 0, flip: base.augment?.flip ?? false },
    normalize: base.normalize ?? true,
    validationFraction: base.validationFraction ?? 0.2,
    seed: base.seed ?? 0,
    backend: base.backend ?? "auto",
    runsDir: base.runsDir,
    resume: base.resume ?? null,
  };
}

export function describeDataset(d: DatasetSpec): string {
  return d.kind === "mnist-sample" ? "mnist-sample" : `${d.kind}:${d.dir}`;
}

// ---------------------------------------------------------------------------------------------
// Requests: extension/CLI → trainer

export type TrainerRequest =
  | { type: "start"; config: TrainConfig }
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
  lr: number;
  seconds: number;
}

export interface CheckpointEvent {
  type: "checkpoint";
  /** The checkpoint's `.json` index (its `.bin` lies beside it). */
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
// Validation. Each message kind has a small hand-written validator; a failure names the message
// type, the field and the value received.

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

class Invalid extends Error {}

function show(v: unknown): string {
  if (v instanceof Float32Array) return `Float32Array(${v.length})`;
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 60) + "…" : v);
  if (v === undefined || typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "object") return "an object";
  return typeof v;
}

type Rec = Record<string, unknown>;

function record(v: unknown, what: string): Rec {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Invalid(`${what} must be an object, got ${show(v)}`);
  return v as Rec;
}

function num(o: Rec, k: string, what: string, opts: { int?: boolean; min?: number; max?: number; finite?: boolean } = {}): number {
  const v = o[k];
  if (typeof v !== "number" || Number.isNaN(v)) throw new Invalid(`${what}.${k} must be a number, got ${show(v)}`);
  if ((opts.finite ?? true) && !Number.isFinite(v)) throw new Invalid(`${what}.${k} must be finite, got ${show(v)}`);
  if (opts.int && !Number.isInteger(v)) throw new Invalid(`${what}.${k} must be an integer, got ${v}`);
  if (opts.min !== undefined && v < opts.min) throw new Invalid(`${what}.${k} must be at least ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) throw new Invalid(`${what}.${k} must be at most ${opts.max}, got ${v}`);
  return v;
}

/** A metric that may legitimately be NaN or infinite (a diverging loss). */
function metric(o: Rec, k: string, what: string): number {
  const v = o[k];
  if (typeof v !== "number") throw new Invalid(`${what}.${k} must be a number, got ${show(v)}`);
  return v;
}

function numOrNull(o: Rec, k: string, what: string): number | null {
  return o[k] === null ? null : metric(o, k, what);
}

function str(o: Rec, k: string, what: string): string {
  const v = o[k];
  if (typeof v !== "string") throw new Invalid(`${what}.${k} must be a string, got ${show(v)}`);
  return v;
}

function strOrNull(o: Rec, k: string, what: string): string | null {
  return o[k] === null ? null : str(o, k, what);
}

function bool(o: Rec, k: string, what: string): boolean {
  const v = o[k];
  if (typeof v !== "boolean") throw new Invalid(`${what}.${k} must be true or false, got ${show(v)}`);
  return v;
}

function oneOf<T extends string>(o: Rec, k: string, what: string, values: readonly T[]): T {
  const v = o[k];
  if (typeof v !== "string" || !(values as readonly string[]).includes(v)) {
    throw new Invalid(`${what}.${k} must be one of ${values.map((x) => `"${x}"`).join(", ")}, got ${show(v)}`);
  }
  return v as T;
}

function array(o: Rec, k: string, what: string): unknown[] {
  const v = o[k];
  if (!Array.isArray(v)) throw new Invalid(`${what}.${k} must be an array, got ${show(v)}`);
  return v;
}

function numbers(o: Rec, k: string, what: string, int = false): number[] {
  return array(o, k, what).map((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x) || (int && !Number.isInteger(x))) {
      throw new Invalid(`${what}.${k}[${i}] must be ${int ? "an integer" : "a finite number"}, got ${show(x)}`);
    }
    return x;
  });
}

function strings(o: Rec, k: string, what: string): string[] {
  return array(o, k, what).map((x, i) => {
    if (typeof x !== "string") throw new Invalid(`${what}.${k}[${i}] must be a string, got ${show(x)}`);
    return x;
  });
}

function checked<T>(f: () => T): Checked<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.message };
    return { ok: false, error: `invalid message: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function datasetSpec(v: unknown, what: string): DatasetSpec {
  const o = record(v, what);
  const kind = oneOf(o, "kind", what, ["mnist-sample", "idx", "cifar10", "folder"] as const);
  if (kind === "mnist-sample") return { kind };
  const dir = str(o, "dir", what);
  if (dir === "") throw new Invalid(`${what}.dir must name a folder, got ""`);
  return { kind, dir };
}

function trainConfigOf(v: unknown, what: string): TrainConfig {
  const o = record(v, what);
  const opt = record(o["optimizer"], `${what}.optimizer`);
  const sch = record(o["schedule"], `${what}.schedule`);
  const aug = record(o["augment"], `${what}.augment`);
  const ow = `${what}.optimizer`;
  const betas = numbers(opt, "betas", ow);
  if (betas.length !== 2 || betas.some((b) => b < 0 || b >= 1)) throw new Invalid(`${ow}.betas must be two numbers in [0, 1), got [${betas.join(", ")}]`);
  const sw = `${what}.schedule`;
  const config: TrainConfig = {
    file: str(o, "file", what),
    model: str(o, "model", what),
    dataset: datasetSpec(o["dataset"], `${what}.dataset`),
    epochs: num(o, "epochs", what, { int: true, min: 1, max: 1e6 }),
    batchSize: num(o, "batchSize", what, { int: true, min: 1, max: 65536 }),
    optimizer: {
      name: oneOf(opt, "name", ow, OPTIMIZERS),
      lr: num(opt, "lr", ow, { min: 0 }),
      momentum: num(opt, "momentum", ow, { min: 0 }),
      dampening: num(opt, "dampening", ow, { min: 0, max: 1 }),
      nesterov: bool(opt, "nesterov", ow),
      weightDecay: num(opt, "weightDecay", ow, { min: 0 }),
      betas: [betas[0]!, betas[1]!],
      eps: num(opt, "eps", ow, { min: 0 }),
    },
    schedule: {
      name: oneOf(sch, "name", sw, SCHEDULES),
      stepSize: num(sch, "stepSize", sw, { int: true, min: 1 }),
      gamma: num(sch, "gamma", sw, { min: 0 }),
      minLr: num(sch, "minLr", sw, { min: 0 }),
      pctStart: num(sch, "pctStart", sw, { min: 0, max: 1 }),
      divFactor: num(sch, "divFactor", sw, { min: 1e-12 }),
      finalDivFactor: num(sch, "finalDivFactor", sw, { min: 1e-12 }),
    },
    augment: { cropPadding: num(aug, "cropPadding", `${what}.augment`, { int: true, min: 0, max: 1024 }), flip: bool(aug, "flip", `${what}.augment`) },
    normalize: bool(o, "normalize", what),
    validationFraction: num(o, "validationFraction", what, { min: 0, max: 0.9 }),
    seed: num(o, "seed", what, { int: true, min: 0, max: 2 ** 32 - 1 }),
    backend: oneOf(o, "backend", what, BACKEND_CHOICES),
    runsDir: str(o, "runsDir", what),
    resume: strOrNull(o, "resume", what),
  };
  if (config.optimizer.nesterov && (config.optimizer.momentum <= 0 || config.optimizer.dampening !== 0)) {
    throw new Invalid(`${ow}: Nesterov momentum requires a momentum above 0 and zero dampening (got momentum ${config.optimizer.momentum}, dampening ${config.optimizer.dampening})`);
  }
  return config;
}

export function validateTrainConfig(v: unknown): Checked<TrainConfig> {
  return checked(() => trainConfigOf(v, "config"));
}

function typeOf(v: unknown, direction: string): { o: Rec; type: string } {
  const o = record(v, `a ${direction} message`);
  const type = o["type"];
  if (typeof type !== "string") throw new Invalid(`a ${direction} message needs a string "type", got ${show(type)}`);
  return { o, type };
}

export const REQUEST_TYPES = ["start", "stop", "featureMaps", "ping", "inspect", "shutdown"] as const;

/** Checks a message received by the trainer. */
export function validateRequest(v: unknown): Checked<TrainerRequest> {
  return checked((): TrainerRequest => {
    const { o, type } = typeOf(v, "request");
    const w = `request "${type}"`;
    switch (type) {
      case "start":
        return { type, config: trainConfigOf(o["config"], `${w}: config`) };
      case "stop":
      case "shutdown":
        return { type };
      case "ping":
        return { type, requestId: num(o, "requestId", w, { int: true }) };
      case "inspect":
        return { type, requestId: num(o, "requestId", w, { int: true }), query: inspectQuery(o["query"], `${w}.query`) };
      case "featureMaps": {
        const nodeIds = numbers(o, "nodeIds", w, true);
        if (nodeIds.length === 0) throw new Invalid(`${w}.nodeIds must name at least one graph node`);
        return {
          type,
          requestId: num(o, "requestId", w, { int: true }),
          nodeIds,
          split: oneOf(o, "split", w, ["train", "validation"] as const),
          index: num(o, "index", w, { int: true, min: 0 }),
        };
      }
      default:
        throw new Invalid(`unknown request type ${show(type)} (expected one of ${REQUEST_TYPES.join(", ")})`);
    }
  });
}

export const EVENT_TYPES = ["ready", "started", "progress", "epochEnd", "checkpoint", "featureMaps", "completed", "stopped", "error", "pong", "log", "inspected"] as const;

function datasetInfo(v: unknown, what: string): DatasetInfo {
  const o = record(v, what);
  return {
    name: str(o, "name", what),
    channels: num(o, "channels", what, { int: true, min: 1 }),
    height: num(o, "height", what, { int: true, min: 1 }),
    width: num(o, "width", what, { int: true, min: 1 }),
    classes: num(o, "classes", what, { int: true, min: 1 }),
    classNames: strings(o, "classNames", what),
    trainCount: num(o, "trainCount", what, { int: true, min: 0 }),
    validationCount: num(o, "validationCount", what, { int: true, min: 0 }),
    mean: numbers(o, "mean", what),
    std: numbers(o, "std", what),
  };
}

function featureMap(v: unknown, what: string): FeatureMap {
  const o = record(v, what);
  const shape = numbers(o, "shape", what, true);
  const data = o["data"];
  if (!(data instanceof Float32Array)) throw new Invalid(`${what}.data must be a Float32Array, got ${show(data)}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new Invalid(`${what}.data has ${data.length} values but shape [${shape.join(", ")}] needs ${size}`);
  return { nodeId: num(o, "nodeId", what, { int: true }), shape, data };
}

/** Checks a message received from the trainer. */
export function validateEvent(v: unknown): Checked<TrainerEvent> {
  return checked((): TrainerEvent => {
    const { o, type } = typeOf(v, "trainer");
    const w = `event "${type}"`;
    switch (type) {
      case "ready":
        return { type, pid: num(o, "pid", w, { int: true }), version: str(o, "version", w) };
      case "started": {
        const rf = o["resumedFrom"];
        let resumedFrom: StartedEvent["resumedFrom"] = null;
        if (rf !== null) {
          const r = record(rf, `${w}.resumedFrom`);
          resumedFrom = {
            epoch: num(r, "epoch", `${w}.resumedFrom`, { int: true, min: 0 }),
            step: num(r, "step", `${w}.resumedFrom`, { int: true, min: 0 }),
            globalStep: num(r, "globalStep", `${w}.resumedFrom`, { int: true, min: 0 }),
          };
        }
        return {
          type,
          runDir: str(o, "runDir", w),
          backend: oneOf(o, "backend", w, ["gpu", "native", "wasm", "js", "torch"] as const),
          notUsed: array(o, "notUsed", w).map((x, i) => {
            const r = record(x, `${w}.notUsed[${i}]`);
            return { backend: oneOf(r, "backend", `${w}.notUsed[${i}]`, ["gpu", "native", "wasm", "js"] as const), reason: str(r, "reason", `${w}.notUsed[${i}]`) };
          }),
          model: str(o, "model", w),
          params: num(o, "params", w, { int: true, min: 0 }),
          dataset: datasetInfo(o["dataset"], `${w}.dataset`),
          epochs: num(o, "epochs", w, { int: true, min: 1 }),
          stepsPerEpoch: num(o, "stepsPerEpoch", w, { int: true, min: 1 }),
          resumedFrom,
          ...(o["device"] === undefined ? {} : { device: str(o, "device", w) }),
        };
      }
      case "progress":
        return {
          type,
          epoch: num(o, "epoch", w, { int: true, min: 1 }),
          epochs: num(o, "epochs", w, { int: true, min: 1 }),
          step: num(o, "step", w, { int: true, min: 1 }),
          stepsPerEpoch: num(o, "stepsPerEpoch", w, { int: true, min: 1 }),
          globalStep: num(o, "globalStep", w, { int: true, min: 1 }),
          loss: metric(o, "loss", w),
          accuracy: num(o, "accuracy", w, { min: 0, max: 1 }),
          imagesPerSecond: num(o, "imagesPerSecond", w, { min: 0 }),
          etaSeconds: num(o, "etaSeconds", w, { min: 0 }),
          lr: num(o, "lr", w, { min: 0 }),
        };
      case "epochEnd":
        return {
          type,
          epoch: num(o, "epoch", w, { int: true, min: 1 }),
          epochs: num(o, "epochs", w, { int: true, min: 1 }),
          trainLoss: metric(o, "trainLoss", w),
          trainAccuracy: num(o, "trainAccuracy", w, { min: 0, max: 1 }),
          valLoss: metric(o, "valLoss", w),
          valAccuracy: num(o, "valAccuracy", w, { min: 0, max: 1 }),
          trainTop5: numOrNull(o, "trainTop5", w),
          valTop5: numOrNull(o, "valTop5", w),
          lr: num(o, "lr", w, { min: 0 }),
          seconds: num(o, "seconds", w, { min: 0 }),
        };
      case "checkpoint":
        return {
          type,
          path: str(o, "path", w),
          epoch: num(o, "epoch", w, { int: true, min: 0 }),
          step: num(o, "step", w, { int: true, min: 0 }),
          globalStep: num(o, "globalStep", w, { int: true, min: 0 }),
          reason: oneOf(o, "reason", w, ["epoch", "stop"] as const),
        };
      case "featureMaps":
        return {
          type,
          requestId: num(o, "requestId", w, { int: true }),
          split: oneOf(o, "split", w, ["train", "validation"] as const),
          index: num(o, "index", w, { int: true, min: 0 }),
          label: num(o, "label", w, { int: true, min: 0 }),
          maps: array(o, "maps", w).map((m, i) => featureMap(m, `${w}.maps[${i}]`)),
        };
      case "completed": {
        let final: FinalMetrics | null = null;
        if (o["final"] !== null) {
          const f = record(o["final"], `${w}.final`);
          const fw = `${w}.final`;
          final = {
            epoch: num(f, "epoch", fw, { int: true, min: 1 }),
            trainLoss: metric(f, "trainLoss", fw),
            trainAccuracy: num(f, "trainAccuracy", fw, { min: 0, max: 1 }),
            valLoss: metric(f, "valLoss", fw),
            valAccuracy: num(f, "valAccuracy", fw, { min: 0, max: 1 }),
            valTop5: numOrNull(f, "valTop5", fw),
          };
        }
        return { type, runDir: str(o, "runDir", w), final, seconds: num(o, "seconds", w, { min: 0 }) };
      }
      case "stopped":
        return {
          type,
          runDir: str(o, "runDir", w),
          epoch: num(o, "epoch", w, { int: true, min: 0 }),
          step: num(o, "step", w, { int: true, min: 0 }),
          globalStep: num(o, "globalStep", w, { int: true, min: 0 }),
          checkpoint: strOrNull(o, "checkpoint", w),
        };
      case "error":
        return {
          type,
          requestId: o["requestId"] === null ? null : num(o, "requestId", w, { int: true }),
          phase: oneOf(o, "phase", w, ["request", "config", "model", "dataset", "training", "process"] as const),
          message: str(o, "message", w),
          diagnostics: array(o, "diagnostics", w).map((d, i) => {
            const r = record(d, `${w}.diagnostics[${i}]`);
            const dw = `${w}.diagnostics[${i}]`;
            return { message: str(r, "message", dw), file: str(r, "file", dw), line: num(r, "line", dw, { int: true }), column: num(r, "column", dw, { int: true }) };
          }),
          runDir: strOrNull(o, "runDir", w),
          logTail: strings(o, "logTail", w),
        };
      case "pong":
        return { type, requestId: num(o, "requestId", w, { int: true }), state: oneOf(o, "state", w, ["idle", "preparing", "training", "stopping", "finished"] as const) };
      case "log":
        return { type, level: oneOf(o, "level", w, ["info", "warning"] as const), message: str(o, "message", w) };
      case "inspected":
        return { type, requestId: num(o, "requestId", w, { int: true }), result: inspectResult(o["result"], `${w}.result`) };
      default:
        throw new Invalid(`unknown trainer event type ${show(type)} (expected one of ${EVENT_TYPES.join(", ")})`);
    }
  });
}

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
  /** A parameter (`state_dict` name) of the freshly initialised model, PyTorch layout. */
  | (InspectTarget & { kind: "initialWeights"; parameter: string })
  /** The dataset the samples of `input` come from (a checkpoint's run's, else mnist-sample where it fits); null when there is none. */
  | (InspectTarget & { kind: "dataset"; checkpoint: string | null });

export type InspectResult =
  | { kind: "featureMaps"; input: Tensor; label: number | null; maps: { nodeId: number; tensor: Tensor }[] }
  | { kind: "inputGradient"; input: Tensor; gradient: Tensor }
  | { kind: "initialWeights"; weight: Tensor }
  | { kind: "dataset"; dataset: DatasetSummary | null };

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

/** Runs a panel validator (src/shared/webview/validate.ts) with this file's error type. */
function panel<T>(check: PanelV<T>, v: unknown, at: string): T {
  try {
    return check(v, at);
  } catch (e) {
    throw e instanceof PanelInvalid ? new Invalid(e.message) : e;
  }
}

function inspectQuery(v: unknown, what: string): InspectQuery {
  const o = record(v, what);
  const kind = oneOf(o, "kind", what, ["featureMaps", "inputGradient", "initialWeights", "dataset"] as const);
  const file = str(o, "file", what);
  if (file === "") throw new Invalid(`${what}.file must name the model file, got ""`);
  const t = { file, model: str(o, "model", what), ...(o["text"] === undefined ? {} : { text: str(o, "text", what) }) };
  if (kind === "initialWeights") return { kind, ...t, parameter: str(o, "parameter", what) };
  const checkpoint = strOrNull(o, "checkpoint", what);
  if (kind === "dataset") return { kind, ...t, checkpoint };
  const input = panel(panelInputSpec, o["input"], `${what}.input`);
  if (kind === "inputGradient") return { kind, ...t, checkpoint, input, nodeId: num(o, "nodeId", what, { int: true }), unit: panel(panelUnit, o["unit"], `${what}.unit`) };
  const nodeIds = numbers(o, "nodeIds", what, true);
  if (nodeIds.length === 0) throw new Invalid(`${what}.nodeIds must name at least one graph node`);
  return { kind, ...t, checkpoint, input, nodeIds };
}

function inspectResult(v: unknown, what: string): InspectResult {
  const o = record(v, what);
  const kind = oneOf(o, "kind", what, ["featureMaps", "inputGradient", "initialWeights", "dataset"] as const);
  const rank3 = tensorOfRank(3);
  switch (kind) {
    case "featureMaps":
      return {
        kind,
        input: panel(rank3, o["input"], `${what}.input`),
        label: o["label"] === null ? null : num(o, "label", what, { int: true, min: 0 }),
        maps: array(o, "maps", what).map((m, i) => {
          const r = record(m, `${what}.maps[${i}]`);
          return { nodeId: num(r, "nodeId", `${what}.maps[${i}]`, { int: true }), tensor: panel(rank3, r["tensor"], `${what}.maps[${i}].tensor`) };
        }),
      };
    case "inputGradient":
      return { kind, input: panel(rank3, o["input"], `${what}.input`), gradient: panel(rank3, o["gradient"], `${what}.gradient`) };
    case "initialWeights":
      return { kind, weight: panel(panelTensor, o["weight"], `${what}.weight`) };
    case "dataset":
      return { kind, dataset: o["dataset"] === null ? null : panel(panelDatasetSummary, o["dataset"], `${what}.dataset`) };
  }
}
