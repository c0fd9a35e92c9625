import type * as tfc from "@tensorflow/tfjs-core";
import type { CheckpointEvent, EpochEndEvent, FeatureMapsEvent, FinalMetrics, ProgressEvent, TrainConfig } from "../../shared/training";
import { type CheckpointTensor, type LoadedCheckpoint, pruneCheckpoints, type TrainingPosition, writeCheckpoint } from "../checkpoint";
import { fillBatch, normalizationTable, type Normalization } from "../data/batches";
import type { ImageDataset, Split } from "../data/types";
import type { BatchLoader } from "../data/prefetch";
import type { CompiledModel, TF } from "../model/types";
import { permutation, rngFor } from "../rng";
import type { RunFiles } from "../runFiles";
import { assignWeights, checkpointMisfit } from "../weights";
import { countCorrect, crossEntropy } from "./loss";
import { NO_TRANSFER, type TransferPlan } from "./freeze";
import { clipGradNorm, createOptimizer, type Optimizer, type OptimizerState } from "./optimizers";
import { createSchedule, type Schedule } from "./schedules";
import type { DataParallel } from "./dataParallel";
import { ConfusionMatrix, fillMasks, pixelLossSum, segmentationLoss } from "./segmentation";

/**
 * The training loop: epochs of shuffled mini-batches (the last one smaller, like a PyTorch
 * DataLoader without drop_last), an optimiser step per batch, evaluation on the validation split
 * after each epoch, metrics to metrics.jsonl, a checkpoint after each epoch and when stopped.
 * Stop requests take effect at the next step boundary. Everything random is counter-based
 * (see rng.ts), so a resumed run repeats exactly what an uninterrupted run computes.
 */

export type LoopEvent = ProgressEvent | EpochEndEvent | CheckpointEvent;

export interface LoopOptions {
  tf: TF;
  model: CompiledModel;
  dataset: ImageDataset;
  config: TrainConfig;
  normalization: Normalization;
  /** The model's output classes (top-5 is reported above 10). */
  classes: number;
  run: RunFiles;
  emit(e: LoopEvent): void;
  /** Lets requests (stop, feature maps) in between steps; default: one turn of the event loop. */
  pause?: () => Promise<void>;
  /** The monotonic clock in seconds (tests may fake it). */
  clock?: () => number;
  /** The paths of the model's Embedding layers (for `excludeFromDecay`). */
  embeddingModules?: ReadonlySet<string>;
  /** Issue 15: the training batches of the random-resized-crop presets, made in a worker or the thread (absent: fillBatch). */
  batches?: BatchLoader;
  /** --freeze and --lr-for (./freeze.ts): frozen parameters are left out of the gradients and the optimiser. */
  transfer?: TransferPlan;
  /** Issue 17: the gradient workers of data-parallel training (`--workers N`; absent: one thread). Classification only. */
  parallel?: DataParallel;
}

/** What a training step does besides the plain loss and update: label smoothing, gradient clipping (0 = off). */
export interface StepOptions {
  labelSmoothing: number;
  clipGradNorm: number;
  /** Modules that run in evaluation mode (frozen BatchNorm layers). */
  evalModules?: ReadonlySet<string>;
  /** Segmentation: the batch's masks (N×H×W, 255 ignored); the loss is then per pixel, with the `aux` output's at 0.5. */
  target?: ArrayLike<number>;
}

const PLAIN_STEP: StepOptions = { labelSmoothing: 0, clipGradNorm: 0 };

export type LoopOutcome =
  | { kind: "completed"; final: FinalMetrics | null; seconds: number }
  | { kind: "diverged"; message: string }
  | { kind: "failed"; message: string }
  | { kind: "stopped"; position: TrainingPosition; checkpoint: string | null };

const RNG_SCHEME = "counter-based mulberry32: shuffle = hash(seed, 'shuffle', epoch), augment = hash(seed, 'augment', globalStep)";

/** Checkpoints kept: the newest 3, and the epoch with the best validation accuracy. */
const KEEP_CHECKPOINTS = 3;

/** Evaluation batches hold at most this many images (validation here, and `cnn-studio evaluate`). */
export const EVAL_BATCH = 256;

/**
 * One optimiser step on a batch (NCHW floats): forward in training mode, cross-entropy (with label
 * smoothing), gradients of every parameter, clipping of their total norm, the update. Returns the
 * batch loss and the logits (for accuracy).
 */
