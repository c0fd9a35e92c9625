/**
 * The training configuration: what the CLI, the Train view and a run's config.json give the
 * trainer (src/shared/training.ts carries it in its `start` request), its defaults and its check.
 */

import { bool, checked, Invalid, nullable, num, obj, oneOf, optional, record, str, tuple2, type Checked, type NumOptions, type V } from "./validate";
import { checkDataAgrees, dataConfigShape, type DataConfig } from "./trainConfigData";
import { transferConfigOf, type TransferConfig } from "./trainConfigTransfer";
import { torchSettingsShape, type TorchTrainSettings } from "./trainConfigTorch";

// ---------------------------------------------------------------------------------------------
// Configuration

/** `gpu` = @tensorflow/tfjs-node-gpu, `native` = @tensorflow/tfjs-node, `wasm`, `js` = plain CPU. */
export type BackendName = "gpu" | "native" | "wasm" | "js";
/** What trains a run, as its `started` event says: a TensorFlow.js backend, or `torch` (the PyTorch engine, src/trainer/engines/torch). */
export type RunBackend = BackendName | "torch";
export type BackendChoice = "auto" | BackendName;
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "gpu", "native", "wasm", "js"];

export type OptimizerName = "sgd" | "adam" | "adamw";
export const OPTIMIZERS: readonly OptimizerName[] = ["sgd", "adam", "adamw"];

export type ScheduleName = "none" | "step" | "cosine" | "onecycle" | "warmup-cosine";
export const SCHEDULES: readonly ScheduleName[] = ["none", "step", "cosine", "onecycle", "warmup-cosine"];

/**
 * Where the images come from. `dir` is an absolute path. `segfolder` (images/ and masks/ of the same
 * stems) and `shapes-seg` (generated) are segmentation data: a class per pixel.
 */
export type DatasetSpec =
  | { kind: "mnist-sample" }
  | { kind: "idx"; dir: string }
  | { kind: "cifar10"; dir: string }
  | { kind: "folder"; dir: string }
  | { kind: "segfolder"; dir: string }
  | { kind: "shapes-seg" }
  // issue 19: the generated 3-channel sample (src/trainer/data/shapes10Sample.ts)
  | { kind: "shapes10-sample" };

/** The bundled classification samples: datasets that need no folder, which the Train view switches between by the model's input. */
export const BUNDLED_DATASETS = ["mnist-sample", "shapes10-sample"] as const;
export type BundledDataset = (typeof BUNDLED_DATASETS)[number];
export const isBundledDataset = (kind: string): kind is BundledDataset => (BUNDLED_DATASETS as readonly string[]).includes(kind);

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
  /**
   * No weight decay for parameters with fewer than 2 dimensions (biases, norm weights), an
   * Embedding's weight, or a parameter whose own name ends in `token` or contains `pos_embed` or
   * `position_bias` (timm's param_groups_weight_decay); default false: decay everywhere, as PyTorch.
   */
  excludeFromDecay: boolean;
  /** torch.nn.utils.clip_grad_norm_'s max_norm (2-norm over all gradients) before each step; 0 = off. */
  clipGradNorm: number;
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
  /** `warmup-cosine`: LinearLR from lr × `warmupStart` over `warmupEpochs` epochs of steps, then CosineAnnealingLR to `minLr` (SequentialLR, per step). */
  warmupEpochs: number;
  warmupStart: number;
}

export interface AugmentConfig {
  /** Random crop of the input size after zero padding by this many pixels (0 = off). */
  cropPadding: number;
  /** Random horizontal flip with probability 0.5. */
  flip: boolean;
}

