import type { Count, OutputShape, Shape } from "../../shared/analysis";
import { trainedOutput } from "../../shared/outputs";
import {
  BUNDLED_DATASETS,
  fieldApplies,
  isBundledDataset,
  numberDefault,
  OPTIMIZERS,
  SCHEDULES,
  trainConfig,
  TRAIN_FIELDS,
  validateTrainConfig,
  type EngineName,
  type NumberField,
  type BundledDataset,
  type DatasetSpec,
  type TrainConfig,
} from "../../shared/training";
import { parseFreeze, parseLrFor, type LrGroup, type TransferConfig } from "../../shared/trainConfigTransfer";
import { numberProblem } from "../../shared/validate";
import { planTransfer, type ModelNames } from "../../trainer/train/freeze";
import {
  DATASET_KINDS,
  datasetHasDir,
  FORM_BACKENDS,
  FORM_NUMBER_FIELDS,
  type DatasetKind,
  type FormBackend,
  type FormErrors,
  type FormField,
  type FormNumberField,
  type TrainFormState,
} from "../../shared/webview/train";

export {
  DATASET_KINDS,
  FORM_BACKENDS,
  FORM_NUMBER_FIELDS,
  formLabel,
  type DatasetKind,
  type FormBackend,
  type FormErrors,
  type FormField,
  type FormNumberField,
  type TrainFormState,
} from "../../shared/webview/train";

/**
 * The Train view's form: its fields as the webview reports them (strings, as typed), their
 * checks, and the training configuration they make. Pure (no `vscode`), shared by the view and
 * the tests.
 */

/** Which engine trains: TensorFlow.js, or PyTorch with the user's Python (both from dist/trainer.js); the start request's. */
export type TrainingEngine = EngineName;

/** A model the form can train: where it is and what it takes and gives. */
export interface FormModel {
  id: string;
  file: string;
  name: string;
  inputs: Shape[];
  output: OutputShape | null;
  params: Count;
  /** Its own errors and its file's (`modelErrors`: another model's do not count); the trainer refuses a model with any. */
  errors: number;
}

export function modelId(uri: string, name: string): string {
  return `${uri}#${name}`;
}

/** Where the form starts from other than the settings' defaults: what SGD and step decay are usually given. */
const FORM_SUGGESTIONS: Partial<Record<FormNumberField, string>> = { momentum: "0.9", stepSize: "2" };

export function defaultForm(init: { model?: string; backend?: FormBackend; datasetDir?: string } = {}): TrainFormState {
  const dir = init.datasetDir ?? "";
  const optimizer = TRAIN_FIELDS.optimizer.default;
  const text = (name: FormNumberField): string => FORM_SUGGESTIONS[name] ?? String(numberDefault(name, optimizer));
  return {
    model: init.model ?? "",
    dataset: dir ? guessDatasetKind(dir) : "mnist-sample",
    datasetDir: dir,
    epochs: text("epochs"),
    batchSize: text("batchSize"),
    optimizer,
    lr: text("lr"),
    momentum: text("momentum"),
    weightDecay: text("weightDecay"),
    schedule: TRAIN_FIELDS.schedule.default,
    stepSize: text("stepSize"),
    gamma: text("gamma"),
    cropPadding: text("cropPadding"),
    flip: TRAIN_FIELDS.flip.default,
    normalize: TRAIN_FIELDS.normalize.default,
    validationFraction: text("validationFraction"),
    backend: init.backend ?? TRAIN_FIELDS.backend.default,
    seed: text("seed"),
    warmupEpochs: text("warmupEpochs"),
    clipGradNorm: text("clipGradNorm"),
    labelSmoothing: text("labelSmoothing"),
    excludeFromDecay: TRAIN_FIELDS.excludeFromDecay.default,
    weights: "",
    freeze: "",
    lrFor: "",
  };
}

/** A guess from the folder's name, for the default dataset folder setting. */
export function guessDatasetKind(dir: string): DatasetKind {
  if (/cifar/i.test(dir)) return "cifar10";
  if (/mnist|idx/i.test(dir)) return "idx";
  return "folder";
}

/** Fills what a (possibly older or partial) saved state lacks from the defaults. */
export function normalizeForm(raw: unknown, defaults: TrainFormState): TrainFormState {
  if (typeof raw !== "object" || raw === null) return { ...defaults };
  const r = raw as Record<string, unknown>;
  const out: TrainFormState = { ...defaults };
  for (const key of Object.keys(defaults) as FormField[]) {
    const v = r[key];
    const d = defaults[key];
    if (typeof v === typeof d) (out as unknown as Record<string, unknown>)[key] = v;
  }
  if (!DATASET_KINDS.some((k) => k.kind === out.dataset)) out.dataset = defaults.dataset;
  if (!OPTIMIZERS.includes(out.optimizer)) out.optimizer = defaults.optimizer;
  if (!SCHEDULES.includes(out.schedule)) out.schedule = defaults.schedule;
  if (!FORM_BACKENDS.includes(out.backend)) out.backend = defaults.backend;
  return out;
}