export async function trainStep(
  tf: TF,
  model: CompiledModel,
  params: tfc.Variable[],
  varToParam: ReadonlyMap<string, string>,
  optimizer: Optimizer,
  x: Float32Array,
  shape: [number, number, number, number],
  labels: Int32Array,
  options: StepOptions = PLAIN_STEP,
): Promise<{ loss: number; logits: Float32Array }> {
  const hold: { logits?: tfc.Tensor } = {};
  const lossT = tf.tidy(() => {
    const input = tf.tensor4d(x, shape);
    const { value, grads } = tf.variableGrads(() => {
      const target = options.target;
      const named = target !== undefined && model.applyNamed ? model.applyNamed([input], true, options.evalModules) : null;
      const out = named ? [...named.values()][0]! : model.apply([input], true, options.evalModules);
      hold.logits = tf.keep(out);
      if (target !== undefined) return segmentationLoss(tf, named ?? new Map<string, tfc.Tensor>(), out, target);
      return crossEntropy(tf, out, labels, options.labelSmoothing);
    }, params);
    const byName = new Map<string, tfc.Tensor>();
    for (const [vn, g] of Object.entries(grads)) {
      const p = varToParam.get(vn);
      // Frozen parameters (requiresGrad_(false)) get a null gradient from tfjs: they are not updated.
      if (p !== undefined && g) byName.set(p, g);
    }
    optimizer.step(options.clipGradNorm > 0 ? clipGradNorm(tf, byName, options.clipGradNorm).grads : byName);
    return value;
  });
  const loss = (await lossT.data())[0]!;
  lossT.dispose();
  const logitsT = hold.logits!;
  const logits = (await logitsT.data()) as Float32Array;
  logitsT.dispose();
  return { loss, logits };
}

/** Maps tfjs variable names to the state_dict names of a compiled model's parameters. */
export function variableNames(model: CompiledModel): Map<string, string> {
  const m = new Map<string, string>();
  for (const [name, v] of model.parameters) m.set(v.name, name);
  return m;
}

/** An epoch's line in the run log (the top-5 accuracy or the mean IoU where the event has one). */
export function epochLogLine(e: EpochEndEvent, epochs: number): string {
  return `epoch ${e.epoch}/${epochs}: train loss ${e.trainLoss.toFixed(4)}, accuracy ${(100 * e.trainAccuracy).toFixed(2)}%; validation loss ${e.valLoss.toFixed(4)}, accuracy ${(100 * e.valAccuracy).toFixed(2)}%${e.valTop5 !== null ? `, top-5 ${(100 * e.valTop5).toFixed(2)}%` : ""}${e.valMiou !== undefined ? `, mean IoU ${(100 * e.valMiou).toFixed(2)}%` : ""} (${e.seconds.toFixed(1)} s)`;
}

export class TrainingLoop {
  readonly stepsPerEpoch: number;
  private readonly optimizer: Optimizer;
  private readonly schedule: Schedule;
  /** The schedules of the --lr-for groups (each from its own learning rate, as PyTorch's schedulers treat param groups). */
  private readonly groupSchedules: Schedule[];
  private readonly plan: TransferPlan;
  private readonly tables: Float32Array[];
  private readonly classes: number;
  private readonly topK: number;
  private readonly varToParam: Map<string, string>;
  private stopRequested = false;
  private position: TrainingPosition = { epoch: 0, step: 0, globalStep: 0, lossSum: 0, correct: 0, correctTop5: 0, seen: 0, metricsLines: 0, seconds: 0 };
  private readonly stepTimes: number[] = [];
  private lastEvalSeconds = -1;
  private lastEpoch: EpochEndEvent | null = null;
  private lastCheckpoint: string | null = null;

  constructor(private readonly o: LoopOptions) {
    const { config, dataset, model } = o;
    this.stepsPerEpoch = Math.ceil(dataset.train.count / config.batchSize);
    this.plan = o.transfer ?? NO_TRANSFER;
    const trained = new Map([...model.parameters].filter(([name]) => !this.plan.frozen.has(name)));
    this.optimizer = createOptimizer(o.tf, trained, config.optimizer, o.embeddingModules, this.plan.groupOf);
    const scheduleFrom = (lr: number) => createSchedule(config.schedule, lr, config.epochs, this.stepsPerEpoch, config.optimizer.name);
    this.schedule = scheduleFrom(config.optimizer.lr);
    this.groupSchedules = (config.transfer?.lrFor ?? []).map((g) => scheduleFrom(g.lr));
    this.tables = normalizationTable(o.normalization);
    this.classes = o.classes;
    this.topK = 5;
    this.varToParam = variableNames(model);
  }

