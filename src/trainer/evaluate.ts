import * as fs from "node:fs";
import * as path from "node:path";
import { classMetricsOf, type EvaluationReport, type EvaluationSplit, type Mistake } from "../shared/evaluation";
import type { DatasetSpec } from "../shared/training";
import { listCheckpoints, readCheckpoint, type LoadedCheckpoint } from "./checkpoint";
import { fail, fillBatch, normalizationTable, ok, type ImageDataset, type Normalization, type Result, type Split } from "./data/index";
import type { CompiledModel, TF } from "./model/types";
import { loadTrainingData, modelToTrain, savedRunConfig, type SessionDeps } from "./runSetup";
import { EVAL_BATCH } from "./train/loop";
import { assignWeights, checkpointMisfit } from "./weights";

/**
 * Issue 18: a trained model evaluated on one split of its run's data (`cnn-studio evaluate`, the
 * Evaluation panel). The run's config.json rebuilds the model, the dataset, the normalisation and
 * the split exactly as training made them; the logits are computed in evaluation mode in batches
 * like the training loop's validation (src/trainer/train/loop.ts `evaluate`), so the accuracy and
 * loss equal the run's own figures on the same checkpoint and split.
 */

/** Mistakes listed by default. */
export const MISTAKES = 20;

export interface EvaluateOptions {
  runDir: string;
  /** A checkpoint of the run by file name (with or without its extension) or path; absent: the newest complete one. */
  checkpoint?: string;
  /** Another dataset than the run's (checked against the model's input). */
  dataset?: DatasetSpec;
  split: EvaluationSplit;
  /** How many of the most confident mistakes to list (default MISTAKES). */
  mistakes?: number;
}

/** Every sample's true class, predicted class and the softmax probability of the prediction, in split order. */
export interface SamplePredictions {
  labels: Int32Array;
  predicted: Int32Array;
  confidence: Float32Array;
}

export interface Evaluation {
  report: EvaluationReport;
  samples: SamplePredictions;
  /** The evaluated split and the dataset it belongs to (for thumbnails). */
  dataset: ImageDataset;
  split: Split;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The checkpoint `name` of a run (its file name, the name without extension, or a path), or the newest complete one. */
export function findCheckpoint(runDir: string, name: string | undefined): Result<LoadedCheckpoint> {
  const all = listCheckpoints(runDir);
  if (name === undefined) {
    const skipped: string[] = [];
    for (const file of [...all].reverse()) {
      const r = readCheckpoint(file, { weightsOnly: true });
      if (r.ok) return ok(r.value);
      skipped.push(r.error);
    }
    return fail(`${runDir} has no complete checkpoint${skipped.length ? ` (damaged: ${skipped.join("; ")})` : " (checkpoints/ is empty or missing)"}`);
  }
  const bare = (f: string) => path.basename(f).replace(/\.(safetensors|json)$/, "");
  const file = all.find((f) => path.basename(f) === name || bare(f) === name) ?? (path.isAbsolute(name) && fs.existsSync(name) ? name : undefined);
  if (file === undefined)
    return fail(`${runDir} has no checkpoint '${name}' (its checkpoints: ${all.length ? all.map((f) => path.basename(f)).join(", ") : "none"})`);
  const r = readCheckpoint(file, { weightsOnly: true });
  return r.ok ? ok(r.value) : fail(`cannot read the checkpoint ${file}: ${r.error}`);
}

/** The split `which` of a dataset: `test` is the validation split where that comes from its own files (IDX t10k, CIFAR-10's test batch, a val/test folder). */
export function splitOf(d: ImageDataset, spec: DatasetSpec, which: EvaluationSplit): Result<Split> {
  if (which === "train") return ok(d.train);
  if (which === "val") return ok(d.validation);
  const heldOut = spec.kind === "mnist-sample" || /held out/.test(d.sources.validation);
  if (heldOut)
    return fail(
      `${d.name} has no test split: its validation split is held out of the training images (${d.sources.validation}); use --split val, or a dataset with test files (idx:DIR, cifar10:DIR, folder:DIR with train/ and test/)`,
    );
  return ok(d.validation);
}

/** The model's logits for every sample of `split`, `[count, k]` row-major, in evaluation mode. */
export function splitLogits(
  tf: TF,
  model: CompiledModel,
  d: ImageDataset,
  split: Split,
  normalization: Normalization,
  batchSize: number,
): { logits: Float32Array; k: number } {
  const shape = { channels: d.channels, height: d.height, width: d.width };
  const img = shape.channels * shape.height * shape.width;
  const B = Math.min(EVAL_BATCH, Math.max(batchSize, 1));
  const tables = normalizationTable(normalization);
  const x = new Float32Array(B * img);
  const y = new Int32Array(B);
  const parts: Float32Array[] = [];
  for (let start = 0; start < split.count; start += B) {
    const n = Math.min(B, split.count - start);
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = start + i;
    fillBatch(split, idx, shape, tables, null, null, x, y);
    parts.push(
      tf.tidy(() => model.apply([tf.tensor4d(x.subarray(0, n * img), [n, shape.channels, shape.height, shape.width])], false).dataSync()) as Float32Array,
    );
  }
  const total = parts.reduce((a, p) => a + p.length, 0);
  const logits = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    logits.set(p, at);
    at += p.length;
  }
  return { logits, k: split.count === 0 ? 0 : total / split.count };
}