/**
 * A number field's value, checked against its limits in the settings table; where the setting
 * means nothing for the chosen optimizer, schedule or dataset, its default, unchecked.
 */
function parseNumber(errors: FormErrors, state: TrainFormState, name: FormNumberField): number {
  const f: NumberField = TRAIN_FIELDS[name];
  if (!fieldApplies(f, { optimizer: state.optimizer, schedule: state.schedule, dataset: state.dataset })) return numberDefault(name, state.optimizer);
  const t = state[name].trim();
  const v = t === "" ? NaN : Number(t);
  if (!Number.isFinite(v)) {
    errors[name] = `${f.label} must be a number`;
    return NaN;
  }
  const problem = numberProblem(v, f, "a whole number");
  if (problem !== undefined) errors[name] = `${f.label} must be ${problem}`;
  return v;
}

/** Why the trainer cannot train this model (it trains image classifiers [N, C, H, W] → [N, classes]), or undefined. */
export function modelProblem(m: FormModel): string | undefined {
  if (m.errors > 0) return `${m.name} has ${m.errors} error${m.errors === 1 ? "" : "s"}; fix ${m.errors === 1 ? "it" : "them"} first`;
  if (m.inputs.length !== 1) return `${m.name} has ${m.inputs.length} inputs; the trainer trains models with one image input [N, C, H, W]`;
  const input = m.inputs[0]!;
  if (input.length !== 4 || input.slice(1).some((d) => typeof d !== "number"))
    return `${m.name} takes [${input.join(", ")}]; the trainer needs an image input [N, C, H, W]`;
  if (m.output === null) return `${m.name} could not be analysed to its output`;
  const trained = trainedOutput(m.name, m.output);
  if ("problem" in trained) return trained.problem;
  const out = trained.shape;
  if (out.length !== 2 || typeof out[1] !== "number" || out[1] < 2)
    return `${m.name} outputs [${out.join(", ")}]; the trainer needs class scores [N, classes] (at least 2 classes)`;
  return undefined;
}

/** Datasets of a known image size: the model's input must match it exactly (image folders are resized). */
const FIXED_SIZE: Partial<Record<DatasetKind, { channels: number; size: number; classes: number; name: string }>> = {
  "mnist-sample": { channels: 1, size: 28, classes: 10, name: "The MNIST sample" },
  cifar10: { channels: 3, size: 32, classes: 10, name: "CIFAR-10" },
  "shapes10-sample": { channels: 3, size: 32, classes: 10, name: "The Shapes-10 sample" },
};

/** Why the model cannot train on the dataset as it is, or undefined (checked before the trainer starts). */
export function datasetProblem(m: FormModel, dataset: DatasetKind): string | undefined {
  const fixed = FIXED_SIZE[dataset];
  const input = m.inputs[0];
  if (!fixed || !input || input.length !== 4) return undefined;
  const [, c, h, w] = input;
  const trained = m.output !== null ? trainedOutput(m.name, m.output) : null;
  const out = trained && "shape" in trained ? trained.shape : null;
  const k = out?.[1];
  if (c !== fixed.channels || h !== fixed.size || w !== fixed.size) {
    return `${fixed.name} has ${fixed.channels}×${fixed.size}×${fixed.size} images; ${m.name} takes [${input.join(", ")}]. Choose a model with @input [N, ${fixed.channels}, ${fixed.size}, ${fixed.size}], or an image folder (resized to the model)`;
  }
  if (typeof k === "number" && k < fixed.classes) return `${fixed.name} has ${fixed.classes} classes; ${m.name} outputs ${k}`;
  return undefined;
}

/** Issue 19: the bundled samples a person reads about in the preview. */
const BUNDLED_NAMES: Readonly<Record<BundledDataset, string>> = {
  "mnist-sample": "the bundled MNIST sample",
  "shapes10-sample": "the bundled Shapes-10 sample",
};

const fitsSample = (m: FormModel, d: BundledDataset): boolean => m.inputs[0]?.length === 4 && datasetProblem(m, d) === undefined;

/**
 * Issue 19: the dataset the form shows with `model`. A bundled sample the model cannot take gives way
 * to the one it can (the MNIST sample for [N, 1, 28, 28], the Shapes-10 sample for [N, 3, 32, 32]);
 * a folder the person chose always stays.
 */