/** Issue 16's PyTorch-engine settings (src/shared/trainConfigTorch.ts: distributed, precision, channelsLast, compile) are optional fields of it, absent when not given. */
export interface TrainConfig extends TorchTrainSettings {
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
  /** nn.CrossEntropyLoss's label_smoothing for the training loss (0 = off); the validation loss is plain cross-entropy. */
  labelSmoothing: number;
  /** For image folders without train/val subfolders: the fraction held out for validation. */
  validationFraction: number;
  seed: number;
  backend: BackendChoice;
  /** Runs are created in `<runsDir>/<yyyy-mm-dd-HHMMSS>-<model>/`. */
  runsDir: string;
  /** Resume this run directory from its newest checkpoint instead of starting a new run. */
  resume: string | null;
  /** Issue 15's data options (--normalize, --augment, --resize); absent: `normalize` and `augment` say it all, images stretched. */
  data?: DataConfig;
  /** Transfer learning (issue 15): --weights, --freeze, --lr-for (src/shared/trainConfigTransfer.ts); absent when none is given. */
  transfer?: TransferConfig;
  /**
   * Issue 17: threads of data-parallel training on the wasm and js backends (`--workers N`,
   * src/trainer/train/dataParallel.ts), the trainer's own included; absent: 1.
   */
  workers?: number;
}

/** The most threads `--workers` takes. */
export const MAX_WORKERS = 16;

// ---------------------------------------------------------------------------------------------
// The settings table: every setting's type, limits, default, CLI option, form label and help, in
// one place. The CLI parser and its --help (src/cli/train.ts), the Train view's form
// (src/extension/train/form.ts), `trainConfig`'s defaults and the protocol's check below all read
// it, so a setting is added, or its limits changed, here only.

interface Sections {
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  augment: AugmentConfig;
}

/** Where a setting lives in `TrainConfig`: a top-level field, or a field of a section. */
type Place =
  | { section: null; key: "epochs" | "batchSize" | "normalize" | "validationFraction" | "seed" | "backend" | "labelSmoothing" }
  | { [S in keyof Sections]: { section: S; key: keyof Sections[S] } }[keyof Sections];

interface FieldText {
  /** The CLI option: `--lr`. */
  flag: string;
  /** The name in messages and (unless `formLabel`) the Train view's label: `Learning rate`. */
  label: string;
  /** The Train view's label where it says more than `label`. */
  formLabel?: string;
  /** What --help says (its default follows). */
  help: string;
  /** The default as --help words it, where `default` alone does not say it. */
  defaultText?: string;
  /** Where the setting means something: only for these optimizers, schedules or datasets. */
  when?: { optimizer?: readonly OptimizerName[]; schedule?: readonly ScheduleName[]; dataset?: readonly DatasetSpec["kind"][] };
}

export type NumberField = Place &
  FieldText &
  Omit<NumOptions, "nonFinite"> & {
    type: "number";
    /** The CLI's value name: `--lr X`. */
    metavar: string;
    default: number;
    /** Defaults that depend on the optimizer (PyTorch's). */
    defaultFor?: Partial<Record<OptimizerName, number>>;
  };
export type ChoiceField = Place & FieldText & { type: "choice"; metavar: string; choices: readonly string[]; default: string };
/** A true/false setting; its CLI option sets the opposite of the default (`--flip`, `--no-normalize`). */
export type FlagField = Place & FieldText & { type: "flag"; default: boolean };
/** Two numbers with the same limits (Adam's betas); `B1,B2` on the command line. */
export type PairField = Place & FieldText & Omit<NumOptions, "nonFinite"> & { type: "pair"; metavar: string; default: readonly [number, number] };
export type TrainField = NumberField | ChoiceField | FlagField | PairField;
/** A setting's value: a number, a choice, true/false or a pair. */
export type FieldValue = number | string | boolean | readonly [number, number];

const SGD = ["sgd"] as const;

/** What `--exclude-from-decay` spares, in one phrase (src/trainer/train/optimizers.ts `excludedFromDecay`, trainer.py `no_decay`). */
export const NO_DECAY_RULE =
  "parameters with fewer than 2 dimensions (biases, norm weights), Embedding weights, and parameters whose own name ends in 'token' or contains 'pos_embed' or 'position_bias'";
const ADAM = ["adam", "adamw"] as const;