/**
 * The figures of an evaluation from the logits: the prediction is the first highest score (as the
 * loop's top-1 count), the loss the mean cross-entropy in float64, top-5 the rank of the label < 5.
 */
export function summarize(
  logits: Float32Array,
  labels: Int32Array,
  k: number,
  classes: readonly string[],
  mistakes = MISTAKES,
): { figures: Pick<EvaluationReport, "accuracy" | "loss" | "top5" | "confusion" | "perClass" | "mistakes" | "samples">; samples: SamplePredictions } {
  const n = labels.length;
  const confusion = classes.map(() => new Array<number>(classes.length).fill(0));
  const predicted = new Int32Array(n);
  const confidence = new Float32Array(n);
  let lossSum = 0;
  let correct = 0;
  let top5 = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * k, (i + 1) * k);
    const label = labels[i]!;
    let best = 0;
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      const v = row[j]!;
      if (v > max || (Number.isNaN(v) && !Number.isNaN(max))) {
        max = v;
        best = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(row[j]! - max);
    lossSum += max + Math.log(sum) - row[label]!;
    const target = row[label]!;
    let rank = 0;
    for (let j = 0; j < k; j++) if (row[j]! > target || (row[j] === target && j < label) || Number.isNaN(row[j]!)) rank++;
    if (rank === 0) correct++;
    if (rank < 5) top5++;
    predicted[i] = best;
    confidence[i] = 1 / sum;
    const r = confusion[label];
    if (r !== undefined && best < r.length) r[best]! += 1;
  }
  const wrong: Mistake[] = [];
  const order = [...predicted.keys()].filter((i) => predicted[i] !== labels[i]).sort((a, b) => confidence[b]! - confidence[a]! || a - b);
  for (const i of order.slice(0, mistakes))
    wrong.push({
      index: i,
      label: classes[labels[i]!] ?? String(labels[i]),
      predicted: classes[predicted[i]!] ?? String(predicted[i]),
      confidence: confidence[i]!,
    });
  return {
    figures: {
      accuracy: n === 0 ? 0 : correct / n,
      loss: n === 0 ? 0 : lossSum / n,
      top5: k > 5 && n > 0 ? top5 / n : null,
      confusion,
      perClass: classMetricsOf(classes, confusion),
      mistakes: wrong,
      samples: n,
    },
    samples: { labels: Int32Array.from(labels), predicted, confidence },
  };
}

/** The class names of a model with `k` outputs trained on `d` (a number where the data has no name for an output). */
export function classNamesFor(d: ImageDataset, k: number): string[] {
  return Array.from({ length: k }, (_, i) => d.classNames[i] ?? String(i));
}

