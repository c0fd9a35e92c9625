import * as fs from "node:fs";
import * as path from "node:path";
import { Analyzer } from "../analyzer/index";
import type { FileAnalysis, ModelAnalysis } from "../shared/analysis";
import {
  describeDataset,
  notUsedText,
  validateTrainConfig,
  type BackendChoice,
  type BackendName,
  type BackendRejection,
  type CompletedEvent,
  type DatasetInfo,
  type ErrorEvent,
  type FinalMetrics,
  type StoppedEvent,
  type TrainConfig,
  type TrainerEvent,
  type TrainerRequest,
  type TrainerState,
} from "../shared/training";
import { latestCheckpoint, type LoadedCheckpoint } from "./checkpoint";
import { channelStats, classCoverageWarning, fail, loadDataset, ok, type ImageDataset, type ModelInputSpec, type Normalization, type Result } from "./data/index";
import { IDENTITY_NORMALIZATION } from "./data/batches";
import type { CompiledModel, CompileModel, TF } from "./model/types";
import { createRunDir, logTail, removeStaleTemps, RunFiles } from "./runs";
import { TrainingLoop } from "./train/loop";

/**
 * One training run inside the trainer process, from a `start` request to its end: analyse the
 * model file, load and check the dataset against the model, pick the backend, compile, create or
 * resume the run folder, train. Every failure becomes an `error` event with a clear message (and
 * a failed run status where a run folder exists); nothing throws out of here. The steps exported
 * below (configuration, model, data, run folder, run end) are the PyTorch engine's too
 * (src/torch/engine.ts), so both engines check and record a run alike.
 */

export type BackendSelection = { ok: true; tf: TF; backend: BackendName; notUsed: BackendRejection[] } | { ok: false; error: string; notUsed: BackendRejection[] };

export interface SessionDeps {
  compile: CompileModel;
  selectBackend(choice: BackendChoice): Promise<BackendSelection>;
  analyze?: (file: string) => FileAnalysis;
  /** Diagnostic output of the process (stderr in the trainer process). */
  log?: (line: string) => void;
}

/** The model's single image input [N, C, H, W] and its logits [N, classes], or why the trainer cannot train it. */
export function modelInputSpec(model: ModelAnalysis): { ok: true; value: ModelInputSpec } | { ok: false; error: string } {
  const show = (s: readonly (number | string)[]) => `[${s.join(", ")}]`;
  if (model.inputs.length !== 1) return { ok: false, error: `${model.name} has ${model.inputs.length} @input tags; the trainer trains models with one image input [N, C, H, W]` };
  const input = model.inputs[0]!;
  const [, c, h, w] = input;
  if (input.length !== 4 || typeof c !== "number" || typeof h !== "number" || typeof w !== "number") {
    return { ok: false, error: `${model.name} has @input ${show(input)}; the trainer needs an image input [N, C, H, W] with numeric C, H and W` };
  }
  const out = model.output;
  if (out === null) return { ok: false, error: `${model.name} could not be analysed to its output (see the model's errors)` };
  if (out.length === 0 || Array.isArray(out[0])) return { ok: false, error: `${model.name} returns several tensors; the trainer needs one output of class scores [N, classes]` };
  const o = out as (number | string)[];
  const k = o[1];
  if (o.length !== 2 || typeof k !== "number") return { ok: false, error: `${model.name} outputs ${show(o)}; the trainer needs class scores (logits) [N, classes], e.g. ending with nn.Linear(features, classes)` };
  if (k < 2) return { ok: false, error: `${model.name} outputs ${show(o)}: a classifier needs at least 2 classes` };
  return { ok: true, value: { channels: c, height: h, width: w, classes: k } };
}

/** The refusal of a second `start` in one trainer process (one run per process). */
export function alreadyStarted(state: TrainerState, runDir: string | null): ErrorEvent {
  return { type: "error", requestId: null, phase: "request", message: `a run was already started in this trainer process (state: ${state}); start another process for another run`, diagnostics: [], runDir, logTail: [] };
}

/** The saved configuration of the run folder `dir` (its config.json), to resume that run. */
export function savedRunConfig(dir: string): Result<TrainConfig> {
  let saved: unknown;
  try {
    saved = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
  } catch (e) {
    return fail(`cannot resume ${dir}: no readable config.json (${e instanceof Error ? e.message : String(e)})`);
  }
  const checked = validateTrainConfig(saved);
  return checked.ok ? ok(checked.value) : fail(`cannot resume ${dir}: its config.json is not valid (${checked.error})`);
}