  get current(): TrainingPosition {
    return { ...this.position };
  }

  requestStop(): void {
    this.stopRequested = true;
  }

  /** Restores weights, buffers, optimiser state and position; an error message when the checkpoint does not fit. */
  restore(ck: LoadedCheckpoint): string | null {
    const { tf, model } = this.o;
    const misfit = checkpointMisfit(ck, model);
    if (misfit) return misfit;
    if (ck.index.optimizer.name !== this.optimizer.name)
      return `${ck.file} was written by optimizer ${ck.index.optimizer.name}, the run uses ${this.optimizer.name}`;
    const optState: OptimizerState = { scalars: ck.index.optimizer.scalars, tensors: new Map() };
    for (const t of ck.tensors.values()) if (t.kind === "optimizer") optState.tensors.set(t.name.slice("optimizer.".length), { shape: t.shape, data: t.data });
    const err = this.optimizer.load(optState);
    if (err) return `${ck.file}: ${err}`;
    assignWeights(tf, model, ck.tensors);
    this.position = { ...ck.index.position };
    return null;
  }

  private checkpoint(reason: "epoch" | "stop", validation?: { loss: number; accuracy: number }): string {
    const { model, run, config } = this.o;
    const tensors: CheckpointTensor[] = [];
    for (const [name, v] of model.parameters) tensors.push({ name, kind: "parameter", shape: v.shape.slice(), data: Float32Array.from(v.dataSync()) });
    for (const [name, v] of model.buffers) {
      tensors.push({
        name,
        kind: "buffer",
        shape: v.shape.slice(),
        data: Float32Array.from(v.dataSync()),
        ...(name.endsWith("num_batches_tracked") ? { torchDtype: "int64" as const } : {}),
      });
    }
    const opt = this.optimizer.state();
    for (const [k, t] of opt.tensors) tensors.push({ name: `optimizer.${k}`, kind: "optimizer", shape: t.shape, data: t.data });
    this.position.metricsLines = run.metricsCount;
    const file = writeCheckpoint(
      run.checkpointsDir,
      {
        model: model.name,
        reason,
        ...(validation ? { validation } : {}),
        position: { ...this.position },
        optimizer: { name: this.optimizer.name, scalars: opt.scalars },
        rng: { seed: config.seed, scheme: RNG_SCHEME },
      },
      tensors,
    );
    for (const old of pruneCheckpoints(run.dir, KEEP_CHECKPOINTS)) run.log(`removed old checkpoint ${old}`);
    const p = this.position;
    this.o.emit({ type: "checkpoint", path: file, epoch: p.epoch, step: p.step, globalStep: p.globalStep, reason });
    run.log(`checkpoint ${file} (${reason}, epoch ${p.epoch}, step ${p.step})`);
    this.lastCheckpoint = file;
    return file;
  }

  private clock(): number {
    return this.o.clock ? this.o.clock() : performance.now() / 1000;
  }

  /** The images of one training step: the epoch's permutation (from the seed), step `s` (0-based). */
  private batchIndices(order: Uint32Array, s: number): Uint32Array {
    const b = this.o.config.batchSize;
    return order.subarray(s * b, Math.min(order.length, (s + 1) * b));
  }