/** Evaluates a run's checkpoint: everything from its folder; every failure is a value naming the file or setting. */
export async function evaluateRun(o: EvaluateOptions, deps: SessionDeps): Promise<Result<Evaluation>> {
  if (!fs.existsSync(o.runDir) || !fs.statSync(o.runDir).isDirectory()) return fail(`no run folder ${o.runDir}`);
  const saved = savedRunConfig(o.runDir);
  if (!saved.ok) return fail(saved.error.replace(/^cannot resume /, "cannot evaluate "));
  const config = o.dataset ? { ...saved.value, dataset: o.dataset } : saved.value;
  const ck = findCheckpoint(o.runDir, o.checkpoint);
  if (!ck.ok) return ck;
  const m = modelToTrain(config.file, config.model, deps.analyze);
  if (!m.ok) return fail(`cannot evaluate ${o.runDir}: ${m.error}`);
  const data = loadTrainingData(config, m.spec);
  if (!data.ok) return fail(`cannot evaluate ${o.runDir}: ${data.error}`);
  const { dataset, normalization } = data.value;
  const split = splitOf(dataset, config.dataset, o.split);
  if (!split.ok) return split;
  const be = await deps.selectBackend(config.backend);
  if (!be.ok) return fail(`no usable TensorFlow.js backend: ${be.error}`);
  let compiled: CompiledModel;
  try {
    compiled = deps.compile(be.tf, m.model, { seed: config.seed });
  } catch (e) {
    return fail(`cannot compile ${config.model}: ${message(e)}`);
  }
  try {
    const misfit = checkpointMisfit(ck.value, compiled);
    if (misfit) return fail(`the checkpoint does not fit ${config.model} as ${config.file} defines it now: ${misfit}`);
    assignWeights(be.tf, compiled, ck.value.tensors);
    const { logits, k } = splitLogits(be.tf, compiled, dataset, split.value, normalization, config.batchSize);
    const classes = classNamesFor(dataset, m.spec.classes);
    const s = summarize(logits, split.value.labels.subarray(0, split.value.count), k, classes, o.mistakes);
    const report: EvaluationReport = {
      accuracy: s.figures.accuracy,
      loss: s.figures.loss,
      classes,
      confusion: s.figures.confusion,
      perClass: s.figures.perClass,
      mistakes: s.figures.mistakes,
      top5: s.figures.top5,
      run: o.runDir,
      checkpoint: path.basename(ck.value.file),
      dataset: dataset.name,
      split: o.split,
      samples: s.figures.samples,
    };
    return ok({ report, samples: s.samples, dataset, split: split.value });
  } catch (e) {
    return fail(`evaluating ${o.runDir} failed: ${message(e)}`);
  } finally {
    compiled.dispose();
  }
}

/** The split `which` of a run's data, loaded as training loads it (for the Evaluation panel's thumbnails). */
export function runSplit(runDir: string, which: EvaluationSplit, deps: Pick<SessionDeps, "analyze">): Result<{ dataset: ImageDataset; split: Split }> {
  const saved = savedRunConfig(runDir);
  if (!saved.ok) return fail(saved.error.replace(/^cannot resume /, "cannot read the samples of "));
  const m = modelToTrain(saved.value.file, saved.value.model, deps.analyze);
  if (!m.ok) return fail(`cannot read the samples of ${runDir}: ${m.error}`);
  const data = loadTrainingData(saved.value, m.spec);
  if (!data.ok) return fail(`cannot read the samples of ${runDir}: ${data.error}`);
  const split = splitOf(data.value.dataset, saved.value.dataset, which);
  return split.ok ? ok({ dataset: data.value.dataset, split: split.value }) : split;
}

/** Images `indices` of a split, `[C, H, W]` in [0, 1] (as stored, before normalisation). */
export function sampleImages(d: ImageDataset, split: Split, indices: readonly number[]): Result<{ shape: number[]; data: Float32Array }[]> {
  const size = d.channels * d.height * d.width;
  const bad = indices.find((i) => i >= split.count);
  if (bad !== undefined) return fail(`sample ${bad} is out of range: the split has ${split.count} images (0 to ${split.count - 1})`);
  return ok(
    indices.map((i) => ({ shape: [d.channels, d.height, d.width], data: Float32Array.from(split.images.subarray(i * size, (i + 1) * size), (v) => v / 255) })),
  );
}