/** Why a model cannot be trained, with the file's errors where those are the reason. */
type ModelFailure = { ok: false; error: string; diagnostics: ErrorEvent["diagnostics"] };

/** The model `name` of an analysed file, or why it cannot be used: no such model, or errors in the file. */
export function findModel(analysis: FileAnalysis, file: string, name: string): { ok: true; value: ModelAnalysis } | ModelFailure {
  const errors = analysis.diagnostics.filter((d) => d.severity === "error");
  const model = analysis.models.find((m) => m.name === name);
  if (model === undefined) {
    const names = analysis.models.map((m) => m.name);
    return { ok: false, error: `${file} has no model '${name}'${names.length ? ` (models: ${names.join(", ")})` : " (it exports no model with an @input tag)"}`, diagnostics: diagnosticsOf(errors) };
  }
  if (errors.length > 0) {
    const first = errors[0]!;
    return { ok: false, error: `${file} has ${errors.length} error${errors.length > 1 ? "s" : ""}; the first: ${path.basename(first.location.file)}:${first.location.range.start.line + 1}: ${first.message}`, diagnostics: diagnosticsOf(errors) };
  }
  return { ok: true, value: model };
}

/** The model a run trains, analysed from its file and checked to be a trainable classifier. */
export function modelToTrain(file: string, name: string, analyze: ((file: string) => FileAnalysis) | undefined): { ok: true; model: ModelAnalysis; spec: ModelInputSpec } | ModelFailure {
  if (!fs.existsSync(file)) return { ok: false, error: `cannot read the model file ${file}`, diagnostics: [] };
  const found = findModel((analyze ?? ((f: string) => new Analyzer().analyzeFile(f)))(file), file, name);
  if (!found.ok) return found;
  const spec = modelInputSpec(found.value);
  if (!spec.ok) return { ok: false, error: spec.error, diagnostics: [] };
  return { ok: true, model: found.value, spec: spec.value };
}

/** A run's dataset, loaded and checked against the model's input, and how its pixels are normalised. */
export function loadTrainingData(config: TrainConfig, input: ModelInputSpec): Result<{ dataset: ImageDataset; normalization: Normalization }> {
  const loaded = loadDataset(config.dataset, { input, validationFraction: config.validationFraction, seed: config.seed });
  if (!loaded.ok) return loaded;
  const dataset = loaded.value;
  const normalization = config.normalize ? channelStats(dataset.train, dataset.channels, dataset.height * dataset.width) : IDENTITY_NORMALIZATION(dataset.channels);
  return ok({ dataset, normalization });
}

/** The latest complete checkpoint of the run folder `dir`, to resume from; damaged ones are logged and skipped. */
export function resumeCheckpoint(dir: string, log: (line: string) => void): Result<LoadedCheckpoint> {
  for (const d of [dir, path.join(dir, "checkpoints")]) for (const t of removeStaleTemps(d)) log(`removed ${t}, left by an interrupted write`);
  const latest = latestCheckpoint(dir);
  for (const s of latest.skipped) log(`skipping a damaged checkpoint: ${s}`);
  if (latest.checkpoint === null) return fail(`cannot resume ${dir}: it has no complete checkpoint${latest.skipped.length ? ` (damaged: ${latest.skipped.join("; ")})` : ""}`);
  return ok(latest.checkpoint);
}

/** The normalisation as the run log states it. */
export function describeNormalization(n: Normalization): string {
  return `normalisation mean [${n.mean.map((x) => x.toFixed(4)).join(", ")}], std [${n.std.map((x) => x.toFixed(4)).join(", ")}]`;
}

type Position = { epoch: number; step: number; globalStep: number };

/** Records a completed run in its folder (status and log); the `completed` event. */
export function runCompleted(run: RunFiles, p: Position, final: FinalMetrics | null, seconds: number): CompletedEvent {
  run.status({ state: "completed", epoch: p.epoch, step: p.step, globalStep: p.globalStep, message: null });
  run.log(`completed in ${seconds.toFixed(1)} s${final ? `: validation accuracy ${(100 * final.valAccuracy).toFixed(2)}%` : ""}`);
  return { type: "completed", runDir: run.dir, final, seconds };
}