export const TRAIN_FIELDS = {
  epochs: {
    type: "number",
    section: null,
    key: "epochs",
    flag: "--epochs",
    metavar: "N",
    label: "Epochs",
    help: "passes over the training set",
    int: true,
    min: 1,
    max: 10000,
    default: 5,
  },
  batchSize: {
    type: "number",
    section: null,
    key: "batchSize",
    flag: "--batch-size",
    metavar: "B",
    label: "Batch size",
    help: "images per step",
    int: true,
    min: 1,
    max: 65536,
    default: 64,
  },
  optimizer: {
    type: "choice",
    section: "optimizer",
    key: "name",
    flag: "--optimizer",
    metavar: "O",
    label: "Optimizer",
    help: OPTIMIZERS.join(" | "),
    choices: OPTIMIZERS,
    default: "adam",
  },
  lr: {
    type: "number",
    section: "optimizer",
    key: "lr",
    flag: "--lr",
    metavar: "X",
    label: "Learning rate",
    help: "learning rate (one-cycle: the maximum)",
    above: 0,
    max: 10,
    default: 0.001,
    defaultFor: { sgd: 0.01 },
    defaultText: "0.01 for sgd, 0.001 for adam/adamw",
  },
  momentum: {
    type: "number",
    section: "optimizer",
    key: "momentum",
    flag: "--momentum",
    metavar: "M",
    label: "Momentum",
    help: "SGD momentum",
    min: 0,
    max: 1,
    default: 0,
    when: { optimizer: SGD },
  },
  dampening: {
    type: "number",
    section: "optimizer",
    key: "dampening",
    flag: "--dampening",
    metavar: "D",
    label: "Dampening",
    help: "SGD dampening of the momentum",
    min: 0,
    max: 1,
    default: 0,
    when: { optimizer: SGD },
  },
  nesterov: {
    type: "flag",
    section: "optimizer",
    key: "nesterov",
    flag: "--nesterov",
    label: "Nesterov momentum",
    help: "Nesterov momentum (SGD, with a --momentum above 0)",
    default: false,
    when: { optimizer: SGD },
  },
  weightDecay: {
    type: "number",
    section: "optimizer",
    key: "weightDecay",
    flag: "--weight-decay",
    metavar: "W",
    label: "Weight decay",
    help: "L2 penalty (adamw: decoupled weight decay)",
    min: 0,
    max: 1,
    default: 0,
    defaultFor: { adamw: 0.01 },
    defaultText: "0, adamw: 0.01",
  },
  betas: {
    type: "pair",
    section: "optimizer",
    key: "betas",
    flag: "--betas",
    metavar: "B1,B2",
    label: "Betas",
    help: "Adam/AdamW betas",
    min: 0,
    below: 1,
    default: [0.9, 0.999],
    defaultText: "0.9,0.999",
    when: { optimizer: ADAM },
  },
  eps: {
    type: "number",
    section: "optimizer",
    key: "eps",
    flag: "--eps",
    metavar: "E",
    label: "Epsilon",
    help: "Adam/AdamW epsilon",
    min: 0,
    max: 1,
    default: 1e-8,
    when: { optimizer: ADAM },
  },
  schedule: {
    type: "choice",
    section: "schedule",
    key: "name",
    flag: "--schedule",
    metavar: "S",
    label: "Learning-rate schedule",
    help: SCHEDULES.join(" | "),
    choices: SCHEDULES,
    default: "none",
  },
  stepSize: {
    type: "number",
    section: "schedule",
    key: "stepSize",
    flag: "--step-size",
    metavar: "N",
    label: "Step size",
    formLabel: "Step size (epochs)",
    help: "step: multiply the lr by --gamma every N epochs",
    int: true,
    min: 1,
    max: 10000,
    default: 1,
    when: { schedule: ["step"] },
  },
  gamma: {
    type: "number",
    section: "schedule",
    key: "gamma",
    flag: "--gamma",
    metavar: "G",
    label: "Gamma",
    help: "step: the lr's factor every --step-size epochs",
    above: 0,
    max: 1,
    default: 0.1,
    when: { schedule: ["step"] },
  },
  minLr: {
    type: "number",
    section: "schedule",
    key: "minLr",
    flag: "--min-lr",
    metavar: "X",
    label: "Minimum learning rate",
    help: "cosine: the last epoch's lr; warmup-cosine: the lr the cosine ends at",
    min: 0,
    max: 10,
    default: 0,
    when: { schedule: ["cosine", "warmup-cosine"] },
  },
  pctStart: {
    type: "number",
    section: "schedule",
    key: "pctStart",
    flag: "--pct-start",
    metavar: "F",
    label: "Warm-up fraction",
    help: "onecycle: the fraction of steps that raise the lr",
    min: 0,
    max: 1,
    default: 0.3,
    when: { schedule: ["onecycle"] },
  },
  divFactor: {
    type: "number",
    section: "schedule",
    key: "divFactor",
    flag: "--div-factor",
    metavar: "D",
    label: "Initial division factor",
    help: "onecycle: the first lr is --lr / D",
    above: 0,
    max: 1e12,
    default: 25,
    when: { schedule: ["onecycle"] },
  },
  finalDivFactor: {
    type: "number",
    section: "schedule",
    key: "finalDivFactor",
    flag: "--final-div-factor",
    metavar: "D",
    label: "Final division factor",
    help: "onecycle: the last lr is the first / D",
    above: 0,
    max: 1e12,
    default: 1e4,
    when: { schedule: ["onecycle"] },
  },
  cropPadding: {
    type: "number",
    section: "augment",
    key: "cropPadding",
    flag: "--crop-padding",
    metavar: "P",
    label: "Crop padding",
    formLabel: "Random crop padding (pixels, 0 = off)",
    help: "random crop after zero padding by P pixels (0: off)",
    int: true,
    min: 0,
    max: 64,
    default: 0,
  },
  flip: { type: "flag", section: "augment", key: "flip", flag: "--flip", label: "Random horizontal flip", help: "random horizontal flips", default: false },
  normalize: {
    type: "flag",
    section: null,
    key: "normalize",
    flag: "--no-normalize",
    label: "Normalize channels (training mean and std)",
    help: "do not normalise with the training set's mean and std",
    default: true,
  },
  validationFraction: {
    type: "number",
    section: null,
    key: "validationFraction",
    flag: "--val-fraction",
    metavar: "F",
    label: "Validation fraction",
    formLabel: "Validation fraction (image folders without val/)",
    help: "image folders without val/: the fraction held out",
    min: 0,
    max: 0.9,
    default: 0.2,
    when: { dataset: ["folder"] },
  },
  seed: {
    type: "number",
    section: null,
    key: "seed",
    flag: "--seed",
    metavar: "S",
    label: "Seed",
    help: "same seed, same metrics",
    int: true,
    min: 0,
    max: 2 ** 32 - 1,
    default: 0,
  },
  backend: {
    type: "choice",
    section: null,
    key: "backend",
    flag: "--backend",
    metavar: "B",
    label: "Backend",
    choices: BACKEND_CHOICES,
    default: "auto",
    help: `${BACKEND_CHOICES.join(" | ")} (TensorFlow.js), or torch: the PyTorch engine with your Python (CUDA when available)`,
  },
  // ---- trainopts: what transformers need (issue 14) ----
  excludeFromDecay: {
    type: "flag",
    section: "optimizer",
    key: "excludeFromDecay",
    flag: "--exclude-from-decay",
    label: "No weight decay on biases, norms and embeddings",
    help: `no weight decay for ${NO_DECAY_RULE} (as timm; default: decay everywhere, as PyTorch)`,
    default: false,
  },
  clipGradNorm: {
    type: "number",
    section: "optimizer",
    key: "clipGradNorm",
    flag: "--clip-grad-norm",
    metavar: "X",
    label: "Clip gradient norm",
    help: "scale the gradients to a total 2-norm of at most X before each step (clip_grad_norm_; 0: off)",
    min: 0,
    max: 1e6,
    default: 0,
  },
  labelSmoothing: {
    type: "number",
    section: null,
    key: "labelSmoothing",
    flag: "--label-smoothing",
    metavar: "E",
    label: "Label smoothing",
    help: "the training loss's label smoothing (CrossEntropyLoss(label_smoothing=E); validation: plain)",
    min: 0,
    max: 1,
    default: 0,
  },
  warmupEpochs: {
    type: "number",
    section: "schedule",
    key: "warmupEpochs",
    flag: "--warmup-epochs",
    metavar: "N",
    label: "Warm-up epochs",
    help: "warmup-cosine: raise the lr linearly over N epochs' steps, then cosine to --min-lr, every step",
    int: true,
    min: 0,
    max: 1000,
    default: 1,
    when: { schedule: ["warmup-cosine"] },
  },
  warmupStart: {
    type: "number",
    section: "schedule",
    key: "warmupStart",
    flag: "--warmup-start",
    metavar: "F",
    label: "Warm-up start factor",
    help: "warmup-cosine: the first step's lr is --lr × F (LinearLR's start_factor)",
    above: 0,
    max: 1,
    default: 1 / 3,
    defaultText: "1/3, LinearLR's",
    when: { schedule: ["warmup-cosine"] },
  },
} as const satisfies Record<string, TrainField>;