  async run(): Promise<LoopOutcome> {
    const { tf, model, dataset, config, run } = this.o;
    const shape = { channels: dataset.channels, height: dataset.height, width: dataset.width };
    const img = shape.channels * shape.height * shape.width;
    const xBuf = new Float32Array(config.batchSize * img);
    const yBuf = new Int32Array(config.batchSize);
    const pixels = shape.height * shape.width;
    const maskBuf = dataset.task === "segmentation" ? new Int32Array(config.batchSize * pixels) : null;
    if (maskBuf !== null && this.o.batches !== undefined)
      return { kind: "failed", message: "segmentation data trains with --augment none or flip (random resized crops of masks are not supported yet)" };
    const params = [...model.parameters].filter(([name]) => !this.plan.frozen.has(name)).map(([, v]) => v);
    const pause = this.o.pause ?? (() => new Promise<void>((r) => setImmediate(r)));
    const started = this.clock();
    const secondsBefore = this.position.seconds;
    const elapsed = () => secondsBefore + (this.clock() - started);

    // A checkpoint at the end of an epoch means: start the next one.
    let epoch = this.position.epoch;
    let firstStep = this.position.step;
    if (epoch === 0 || firstStep >= this.stepsPerEpoch) {
      epoch += 1;
      firstStep = 0;
    }
    for (; epoch <= config.epochs; epoch++) {
      const order = permutation(dataset.train.count, rngFor(config.seed, "shuffle", epoch));
      if (firstStep === 0) this.position = { ...this.position, epoch, step: 0, lossSum: 0, correct: 0, correctTop5: 0, seen: 0 };
      const epochStart = this.clock();
      let prefetched: ReturnType<BatchLoader["request"]> | null = null;
      for (let s = firstStep; s < this.stepsPerEpoch; s++) {
        const t0 = this.clock();
        const idx = this.batchIndices(order, s);
        const n = idx.length;
        const globalStep0 = this.position.globalStep;
        const hyper = this.schedule.at(epoch - 1, globalStep0);
        this.optimizer.lr = hyper.lr;
        if (hyper.momentum !== undefined) this.optimizer.momentum = hyper.momentum;
        this.optimizer.groupLrs = this.groupSchedules.map((g) => g.at(epoch - 1, globalStep0).lr);
        const loader = this.o.batches;
        if (loader === undefined) {
          fillBatch(dataset.train, idx, shape, this.tables, config.augment, rngFor(config.seed, "augment", globalStep0 + 1), xBuf, yBuf);
          if (maskBuf !== null)
            fillMasks(dataset.train, idx, shape.height, shape.width, config.augment, rngFor(config.seed, "augment", globalStep0 + 1), maskBuf);
        } else {
          const got = await (prefetched ?? loader.request(idx, globalStep0 + 1));
          // the next batch is made while this one trains
          prefetched = s + 1 < this.stepsPerEpoch ? loader.request(this.batchIndices(order, s + 1), globalStep0 + 2) : null;
          if (!got.ok) {
            run.log(got.error);
            return { kind: "failed", message: got.error };
          }
          xBuf.set(got.value.x);
          yBuf.set(got.value.y);
        }
        const labels = yBuf.subarray(0, n);
        const parallel = maskBuf === null ? this.o.parallel : undefined;
        const stepped = parallel
          ? await parallel.trainStep(
              this.optimizer,
              params,
              this.varToParam,
              xBuf.subarray(0, n * img),
              [n, shape.channels, shape.height, shape.width],
              labels,
              config.optimizer.clipGradNorm,
            )
          : null;
        if (stepped !== null && !stepped.ok) return this.workerFailed(stepped.error, elapsed());
        const { loss, logits } =
          stepped ??
          (await trainStep(
            tf,
            model,
            params,
            this.varToParam,
            this.optimizer,
            xBuf.subarray(0, n * img),
            [n, shape.channels, shape.height, shape.width],
            labels,
            {
              labelSmoothing: config.labelSmoothing,
              clipGradNorm: config.optimizer.clipGradNorm,
              evalModules: this.plan.evalNorms,
              ...(maskBuf !== null ? { target: maskBuf.subarray(0, n * pixels) } : {}),
            },
          ));
        if (!Number.isFinite(loss)) {
          const message = `training diverged: the loss became ${loss} at epoch ${epoch}, step ${s + 1} (learning rate ${hyper.lr.toPrecision(3)}); lower the learning rate${this.lastCheckpoint ? ` (the last checkpoint, ${this.lastCheckpoint}, is kept)` : ""}`;
          run.log(message);
          return { kind: "diverged", message };
        }
        const k = logits.length / n;
        const correct = maskBuf !== null ? this.pixelCorrect(logits, n, maskBuf.subarray(0, n * pixels)) : countCorrect(logits, n, k, labels, this.topK);
        const p = this.position;
        p.step = s + 1;
        p.globalStep += 1;
        p.lossSum += loss * n;
        p.correct += correct.top1;
        p.correctTop5 += correct.topK;
        p.seen += n;
        const dt = this.clock() - t0;
        this.stepTimes.push(dt / n);
        if (this.stepTimes.length > 50) this.stepTimes.shift();
        const secondsPerImage = this.stepTimes.reduce((a, b) => a + b, 0) / this.stepTimes.length;
        const imagesLeft = (config.epochs - epoch) * dataset.train.count + Math.max(0, dataset.train.count - p.step * config.batchSize);
        const evalsLeft = config.epochs - epoch + 1;
        const evalSeconds = this.lastEvalSeconds >= 0 ? this.lastEvalSeconds : (dataset.validation.count * secondsPerImage) / 3;
        const progress: ProgressEvent = {
          type: "progress",
          epoch,
          epochs: config.epochs,
          step: p.step,
          stepsPerEpoch: this.stepsPerEpoch,
          globalStep: p.globalStep,
          loss,
          accuracy: correct.top1 / n,
          imagesPerSecond: secondsPerImage > 0 ? 1 / secondsPerImage : 0,
          etaSeconds: Math.max(0, imagesLeft * secondsPerImage + evalsLeft * evalSeconds),
          lr: hyper.lr,
        };
        run.appendMetrics({
          type: "step",
          epoch,
          step: p.step,
          globalStep: p.globalStep,
          loss,
          accuracy: progress.accuracy,
          lr: hyper.lr,
          ...(hyper.momentum !== undefined ? { momentum: hyper.momentum } : {}),
          imagesPerSecond: progress.imagesPerSecond,
          time: new Date().toISOString(),
        });
        this.o.emit(progress);
        await pause();
        if (this.stopRequested && p.step < this.stepsPerEpoch) {
          p.seconds = elapsed();
          const file = this.checkpoint("stop");
          return { kind: "stopped", position: { ...p }, checkpoint: file };
        }
      }
      firstStep = 0;
      // evaluation
      const evalStart = this.clock();
      const val = this.evaluate(dataset.validation);
      this.lastEvalSeconds = this.clock() - evalStart;
      const p = this.position;
      const many = this.classes > 10;
      const e: EpochEndEvent = {
        type: "epochEnd",
        epoch,
        epochs: config.epochs,
        trainLoss: p.lossSum / p.seen,
        trainAccuracy: p.correct / p.seen,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        trainTop5: many && maskBuf === null ? p.correctTop5 / p.seen : null,
        valTop5: many && val.miou === undefined ? val.top5 : null,
        ...(val.miou !== undefined ? { valMiou: val.miou } : {}),
        lr: this.schedule.at(epoch - 1, Math.max(0, p.globalStep - 1)).lr,
        seconds: this.clock() - epochStart,
      };
      this.lastEpoch = e;
      const { type: _t, ...rest } = e;
      run.appendMetrics({ type: "epoch", ...rest, time: new Date().toISOString() });
      run.log(epochLogLine(e, config.epochs));
      this.o.emit(e);
      p.seconds = elapsed();
      const file = this.checkpoint("epoch", { loss: e.valLoss, accuracy: e.valAccuracy });
      await pause();
      if (this.stopRequested && epoch < config.epochs) return { kind: "stopped", position: { ...p }, checkpoint: file };
    }
    const last = this.lastEpoch;
    return {
      kind: "completed",
      seconds: elapsed(),
      final: last
        ? {
            epoch: last.epoch,
            trainLoss: last.trainLoss,
            trainAccuracy: last.trainAccuracy,
            valLoss: last.valLoss,
            valAccuracy: last.valAccuracy,
            valTop5: last.valTop5,
          }
        : null,
    };
  }