export function datasetForModel(dataset: DatasetKind, m: FormModel | undefined): DatasetKind {
  if (!m || !isBundledDataset(dataset) || fitsSample(m, dataset)) return dataset;
  return BUNDLED_DATASETS.find((d) => fitsSample(m, d)) ?? dataset;
}

/** Whether `m` trains on `dataset` as it is, or on the other bundled sample the form would switch to. */
export function suitsDataset(m: FormModel, dataset: DatasetKind): boolean {
  return !modelProblem(m) && datasetProblem(m, datasetForModel(dataset, m)) === undefined;
}

/**
 * The model a form starts with: of those that train on `dataset` as they are, the one with the fewest
 * parameters (the quickest first run; the same whatever order the files were analysed in), else the
 * first without problems.
 */
export function smallestSuitableModel(models: readonly FormModel[], dataset: DatasetKind): FormModel | undefined {
  const smallest = (ms: readonly FormModel[]): FormModel | undefined =>
    ms.reduce<FormModel | undefined>((best, m) => (best === undefined || Number(m.params) < Number(best.params) ? m : best), undefined);
  // issue 19: with a bundled sample chosen, a model that trains on the other sample is the next best
  const suitable = smallest(models.filter((m) => !modelProblem(m) && !datasetProblem(m, dataset))) ?? smallest(models.filter((m) => suitsDataset(m, dataset)));
  return suitable ?? models.find((m) => !modelProblem(m)) ?? models[0];
}

export interface FormResult {
  errors: FormErrors;
  /** Present when there are no errors. */
  config?: TrainConfig;
  /** The engine that trains `config` (backend `torch`: PyTorch; its `config.backend` is then "auto"). */
  engine: TrainingEngine;
}

/** What the host knows of the transfer fields for the selected model: its tensor names, and the weights file as read. */
export interface FormTransfer {
  /** The selected model's parameter, buffer and BatchNorm names (the freeze and learning-rate globs are matched against them). */
  names?: ModelNames;
  /** The chosen weights: the file to load (a run folder's newest checkpoint) or why it cannot be used. */
  weights?: { source: string; error: string | null };
}

/**
 * The transfer section of the configuration from the form's weights, freeze and `GLOB=LR` fields,
 * checked as the command line checks `--weights`, `--freeze` and `--lr-for` (a glob that matches no
 * parameter of the model is named next to its field); undefined when the form sets none of them.
 */
export function formTransfer(state: TrainFormState, errors: FormErrors, extra: FormTransfer): TransferConfig | undefined {
  const weightsPath = state.weights.trim();
  const freezeText = state.freeze.trim();
  const lrLines = state.lrFor
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (weightsPath === "" && freezeText === "" && lrLines.length === 0) return undefined;
  if (weightsPath !== "" && extra.weights?.error) errors.weights = extra.weights.error;
  const freeze = freezeText === "" ? [] : parseFreeze(freezeText);
  if (!Array.isArray(freeze)) errors.freeze = freeze.error;
  const lrFor: LrGroup[] = [];
  for (const line of lrLines) {
    const g = parseLrFor(line);
    if ("error" in g) errors.lrFor ??= g.error;
    else if (lrFor.some((x) => x.glob === g.glob)) errors.lrFor ??= `--lr-for ${g.glob} is given twice`;
    else lrFor.push(g);
  }
  const transfer: TransferConfig = {
    weights: weightsPath === "" ? null : (extra.weights?.source ?? weightsPath),
    freeze: Array.isArray(freeze) ? freeze : [],
    lrFor,
  };
  if (extra.names && errors.freeze === undefined && errors.lrFor === undefined) {
    const plan = planTransfer(transfer, extra.names);
    if (typeof plan === "string") {
      if (plan.startsWith("--lr-for")) errors.lrFor = plan;
      else errors.freeze = plan;
    }
  }
  return transfer;
}