/** Records a run stopped on request in its folder (status and log); the `stopped` event. */
export function runStopped(run: RunFiles, p: Position, checkpoint: string | null): StoppedEvent {
  run.status({ state: "stopped", epoch: p.epoch, step: p.step, globalStep: p.globalStep, message: "stopped on request" });
  run.log(`stopped at epoch ${p.epoch}, step ${p.step}`);
  return { type: "stopped", runDir: run.dir, epoch: p.epoch, step: p.step, globalStep: p.globalStep, checkpoint };
}

export class TrainingSession {
  state: TrainerState = "idle";
  private loop: TrainingLoop | null = null;
  private model: CompiledModel | null = null;
  private analysis: ModelAnalysis | null = null;
  private run: RunFiles | null = null;
  private stopRequested = false;

  constructor(
    private readonly deps: SessionDeps,
    private readonly emit: (e: TrainerEvent) => void,
  ) {}

  private log(line: string): void {
    this.deps.log?.(line);
    try {
      this.run?.log(line);
    } catch {
      // an unwritable log must not end the run
    }
  }

  private fail(phase: ErrorEvent["phase"], message: string, extra: Partial<ErrorEvent> = {}): void {
    this.log(`error (${phase}): ${message}`);
    const runDir = this.run?.dir ?? null;
    if (this.run !== null) {
      try {
        this.run.failed(message, this.loop?.current ?? null);
      } catch {
        // nothing more can be recorded
      }
    }
    this.emit({ type: "error", requestId: null, phase, message, diagnostics: [], runDir, logTail: runDir ? logTail(runDir) : [], ...extra });
    this.state = "finished";
  }

  /** Handles one (validated) request. `start` resolves when the run has ended. */
  async handle(req: TrainerRequest): Promise<void> {
    switch (req.type) {
      case "start":
        if (this.state !== "idle") {
          this.emit(alreadyStarted(this.state, this.run?.dir ?? null));
          return;
        }
        return this.start(req.config);
      case "stop":
        this.stop();
        return;
      case "ping":
        this.emit({ type: "pong", requestId: req.requestId, state: this.state });
        return;
      case "featureMaps":
        this.featureMaps(req.requestId, req.nodeIds, req.split, req.index);
        return;
      case "shutdown":
        this.stop();
        return;
    }
  }

  /** The run folder, once the run has one. */
  get runDir(): string | null {
    return this.run?.dir ?? null;
  }

  stop(): void {
    this.stopRequested = true;
    if (this.state === "training") this.state = "stopping";
    this.loop?.requestStop();
  }

  featureMaps(requestId: number, nodeIds: readonly number[], split: "train" | "validation", index: number): void {
    const err = (message: string) => this.emit({ type: "error", requestId, phase: "request", message, diagnostics: [], runDir: this.run?.dir ?? null, logTail: [] });
    if (this.loop === null || this.analysis === null) return err(`feature maps need a trained model: no run has been started in this trainer (state: ${this.state})`);
    const ids = new Set(this.analysis.graph.map((n) => n.id));
    const unknown = nodeIds.filter((id) => !ids.has(id));
    if (unknown.length > 0) return err(`${this.analysis.name} has no graph node ${unknown.join(", ")} (its nodes are 0 to ${this.analysis.graph.length - 1})`);
    const r = this.loop.featureMaps(requestId, nodeIds, split, index);
    if (typeof r === "string") err(r);
    else this.emit(r);
  }