  /** A gradient worker failed: the run ends with its message, after a checkpoint of the last complete step. */
  private workerFailed(error: string, seconds: number): LoopOutcome {
    this.position.seconds = seconds;
    const file = this.checkpoint("stop");
    const message = `data-parallel training stopped: ${error}; the run's checkpoints are kept (the last, ${file}, after step ${this.position.step} of epoch ${this.position.epoch}; resume it, with fewer --workers if this repeats)`;
    this.o.run.log(message);
    return { kind: "failed", message };
  }

  /** A segmentation batch's pixel accuracy as `top1` images' worth (n × accuracy), so that epoch means weigh batches by size. */
  private pixelCorrect(logits: Float32Array, n: number, target: ArrayLike<number>): { top1: number; topK: number } {
    const cm = new ConfusionMatrix(this.classes);
    cm.add(logits, n, target);
    const acc = cm.pixelAccuracy() * n;
    return { top1: acc, topK: acc };
  }

  /** Segmentation: the mean per-pixel cross-entropy of `out` (float64), pixel accuracy and mean IoU over the split, in evaluation mode. */
  private evaluateSegmentation(split: Split): { loss: number; accuracy: number; top5: number; miou: number } {
    const { tf, model, dataset } = this.o;
    const shape = { channels: dataset.channels, height: dataset.height, width: dataset.width };
    const img = shape.channels * shape.height * shape.width;
    const hw = shape.height * shape.width;
    const B = Math.min(EVAL_BATCH, Math.max(this.o.config.batchSize, 1));
    const x = new Float32Array(B * img);
    const y = new Int32Array(B);
    const target = new Int32Array(B * hw);
    const cm = new ConfusionMatrix(this.classes);
    let lossSum = 0;
    let count = 0;
    for (let start = 0; start < split.count; start += B) {
      const n = Math.min(B, split.count - start);
      const idx = Uint32Array.from({ length: n }, (_, i) => start + i);
      fillBatch(split, idx, shape, this.tables, null, null, x, y);
      fillMasks(split, idx, shape.height, shape.width, null, null, target);
      const logits = tf.tidy(() =>
        model.apply([tf.tensor4d(x.subarray(0, n * img), [n, shape.channels, shape.height, shape.width])], false).dataSync(),
      ) as Float32Array;
      const t = target.subarray(0, n * hw);
      const l = pixelLossSum(logits, n, this.classes, t);
      lossSum += l.sum;
      count += l.count;
      cm.add(logits, n, t);
    }
    const accuracy = cm.pixelAccuracy();
    return { loss: count > 0 ? lossSum / count : Number.NaN, accuracy, top5: accuracy, miou: cm.meanIou() };
  }