/** Checks the form and, when it is valid, builds the training configuration. */
export function validateForm(state: TrainFormState, models: readonly FormModel[], runsDir: string, extra: FormTransfer = {}): FormResult {
  const errors: FormErrors = {};
  const engine: TrainingEngine = state.backend === "torch" ? "torch" : "tfjs";
  const model = models.find((m) => m.id === state.model);
  if (!model) errors.model = models.length ? "Choose a model" : "No model to train: create a model file first";
  else {
    const problem = modelProblem(model) ?? datasetProblem(model, state.dataset);
    if (problem) errors.model = problem;
  }
  let dataset: DatasetSpec = { kind: "mnist-sample" };
  if (!datasetHasDir(state.dataset)) dataset = { kind: state.dataset };
  else {
    const dir = state.datasetDir.trim();
    if (dir === "") errors.datasetDir = "Choose the dataset folder";
    else dataset = { kind: state.dataset, dir };
  }
  const { epochs, batchSize, lr, momentum, weightDecay, stepSize, gamma, cropPadding, validationFraction, seed, warmupEpochs, clipGradNorm, labelSmoothing } =
    Object.fromEntries(FORM_NUMBER_FIELDS.map((name) => [name, parseNumber(errors, state, name)])) as Record<FormNumberField, number>;
  if (state.schedule === "warmup-cosine" && errors.warmupEpochs === undefined && errors.epochs === undefined && warmupEpochs >= epochs)
    errors.warmupEpochs = `${TRAIN_FIELDS.warmupEpochs.label} must be fewer than the epochs (${epochs})`;
  const transfer = formTransfer(state, errors, extra);
  if (Object.keys(errors).length > 0 || !model) return { errors, engine };
  const config = trainConfig({
    file: model.file,
    model: model.name,
    dataset,
    runsDir,
    epochs,
    batchSize,
    optimizer: { name: state.optimizer, lr, momentum, weightDecay, excludeFromDecay: state.excludeFromDecay, clipGradNorm },
    schedule: { name: state.schedule, stepSize, gamma, warmupEpochs },
    labelSmoothing,
    augment: { cropPadding, flip: state.flip },
    normalize: state.normalize,
    validationFraction,
    seed,
    backend: state.backend === "torch" ? "auto" : state.backend,
    ...(transfer ? { transfer } : {}),
  });
  // The protocol's own check, so that the trainer never sees a configuration it rejects.
  const checked = validateTrainConfig(config);
  if (!checked.ok) return { errors: { model: checked.error }, engine };
  return { errors, config: checked.value, engine };
}

/** The configuration as a person reads it: what `Start` runs. */
export function describeConfig(c: TrainConfig, engine: TrainingEngine = "tfjs"): string {
  const ds =
    "dir" in c.dataset
      ? `${c.dataset.kind} at ${c.dataset.dir}`
      : c.dataset.kind === "shapes-seg"
        ? "the generated shapes-seg sample"
        : BUNDLED_NAMES[c.dataset.kind];
  const opt = c.optimizer;
  const optText =
    opt.name === "sgd"
      ? `SGD (lr ${opt.lr}, momentum ${opt.momentum}${opt.weightDecay ? `, weight decay ${opt.weightDecay}` : ""})`
      : `${opt.name === "adam" ? "Adam" : "AdamW"} (lr ${opt.lr}${opt.weightDecay ? `, weight decay ${opt.weightDecay}` : ""})`;
  const sch = c.schedule;
  const schText =
    sch.name === "none"
      ? "constant learning rate"
      : sch.name === "step"
        ? `step decay ×${sch.gamma} every ${sch.stepSize} epoch${sch.stepSize === 1 ? "" : "s"}`
        : sch.name === "cosine"
          ? "cosine annealing"
          : sch.name === "warmup-cosine"
            ? `${sch.warmupEpochs}-epoch warm-up then cosine annealing`
            : "one-cycle";
  const aug =
    [c.augment.cropPadding ? `random crop (padding ${c.augment.cropPadding})` : "", c.augment.flip ? "horizontal flip" : ""].filter(Boolean).join(" + ") ||
    "no augmentation";
  const extras = [
    opt.excludeFromDecay && opt.weightDecay ? "no decay on biases, norms and embeddings" : "",
    opt.clipGradNorm ? `gradient norm clipped at ${opt.clipGradNorm}` : "",
    c.labelSmoothing ? `label smoothing ${c.labelSmoothing}` : "",
    ...transferWords(c.transfer),
  ]
    .filter(Boolean)
    .map((t) => `${t}, `)
    .join("");
  return `Train ${c.model} on ${ds} for ${c.epochs} epoch${c.epochs === 1 ? "" : "s"}, batch size ${c.batchSize}, ${optText}, ${schText}, ${extras}${aug}, ${engine === "torch" ? "PyTorch engine (your Python; CUDA when available)" : `backend ${c.backend}`}.`;
}

/** The transfer settings as describeConfig says them: `starting from resnet18.pth`, `frozen: layer1.*, layer2.*`, `learning rate 0.0001 for layer4.*`. */
function transferWords(t: TransferConfig | undefined): string[] {
  if (!t) return [];
  return [
    t.weights !== null ? `starting from ${t.weights.split(/[\\/]/).pop() ?? t.weights}` : "",
    t.freeze.length ? `frozen: ${t.freeze.join(", ")}` : "",
    ...t.lrFor.map((g) => `learning rate ${g.lr} for ${g.glob}`),
  ];
}