  private async start(requested: TrainConfig): Promise<void> {
    this.state = "preparing";
    try {
      await this.prepareAndTrain(requested);
    } catch (e) {
      // unexpected: the message for the user, the stack for the log
      if (e instanceof Error && e.stack) this.log(e.stack);
      this.fail("training", `training failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async prepareAndTrain(requested: TrainConfig): Promise<void> {
    // 1. the configuration (a resumed run keeps its own, except epochs and backend)
    let config = requested;
    if (requested.resume !== null) {
      const saved = savedRunConfig(requested.resume);
      if (!saved.ok) return this.fail("config", saved.error);
      config = { ...saved.value, epochs: requested.epochs, backend: requested.backend, resume: requested.resume };
    }

    // 2. the model
    const found = modelToTrain(config.file, config.model, this.deps.analyze);
    if (!found.ok) return this.fail("model", found.error, { diagnostics: found.diagnostics });
    const { model, spec } = found;
    this.analysis = model;

    // 3. the data, checked against the model before anything is trained
    const loaded = loadTrainingData(config, spec);
    if (!loaded.ok) return this.fail("dataset", loaded.error);
    const { dataset, normalization } = loaded.value;
    const coverage = classCoverageWarning(model.name, spec.classes, dataset);
    if (coverage !== null) this.emit({ type: "log", level: "warning", message: coverage });

    // 4. the backend and the compiled model
    const be = await this.deps.selectBackend(config.backend);
    if (!be.ok) return this.fail("training", `no usable TensorFlow.js backend for '${config.backend}': ${be.error}${be.notUsed.length ? ` (${notUsedText(be.notUsed)})` : ""}`);
    let compiled: CompiledModel;
    try {
      compiled = this.deps.compile(be.tf, model, { seed: config.seed });
    } catch (e) {
      return this.fail("model", `cannot compile ${model.name} for training: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.model = compiled;

    // 5. the run folder
    let resumeFrom: LoadedCheckpoint | null = null;
    if (config.resume !== null) {
      this.run = new RunFiles(config.resume);
      const latest = resumeCheckpoint(config.resume, (line) => this.log(line));
      if (!latest.ok) {
        this.run = null;
        return this.fail("config", latest.error);
      }
      resumeFrom = latest.value;
    } else {
      try {
        this.run = new RunFiles(createRunDir(config.runsDir, model.name));
        this.run.writeConfig(config);
      } catch (e) {
        return this.fail("config", `cannot create a run folder in ${config.runsDir} (${(e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e))})`);
      }
    }
    const run = this.run;
    if (resumeFrom === null) run.log(`new run: ${model.name} from ${config.file} on ${describeDataset(config.dataset)}`);

    const loop = new TrainingLoop({ tf: be.tf, model: compiled, dataset, config, normalization, classes: spec.classes, run, emit: (e) => this.emit(e) });
    this.loop = loop;
    if (resumeFrom !== null) {
      const err = loop.restore(resumeFrom);
      if (err) return this.fail("config", `cannot resume ${config.resume}: ${err}`);
      const moved = run.rewindMetrics(resumeFrom.index.position.metricsLines);
      const p = resumeFrom.index.position;
      run.log(`resuming from ${resumeFrom.file} (epoch ${p.epoch}, step ${p.step}, global step ${p.globalStep})${moved ? `; ${moved} metrics lines after it moved to metrics.discarded.jsonl` : ""}`);
    }
    const pos = loop.current;
    run.status({ state: "running", epoch: pos.epoch, step: pos.step, globalStep: pos.globalStep, message: null });
    run.log(`backend ${be.backend}${be.notUsed.length ? ` (not used: ${notUsedText(be.notUsed)})` : ""}; ${loop.stepsPerEpoch} steps per epoch of ${config.batchSize}; ${describeNormalization(normalization)}`);
    this.emit({
      type: "started",
      runDir: run.dir,
      backend: be.backend,
      notUsed: be.notUsed,
      model: model.name,
      params: [...compiled.parameters.values()].reduce((a, v) => a + v.size, 0),
      dataset: datasetInfo(dataset, normalization),
      epochs: config.epochs,
      stepsPerEpoch: loop.stepsPerEpoch,
      resumedFrom: resumeFrom ? { epoch: pos.epoch, step: pos.step, globalStep: pos.globalStep } : null,
    });

    // 6. training
    this.state = this.stopRequested ? "stopping" : "training";
    if (this.stopRequested) loop.requestStop();
    const outcome = await loop.run();
    if (outcome.kind === "diverged") return this.fail("training", outcome.message);
    this.emit(outcome.kind === "completed" ? runCompleted(run, loop.current, outcome.final, outcome.seconds) : runStopped(run, loop.current, outcome.checkpoint));
    this.state = "finished";
  }

  dispose(): void {
    this.loop?.dispose();
    this.model?.dispose();
    this.loop = null;
    this.model = null;
  }
}

export function diagnosticsOf(errors: FileAnalysis["diagnostics"]): ErrorEvent["diagnostics"] {
  return errors.map((d) => ({ message: d.message, file: d.location.file, line: d.location.range.start.line + 1, column: d.location.range.start.character + 1 }));
}

export function datasetInfo(d: ImageDataset, n: Normalization): DatasetInfo {
  return {
    name: d.name,
    channels: d.channels,
    height: d.height,
    width: d.width,
    classes: d.classes,
    classNames: [...d.classNames],
    trainCount: d.train.count,
    validationCount: d.validation.count,
    mean: n.mean,
    std: n.std,
  };
}