  /** Mean cross-entropy (computed in float64 from the logits), top-1 and top-5 accuracy, in evaluation mode. */
  evaluate(split: Split): { loss: number; accuracy: number; top5: number; miou?: number } {
    if (split.masks !== undefined) return this.evaluateSegmentation(split);
    const { tf, model, dataset } = this.o;
    const shape = { channels: dataset.channels, height: dataset.height, width: dataset.width };
    const img = shape.channels * shape.height * shape.width;
    const B = Math.min(EVAL_BATCH, Math.max(this.o.config.batchSize, 1));
    const x = new Float32Array(B * img);
    const y = new Int32Array(B);
    let lossSum = 0;
    let top1 = 0;
    let top5 = 0;
    for (let start = 0; start < split.count; start += B) {
      const n = Math.min(B, split.count - start);
      const idx = new Uint32Array(n);
      for (let i = 0; i < n; i++) idx[i] = start + i;
      fillBatch(split, idx, shape, this.tables, null, null, x, y);
      const logits = tf.tidy(() =>
        model.apply([tf.tensor4d(x.subarray(0, n * img), [n, shape.channels, shape.height, shape.width])], false).dataSync(),
      ) as Float32Array;
      const k = logits.length / n;
      const labels = y.subarray(0, n);
      for (let i = 0; i < n; i++) {
        let max = -Infinity;
        for (let j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]!);
        let sum = 0;
        for (let j = 0; j < k; j++) sum += Math.exp(logits[i * k + j]! - max);
        lossSum += max + Math.log(sum) - logits[i * k + labels[i]!]!;
      }
      const c = countCorrect(logits, n, k, labels, this.topK);
      top1 += c.top1;
      top5 += c.topK;
    }
    return { loss: lossSum / split.count, accuracy: top1 / split.count, top5: top5 / split.count };
  }

  /** Activations of graph nodes for one sample, with the current weights (evaluation mode). */
  featureMaps(requestId: number, nodeIds: readonly number[], which: "train" | "validation", index: number): FeatureMapsEvent | string {
    const { tf, model, dataset } = this.o;
    const split = which === "train" ? dataset.train : dataset.validation;
    if (index >= split.count) return `sample ${index} is out of range: the ${which} split has ${split.count} images (0 to ${split.count - 1})`;
    const shape = { channels: dataset.channels, height: dataset.height, width: dataset.width };
    const x = new Float32Array(shape.channels * shape.height * shape.width);
    const y = new Int32Array(1);
    fillBatch(split, [index], shape, this.tables, null, null, x, y);
    try {
      const maps = tf.tidy(() => {
        const acts = model.activations([tf.tensor4d(x, [1, shape.channels, shape.height, shape.width])], nodeIds);
        return nodeIds.map((id) => {
          const t = acts.get(id);
          if (t === undefined) throw new Error(`the model has no activation for graph node ${id}`);
          return { nodeId: id, shape: t.shape.slice(), data: Float32Array.from(t.dataSync()) };
        });
      });
      return { type: "featureMaps", requestId, split: which, index, label: y[0]!, maps };
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