export type TrainFieldName = keyof typeof TRAIN_FIELDS;
export type NumberFieldName = { [K in TrainFieldName]: (typeof TRAIN_FIELDS)[K] extends { type: "number" } ? K : never }[TrainFieldName];
export const TRAIN_FIELD_NAMES = Object.keys(TRAIN_FIELDS) as TrainFieldName[];

/** A setting's table entry, widened to its kind. */
export function trainField(name: TrainFieldName): TrainField {
  return TRAIN_FIELDS[name];
}

/** A number setting's default (for the optimizer, where it depends on it). */
export function numberDefault(name: NumberFieldName, optimizer: OptimizerName = "adam"): number {
  const f: NumberField = TRAIN_FIELDS[name];
  return f.defaultFor?.[optimizer] ?? f.default;
}

/** Does the setting mean something with this optimizer, schedule and dataset? */
export function fieldApplies(f: TrainField, c: { optimizer?: OptimizerName; schedule?: ScheduleName; dataset?: DatasetSpec["kind"] }): boolean {
  const w = f.when;
  if (!w) return true;
  return (
    (!w.optimizer || c.optimizer === undefined || w.optimizer.includes(c.optimizer)) &&
    (!w.schedule || c.schedule === undefined || w.schedule.includes(c.schedule)) &&
    (!w.dataset || c.dataset === undefined || w.dataset.includes(c.dataset))
  );
}

