/**
 * Messages of the Train view (`webview/train`, a webview view in the CNN Studio sidebar) and the
 * form they carry. The form's settings, their labels and limits come from the settings table
 * (src/shared/trainConfig.ts); this file adds what only the form has (the model, the dataset kind
 * and folder, the choices' labels) and one validated union of messages each way.
 */
import {
  BACKEND_CHOICES,
  OPTIMIZERS,
  SCHEDULES,
  TRAIN_FIELDS,
  type BackendChoice,
  type DatasetSpec,
  type NumberFieldName,
  type OptimizerName,
  type ScheduleName,
} from "../trainConfig";
import { arr, bool, literal, nullable, obj, oneOf, optional, str, tagged, type V } from "../validate";
import { logMessage } from "./common";
import { transferInfo, type TransferInfo } from "./trainTransfer";

export type DatasetKind = DatasetSpec["kind"];

/** The form's backend choices: TensorFlow.js's, and `torch` for the PyTorch engine. */
export type FormBackend = BackendChoice | "torch";
export const FORM_BACKENDS: readonly FormBackend[] = [...BACKEND_CHOICES, "torch"];

export const DATASET_KINDS: readonly { kind: DatasetKind; label: string }[] = [
  { kind: "mnist-sample", label: "MNIST sample (bundled)" },
  { kind: "idx", label: "IDX folder (MNIST, Fashion-MNIST)" },
  { kind: "cifar10", label: "CIFAR-10 folder (binary version)" },
  { kind: "folder", label: "Image folder (one subfolder per class)" },
  { kind: "segfolder", label: "Segmentation folder (images/ and masks/)" },
  { kind: "shapes-seg", label: "Shapes segmentation sample (generated)" },
  { kind: "shapes10-sample", label: "Shapes-10 sample (bundled, 3×32×32)" },
];

/** Whether a dataset kind is read from a folder (the bundled and generated samples are not). */
export function datasetHasDir(kind: DatasetKind): kind is Exclude<DatasetKind, "mnist-sample" | "shapes10-sample" | "shapes-seg"> {
  return kind !== "mnist-sample" && kind !== "shapes10-sample" && kind !== "shapes-seg";
}

/** What the form's choices show. */
export const OPTIMIZER_LABELS: Readonly<Record<OptimizerName, string>> = { sgd: "SGD", adam: "Adam", adamw: "AdamW" };
export const SCHEDULE_LABELS: Readonly<Record<ScheduleName, string>> = {
  none: "Constant",
  step: "Step decay (StepLR)",
  cosine: "Cosine annealing",
  onecycle: "One-cycle",
  "warmup-cosine": "Warm-up + cosine (per step)",
};
export const BACKEND_LABELS: Readonly<Record<FormBackend, string>> = {
  auto: "Auto (fastest available)",
  gpu: "GPU (CUDA, tfjs-node-gpu)",
  native: "Native CPU (tfjs-node)",
  wasm: "WebAssembly (bundled)",
  js: "JavaScript CPU (bundled)",
  torch: "torch (PyTorch, your Python)",
};

/** The form as the webview reports it: number fields as typed (strings), choices, and check boxes. */
export interface TrainFormState {
  /** `<file uri>#<model name>` of a model in the Models view. */
  model: string;
  dataset: DatasetKind;
  datasetDir: string;
  epochs: string;
  batchSize: string;
  optimizer: OptimizerName;
  lr: string;
  momentum: string;
  weightDecay: string;
  schedule: ScheduleName;
  stepSize: string;
  gamma: string;
  cropPadding: string;
  flip: boolean;
  normalize: boolean;
  validationFraction: string;
  backend: FormBackend;
  seed: string;
  // ---- trainopts (issue 14) ----
  warmupEpochs: string;
  clipGradNorm: string;
  labelSmoothing: string;
  excludeFromDecay: boolean;
  // ---- transfer learning (issue 15) ----
  /** The weights file or run folder to start from ("" for none), chosen with "Start from weights…". */
  weights: string;
  /** Globs over parameter names, comma-separated, as `--freeze`. */
  freeze: string;
  /** `GLOB=LR` lines, as `--lr-for`. */
  lrFor: string;
}

export type FormField = keyof TrainFormState;
export type FormErrors = Partial<Record<FormField, string>>;

/** The form's number fields: settings of the settings table (src/shared/trainConfig.ts), typed as text. */
export const FORM_NUMBER_FIELDS = [
  "epochs",
  "batchSize",
  "lr",
  "momentum",
  "weightDecay",
  "stepSize",
  "gamma",
  "cropPadding",
  "validationFraction",
  "seed",
  "warmupEpochs",
  "clipGradNorm",
  "labelSmoothing",
] as const satisfies readonly (NumberFieldName & FormField)[];
export type FormNumberField = (typeof FORM_NUMBER_FIELDS)[number];

