import type { DatasetSpec } from "../../shared/training";
import type { ResizeMode } from "../../shared/trainConfigData";
import { loadCifar10 } from "./cifar10";
import { loadFolder } from "./folder";
import { loadIdx } from "./idx";
import { loadMnistSample } from "./mnistSample";
import { checkMaskValues, loadSegFolder } from "./segFolder";
import { loadShapesSeg } from "./shapesSeg";
import { loadShapes10Sample } from "./shapes10Sample";
import { checkShape, fail, labelRange, ok, type ImageDataset, type ModelInputSpec, type Result, type Split } from "./types";

export * from "./types";
export { channelStats, fillBatch, normalizationTable, type Normalization } from "./batches";

export interface LoadOptions {
  /** The model's input: folders are resized to it; everything else must already fit it. */
  input: ModelInputSpec;
  validationFraction: number;
  seed: number;
  /** Issue 15: how image folders reach the model's size (absent: stretched, as before). */
  resize?: ResizeMode;
}

/** Loads a dataset and checks it fits the model, all before training starts. */
export function loadDataset(spec: DatasetSpec, opts: LoadOptions): Result<ImageDataset> {
  let r: Result<ImageDataset>;
  switch (spec.kind) {
    case "mnist-sample":
      r = loadMnistSample();
      break;
    case "idx":
      r = loadIdx(spec.dir, opts.input);
      break;
    case "cifar10":
      r = loadCifar10(spec.dir, opts.input);
      break;
    case "folder":
      r = loadFolder(spec.dir, {
        channels: opts.input.channels,
        height: opts.input.height,
        width: opts.input.width,
        validationFraction: opts.validationFraction,
        seed: opts.seed,
        ...(opts.resize !== undefined ? { resize: opts.resize } : {}),
      });
      break;
    case "segfolder":
      r = loadSegFolder(spec.dir, { ...opts.input, validationFraction: opts.validationFraction, seed: opts.seed });
      break;
    case "shapes-seg":
      r = loadShapesSeg(opts.input.channels, opts.input.height, opts.input.width);
      break;
    case "shapes10-sample":
      r = loadShapes10Sample();
      break;
  }
  if (!r.ok) return r;
  const fits = checkFitsModel(r.value, opts.input);
  return fits.ok ? r : fits;
}

function checkLabels(split: Split, source: string, classes: number, names: readonly string[]): Result<true> {
  const { max, firstNegative } = labelRange(split.labels);
  if (firstNegative >= 0) return fail(`${source}: label ${split.labels[firstNegative]} at index ${firstNegative} is negative`);
  if (max >= classes) {
    const at = split.labels.findIndex((l) => l === max);
    const named = names[max] !== undefined ? ` ("${names[max]}")` : "";
    return fail(
      `${source}: label ${max}${named} at index ${at} is out of range for the model's ${classes} output classes (expected labels 0 to ${classes - 1})`,
    );
  }
  return ok(true);
}

/** A segmentation model needs masks, a classifier labels: why the dataset's kind does not fit the model's, or null. */
function taskMismatch(d: ImageDataset, input: ModelInputSpec): string | null {
  const segData = d.task === "segmentation";
  if (input.segmentation === true && !segData)
    return `${d.name} has one label per image, but the model outputs per-pixel class scores (a segmentation model): train it on a segmentation dataset, segfolder:DIR (images/ and masks/) or the generated shapes-seg`;
  if (input.segmentation !== true && segData)
    return `${d.name} is a segmentation dataset (a class per pixel), but the model outputs class scores [N, ${input.classes}] (an image classifier): train a model whose output is [N, classes, H, W], or use a classification dataset`;
  return null;
}

/** Channels and size must equal the model's @input; every label must be one of the model's classes. */
export function checkFitsModel(d: ImageDataset, input: ModelInputSpec): Result<true> {
  const mismatch = taskMismatch(d, input);
  if (mismatch !== null) return fail(mismatch);
  const shape = checkShape({ name: d.name, channels: d.channels, height: d.height, width: d.width, source: d.sources.train }, input);
  if (!shape.ok) return shape;
  if (d.train.count === 0) return fail(`${d.name}: the training split is empty (${d.sources.train})`);
  if (d.validation.count === 0) return fail(`${d.name}: the validation split is empty (${d.sources.validation})`);
  if (d.task === "segmentation") {
    const t = checkMaskValues(d.train, d.height, d.width, input.classes, d.sources.train);
    return t.ok ? checkMaskValues(d.validation, d.height, d.width, input.classes, d.sources.validation) : t;
  }
  const t = checkLabels(d.train, d.sources.train, input.classes, d.classNames);
  if (!t.ok) return t;
  return checkLabels(d.validation, d.sources.validation, input.classes, d.classNames);
}

/** The labels that occur in the data (training and validation), in increasing order. */
export function presentLabels(d: ImageDataset): number[] {
  const seen = new Set<number>();
  for (const s of [d.train, d.validation]) for (const l of s.masks ?? s.labels) if (s.masks === undefined || l !== 255) seen.add(l);
  return [...seen].sort((a, b) => a - b);
}

/** "labels 0 to 9", "only label 3", "labels 0, 2 to 4 and 7". */
export function describeLabels(labels: readonly number[]): string {
  if (labels.length === 1) return `only label ${labels[0]}`;
  const runs: string[] = [];
  for (let i = 0; i < labels.length;) {
    let j = i;
    while (j + 1 < labels.length && labels[j + 1] === labels[j]! + 1) j++;
    runs.push(j > i ? `${labels[i]} to ${labels[j]}` : `${labels[i]}`);
    i = j + 1;
  }
  return `labels ${runs.length > 1 ? `${runs.slice(0, -1).join(", ")} and ${runs.at(-1)}` : (runs[0] ?? "none")}`;
}

/** A warning when some of the model's output classes never occur in the data, counting the labels present. */
export function classCoverageWarning(modelName: string, outputs: number, d: ImageDataset): string | null {
  const present = presentLabels(d);
  if (d.task === "segmentation" && d.classesFile !== undefined && d.classes > outputs) {
    return `${d.classesFile} names ${d.classes} classes but ${modelName} has ${outputs} output classes; the masks use ${describeLabels(present)}, so it trains, but the names past the first ${outputs} belong to no output`;
  }
  if (present.length >= outputs) return null;
  if (d.task === "segmentation") return maskCoverageWarning(modelName, outputs, d, present);
  return `${modelName} has ${outputs} output classes but ${d.name} has ${present.length} (${describeLabels(present)}); the other outputs are never the right answer`;
}

/**
 * The segmentation form: the classes a `classes.txt` names are not the classes the masks use, so
 * each count is said with what it counts ("classes.txt names 21 classes; the masks use 13 of them").
 */
function maskCoverageWarning(modelName: string, outputs: number, d: ImageDataset, present: readonly number[]): string {
  const used = `${present.length} ${present.length === 1 ? "class" : "classes"}`;
  const masks =
    d.classesFile === undefined
      ? `the masks of ${d.name} use ${used}`
      : `${d.classesFile} names ${d.classes} classes; the masks use ${present.every((l) => l < d.classes) ? `${present.length} of them` : used}`;
  const unused = outputs - present.length;
  return `${masks} (${describeLabels(present)}); ${modelName} has ${outputs} output classes, so ${unused === 1 ? "the other one is" : `the other ${unused} are`} never the right answer`;
}