/** The setting's value in a configuration. */
export function fieldValue(config: TrainConfig, f: TrainField): unknown {
  return f.section === null ? config[f.key] : (config[f.section] as unknown as Record<string, unknown>)[f.key];
}

/** The fields `trainConfig` takes: the settings given, the rest left to their defaults. */
export type TrainConfigInput = Pick<TrainConfig, "file" | "model" | "dataset" | "runsDir"> &
  Partial<Omit<TrainConfig, "optimizer" | "schedule" | "augment">> & {
    optimizer?: Partial<OptimizerConfig>;
    schedule?: Partial<ScheduleConfig>;
    augment?: Partial<AugmentConfig>;
  };

/** `input` with one setting set (the value is checked later, by `validateTrainConfig`). */
export function withField(input: TrainConfigInput, f: TrainField, value: FieldValue): TrainConfigInput {
  if (f.section === null) return { ...input, [f.key]: value };
  return { ...input, [f.section]: { ...input[f.section], [f.key]: value } };
}

/** A complete configuration from the fields given; the settings table's (PyTorch's) defaults for the rest. */
export function trainConfig(base: TrainConfigInput): TrainConfig {
  const name = base.optimizer?.name ?? TRAIN_FIELDS.optimizer.default;
  const d = (field: NumberFieldName): number => numberDefault(field, name);
  return {
    file: base.file,
    model: base.model,
    dataset: base.dataset,
    epochs: base.epochs ?? d("epochs"),
    batchSize: base.batchSize ?? d("batchSize"),
    optimizer: {
      name,
      lr: base.optimizer?.lr ?? d("lr"),
      momentum: base.optimizer?.momentum ?? d("momentum"),
      dampening: base.optimizer?.dampening ?? d("dampening"),
      nesterov: base.optimizer?.nesterov ?? TRAIN_FIELDS.nesterov.default,
      weightDecay: base.optimizer?.weightDecay ?? d("weightDecay"),
      betas: base.optimizer?.betas ?? [...TRAIN_FIELDS.betas.default],
      eps: base.optimizer?.eps ?? d("eps"),
      excludeFromDecay: base.optimizer?.excludeFromDecay ?? TRAIN_FIELDS.excludeFromDecay.default,
      clipGradNorm: base.optimizer?.clipGradNorm ?? d("clipGradNorm"),
    },
    schedule: {
      name: base.schedule?.name ?? TRAIN_FIELDS.schedule.default,
      stepSize: base.schedule?.stepSize ?? d("stepSize"),
      gamma: base.schedule?.gamma ?? d("gamma"),
      minLr: base.schedule?.minLr ?? d("minLr"),
      pctStart: base.schedule?.pctStart ?? d("pctStart"),
      divFactor: base.schedule?.divFactor ?? d("divFactor"),
      finalDivFactor: base.schedule?.finalDivFactor ?? d("finalDivFactor"),
      warmupEpochs: base.schedule?.warmupEpochs ?? d("warmupEpochs"),
      warmupStart: base.schedule?.warmupStart ?? d("warmupStart"),
    },
    augment: { cropPadding: base.augment?.cropPadding ?? d("cropPadding"), flip: base.augment?.flip ?? TRAIN_FIELDS.flip.default },
    normalize: base.normalize ?? TRAIN_FIELDS.normalize.default,
    labelSmoothing: base.labelSmoothing ?? d("labelSmoothing"),
    validationFraction: base.validationFraction ?? d("validationFraction"),
    seed: base.seed ?? d("seed"),
    backend: base.backend ?? TRAIN_FIELDS.backend.default,
    runsDir: base.runsDir,
    resume: base.resume ?? null,
    ...(base.data ? { data: base.data } : {}),
    ...(base.transfer ? { transfer: base.transfer } : {}),
    ...(base.distributed ? { distributed: base.distributed } : {}),
    ...(base.precision ? { precision: base.precision } : {}),
    ...(base.channelsLast ? { channelsLast: base.channelsLast } : {}),
    ...(base.compile ? { compile: base.compile } : {}),
    ...(base.workers !== undefined && base.workers !== 1 ? { workers: base.workers } : {}),
  };
}