/** The form's fields by kind of control (the element id is the field's name). */
export const TEXT_FIELDS = ["datasetDir", ...FORM_NUMBER_FIELDS] as const satisfies readonly FormField[];
export const SELECT_FIELDS = ["model", "dataset", "optimizer", "schedule", "backend"] as const satisfies readonly FormField[];
export const CHECK_FIELDS = ["flip", "normalize", "excludeFromDecay"] as const satisfies readonly FormField[];
/** Transfer learning's fields (issue 15): the weights (set by the host), the freeze globs and the learning-rate groups. */
export const TRANSFER_FIELDS = ["weights", "freeze", "lrFor"] as const satisfies readonly FormField[];
export const FORM_FIELDS: readonly FormField[] = [...TEXT_FIELDS, ...SELECT_FIELDS, ...CHECK_FIELDS, ...TRANSFER_FIELDS];

/** The label the form shows for a setting of the settings table. */
export function formLabel(name: keyof typeof TRAIN_FIELDS): string {
  const f: { label: string; formLabel?: string } = TRAIN_FIELDS[name];
  return f.formLabel ?? f.label;
}

export const trainFormState: V<TrainFormState> = obj({
  model: str,
  dataset: oneOf(DATASET_KINDS.map((k) => k.kind)),
  datasetDir: str,
  epochs: str,
  batchSize: str,
  optimizer: oneOf(OPTIMIZERS),
  lr: str,
  momentum: str,
  weightDecay: str,
  schedule: oneOf(SCHEDULES),
  stepSize: str,
  gamma: str,
  cropPadding: str,
  flip: bool,
  normalize: bool,
  validationFraction: str,
  backend: oneOf(FORM_BACKENDS),
  seed: str,
  warmupEpochs: str,
  clipGradNorm: str,
  labelSmoothing: str,
  excludeFromDecay: bool,
  weights: str,
  freeze: str,
  lrFor: str,
});

export const formErrors: V<FormErrors> = obj(Object.fromEntries(FORM_FIELDS.map((f) => [f, optional(str)])) as Record<FormField, V<string | undefined>>);

/** A model the form offers: its id, what the list shows, and its shapes or why it cannot train. */
export interface ModelChoice {
  id: string;
  label: string;
  detail: string;
}

export type StatusKind = "info" | "warning" | "error";

export interface TrainStatus {
  text: string;
  kind: StatusKind;
  /** Monospaced detail under the text (a configuration), "" for none. */
  detail: string;
  training: boolean;
  canStart: boolean;
  /** A run exists whose curves can be opened. */
  hasRun: boolean;
}

export type TrainToWebview =
  /** The form's values (the answer to `ready`). */
  | { type: "state"; state: TrainFormState }
  /** The models to choose from, and the one to select ("" for none). */
  | { type: "models"; models: ModelChoice[]; selected: string }
  /** A value the host chose for the user (the dataset folder from Browse…, the weights from "Start from weights…"). */
  | { type: "set"; field: "datasetDir" | "weights"; value: string }
  /** The chosen weights and how they match the selected model, the freeze field's completions, the trainable count. */
  | { type: "transfer"; info: TransferInfo }
  /** Each field's problem, and what Start would run ("" while the form has problems). */
  | { type: "validation"; errors: FormErrors; preview: string }
  | ({ type: "status" } & TrainStatus)
  /** Focus Start (the Train code lens opened the view for a model). */
  | { type: "focus" };

export type TrainToHost =
  /** Loaded; with the form the webview kept (null when it has none: the host sends its own). */
  | { type: "ready"; state: TrainFormState | null }
  | { type: "log"; level: "info" | "warning" | "error"; message: string }
  | { type: "change"; state: TrainFormState }
  | { type: "browse"; state: TrainFormState }
  /** "Start from weights…": the host opens a file picker. */
  | { type: "chooseWeights"; state: TrainFormState }
  | { type: "start"; state: TrainFormState }
  | { type: "stop" }
  | { type: "curves" };

const modelChoice: V<ModelChoice> = obj({ id: str, label: str, detail: str });
const STATUS_KINDS: readonly StatusKind[] = ["info", "warning", "error"];

export const validateTrainToWebview = tagged<TrainToWebview>("train host→webview", {
  state: obj({ type: literal("state"), state: trainFormState }),
  models: obj({ type: literal("models"), models: arr(modelChoice), selected: str }),
  set: obj({ type: literal("set"), field: oneOf(["datasetDir", "weights"] as const), value: str }),
  transfer: obj({ type: literal("transfer"), info: transferInfo }),
  validation: obj({ type: literal("validation"), errors: formErrors, preview: str }),
  status: obj({ type: literal("status"), text: str, kind: oneOf(STATUS_KINDS), detail: str, training: bool, canStart: bool, hasRun: bool }),
  focus: obj({ type: literal("focus") }),
});

export const validateTrainToHost = tagged<TrainToHost>("train webview→host", {
  ready: obj({ type: literal("ready"), state: nullable(trainFormState) }),
  log: logMessage,
  change: obj({ type: literal("change"), state: trainFormState }),
  browse: obj({ type: literal("browse"), state: trainFormState }),
  chooseWeights: obj({ type: literal("chooseWeights"), state: trainFormState }),
  start: obj({ type: literal("start"), state: trainFormState }),
  stop: obj({ type: literal("stop") }),
  curves: obj({ type: literal("curves") }),
});
