/**
 * The training configuration: what the CLI, the Train view and a run's config.json give the
 * trainer (src/shared/training.ts carries it in its `start` request), its defaults and its check.
 */

import { arr, bool, checked, Invalid, nullable, num, obj, oneOf, record, str, type Checked, type V } from "./validate";

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
// Validation

const datasetSpec: V<DatasetSpec> = (v, at) => {
  const o = record(v, at);
  const kind = oneOf(["mnist-sample", "idx", "cifar10", "folder"] as const)(o["kind"], `${at}.kind`);
  if (kind === "mnist-sample") return { kind };
  const dir = str(o["dir"], `${at}.dir`);
  if (dir === "") throw new Invalid(`${at}.dir must name a folder, got ""`);
  return { kind, dir };
};

const betas: V<[number, number]> = (v, at) => {
  const b = arr(num())(v, at);
  if (b.length !== 2 || b.some((x) => x < 0 || x >= 1)) throw new Invalid(`${at} must be two numbers in [0, 1), got [${b.join(", ")}]`);
  return [b[0]!, b[1]!];
};

const optimizerConfig: V<OptimizerConfig> = obj({
  name: oneOf(OPTIMIZERS),
  lr: num({ min: 0 }),
  momentum: num({ min: 0 }),
  dampening: num({ min: 0, max: 1 }),
  nesterov: bool,
  weightDecay: num({ min: 0 }),
  betas,
  eps: num({ min: 0 }),
});

const scheduleConfig: V<ScheduleConfig> = obj({
  name: oneOf(SCHEDULES),
  stepSize: num({ int: true, min: 1 }),
  gamma: num({ min: 0 }),
  minLr: num({ min: 0 }),
  pctStart: num({ min: 0, max: 1 }),
  divFactor: num({ min: 1e-12 }),
  finalDivFactor: num({ min: 1e-12 }),
});

const trainConfigShape: V<TrainConfig> = obj({
  file: str,
  model: str,
  dataset: datasetSpec,
  epochs: num({ int: true, min: 1, max: 1e6 }),
  batchSize: num({ int: true, min: 1, max: 65536 }),
  optimizer: optimizerConfig,
  schedule: scheduleConfig,
  augment: obj({ cropPadding: num({ int: true, min: 0, max: 1024 }), flip: bool }),
  normalize: bool,
  validationFraction: num({ min: 0, max: 0.9 }),
  seed: num({ int: true, min: 0, max: 2 ** 32 - 1 }),
  backend: oneOf(BACKEND_CHOICES),
  runsDir: str,
  resume: nullable(str),
});

/** The configuration's validator, for messages that carry one (`at` names it in errors). */
export const trainConfigOf: V<TrainConfig> = (v, at) => {
  const o = record(v, at);
  // the sections first: a message without them is not a configuration at all
  for (const k of ["optimizer", "schedule", "augment"]) record(o[k], `${at}.${k}`);
  const config = trainConfigShape(v, at);
  const opt = config.optimizer;
  if (opt.nesterov && (opt.momentum <= 0 || opt.dampening !== 0)) {
    throw new Invalid(`${at}.optimizer: Nesterov momentum requires a momentum above 0 and zero dampening (got momentum ${opt.momentum}, dampening ${opt.dampening})`);
  }
  return config;
};

export function validateTrainConfig(v: unknown): Checked<TrainConfig> {
  return checked(() => trainConfigOf(v, "config"));
}