export function describeDataset(d: DatasetSpec): string {
  return "dir" in d ? `${d.kind}:${d.dir}` : d.kind;
}

// ---------------------------------------------------------------------------------------------
// Validation

const datasetSpec: V<DatasetSpec> = (v, at) => {
  const o = record(v, at);
  const kind = oneOf(["mnist-sample", "idx", "cifar10", "folder", "shapes10-sample", "segfolder", "shapes-seg"] as const)(o["kind"], `${at}.kind`);
  if (kind === "mnist-sample" || kind === "shapes10-sample" || kind === "shapes-seg") return { kind };
  const dir = str(o["dir"], `${at}.dir`);
  if (dir === "") throw new Invalid(`${at}.dir must name a folder, got ""`);
  return { kind, dir };
};

/** A setting's check, from the settings table. */
type CheckedValue<F extends TrainField> = F extends ChoiceField
  ? F["choices"][number]
  : F extends FlagField
    ? boolean
    : F extends PairField
      ? [number, number]
      : number;

function check<F extends TrainField>(f: F): V<CheckedValue<F>> {
  if (f.type === "number") return num(f) as V<CheckedValue<F>>;
  if (f.type === "pair") return tuple2(num(f)) as V<CheckedValue<F>>;
  if (f.type === "choice") return oneOf(f.choices) as V<CheckedValue<F>>;
  return bool as V<CheckedValue<F>>;
}

const F = TRAIN_FIELDS;

/** A setting added after runs were written: a config.json without it (an older run, resumed) gets its default. */
function since14<T>(inner: V<T>, dflt: T): V<T> {
  return (v, at) => (v === undefined ? dflt : inner(v, at));
}

const optimizerConfig: V<OptimizerConfig> = obj({
  name: check(F.optimizer),
  lr: check(F.lr),
  momentum: check(F.momentum),
  dampening: check(F.dampening),
  nesterov: check(F.nesterov),
  weightDecay: check(F.weightDecay),
  betas: check(F.betas),
  eps: check(F.eps),
  excludeFromDecay: since14(check(F.excludeFromDecay), F.excludeFromDecay.default),
  clipGradNorm: since14(check(F.clipGradNorm), F.clipGradNorm.default),
});

const scheduleConfig: V<ScheduleConfig> = obj({
  name: check(F.schedule),
  stepSize: check(F.stepSize),
  gamma: check(F.gamma),
  minLr: check(F.minLr),
  pctStart: check(F.pctStart),
  divFactor: check(F.divFactor),
  finalDivFactor: check(F.finalDivFactor),
  warmupEpochs: since14(check(F.warmupEpochs), F.warmupEpochs.default),
  warmupStart: since14(check(F.warmupStart), F.warmupStart.default),
});

const trainConfigShape: V<TrainConfig> = obj({
  file: str,
  model: str,
  dataset: datasetSpec,
  epochs: check(F.epochs),
  batchSize: check(F.batchSize),
  optimizer: optimizerConfig,
  schedule: scheduleConfig,
  augment: obj({ cropPadding: check(F.cropPadding), flip: check(F.flip) }),
  normalize: check(F.normalize),
  labelSmoothing: since14(check(F.labelSmoothing), F.labelSmoothing.default),
  validationFraction: check(F.validationFraction),
  seed: check(F.seed),
  backend: check(F.backend),
  runsDir: str,
  resume: nullable(str),
  data: optional(dataConfigShape),
  transfer: transferConfigOf,
  ...torchSettingsShape,
  workers: optional(num({ int: true, min: 1, max: MAX_WORKERS })),
});

/** The configuration's validator, for messages that carry one (`at` names it in errors). */
export const trainConfigOf: V<TrainConfig> = (v, at) => {
  const o = record(v, at);
  // the sections first: a message without them is not a configuration at all
  for (const k of ["optimizer", "schedule", "augment"]) record(o[k], `${at}.${k}`);
  const config = trainConfigShape(v, at);
  checkDataAgrees(config, at);
  const opt = config.optimizer;
  if (opt.nesterov && (opt.momentum <= 0 || opt.dampening !== 0)) {
    throw new Invalid(
      `${at}.optimizer: Nesterov momentum requires a momentum above 0 and zero dampening (got momentum ${opt.momentum}, dampening ${opt.dampening})`,
    );
  }
  const sch = config.schedule;
  if (sch.name === "warmup-cosine" && sch.warmupEpochs >= config.epochs) {
    throw new Invalid(
      `${at}.schedule: a warm-up of ${sch.warmupEpochs} epochs needs more than ${sch.warmupEpochs} epochs to anneal (got epochs ${config.epochs})`,
    );
  }
  return config;
};

export function validateTrainConfig(v: unknown): Checked<TrainConfig> {
  return checked(() => trainConfigOf(v, "config"));
}
