import * as fs from "node:fs";
import * as path from "node:path";
import { Analyzer } from "../analyzer/index";
import { modelErrors, type FileAnalysis, type ModelAnalysis } from "../shared/analysis";
import { isNamedOutputs, isShapeList, trainedOutput } from "../shared/outputs";
import {
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
  type TrainerState,
} from "../shared/training";
import { latestCheckpoint, type LoadedCheckpoint } from "./checkpoint";
import { fail, loadDataset, ok, type ImageDataset, type ModelInputSpec, type Normalization, type Result } from "./data/index";
import { normalizationFor } from "./data/normalize";
import { dataConfigOf, randomResizedCrop } from "../shared/trainConfigData";
import type { CompileModel, TF } from "./model/types";
import { logTail, removeStaleTemps, type RunFiles } from "./runFiles";

/**
 * The run set-up both engines share (src/trainer/engines/tfjs and src/trainer/engines/torch), so
 * both check and record a run alike: the saved configuration of a resumed run, the model and its
 * input, the data checked against the model, the resume checkpoint, the run's end, the `started`
 * event's dataset. Each step returns its failure as a value with a clear message.
 */

export type BackendSelection =
  { ok: true; tf: TF; backend: BackendName; notUsed: BackendRejection[] } | { ok: false; error: string; notUsed: BackendRejection[] };

export interface SessionDeps {
  compile: CompileModel;
  selectBackend(choice: BackendChoice): Promise<BackendSelection>;
  analyze?: (file: string) => FileAnalysis;
  /** Diagnostic output of the process (stderr in the trainer process). */
  log?: (line: string) => void;
}

/** The model's single image input [N, C, H, W] and its logits [N, classes] (or [N, classes, H, W]: segmentation), or why the trainer cannot train it. */
export function modelInputSpec(model: ModelAnalysis): { ok: true; value: ModelInputSpec } | { ok: false; error: string } {
  const show = (s: readonly (number | string)[]) => `[${s.join(", ")}]`;
  if (model.inputs.length !== 1)
    return { ok: false, error: `${model.name} has ${model.inputs.length} @input tags; the trainer trains models with one image input [N, C, H, W]` };
  const input = model.inputs[0]!;
  const [, c, h, w] = input;
  if (input.length !== 4 || typeof c !== "number" || typeof h !== "number" || typeof w !== "number") {
    return { ok: false, error: `${model.name} has @input ${show(input)}; the trainer needs an image input [N, C, H, W] with numeric C, H and W` };
  }
  const analysed = model.output;
  if (analysed === null) return { ok: false, error: `${model.name} could not be analysed to its output (see the model's errors)` };
  const trained = trainedOutput(model.name, analysed);
  if (isNamedOutputs(analysed) && "problem" in trained) return { ok: false, error: trained.problem };
  const out = "shape" in trained ? trained.shape : [];
  if (out.length === 0 || isShapeList(analysed))
    return { ok: false, error: `${model.name} returns several tensors; the trainer needs one output of class scores [N, classes]` };
  const o = out as (number | string)[];
  const k = o[1];
  if (o.length === 4 && o[2] === h && o[3] === w) {
    // per-pixel class scores: a segmentation model, trained on masks (torchvision's references/segmentation)
    if (typeof k !== "number" || k < 2) return { ok: false, error: `${model.name} outputs ${show(o)}: a segmentation model needs at least 2 classes` };
    return { ok: true, value: { channels: c, height: h, width: w, classes: k, segmentation: true } };
  }
  if (o.length !== 2 || typeof k !== "number")
    return {
      ok: false,
      error: `${model.name} outputs ${show(o)}; the trainer needs class scores (logits) [N, classes], e.g. ending with nn.Linear(features, classes)`,
    };
  if (k < 2) return { ok: false, error: `${model.name} outputs ${show(o)}: a classifier needs at least 2 classes` };
  return { ok: true, value: { channels: c, height: h, width: w, classes: k } };
}

/** The refusal of a second `start` in one trainer process (one run per process). */
export function alreadyStarted(state: TrainerState, runDir: string | null): ErrorEvent {
  return {
    type: "error",
    requestId: null,
    phase: "request",
    message: `a run was already started in this trainer process (state: ${state}); start another process for another run`,
    diagnostics: [],
    runDir,
    logTail: [],
  };
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
  const model = analysis.models.find((m) => m.name === name);
  // Another model's errors do not concern this one (issue 19.7); the file's own (syntax, imports) do.
  const errors = model ? modelErrors(analysis.diagnostics, name) : analysis.diagnostics.filter((d) => d.severity === "error");
  if (model === undefined) {
    const names = analysis.models.map((m) => m.name);
    return {
      ok: false,
      error: `${file} has no model '${name}'${names.length ? ` (models: ${names.join(", ")})` : " (it exports no model with an @input tag)"}`,
      diagnostics: diagnosticsOf(errors),
    };
  }
  if (errors.length > 0) {
    const first = errors[0]!;
    return {
      ok: false,
      error: `${name} in ${file} has ${errors.length} error${errors.length > 1 ? "s" : ""}; the first: ${path.basename(first.location.file)}:${first.location.range.start.line + 1}: ${first.message}`,
      diagnostics: diagnosticsOf(errors),
    };
  }
  return { ok: true, value: model };
}

/** The model a run trains, analysed from its file and checked to be a trainable classifier. */
export function modelToTrain(
  file: string,
  name: string,
  analyze: ((file: string) => FileAnalysis) | undefined,
): { ok: true; model: ModelAnalysis; spec: ModelInputSpec } | ModelFailure {
  if (!fs.existsSync(file)) return { ok: false, error: `cannot read the model file ${file}`, diagnostics: [] };
  const found = findModel((analyze ?? ((f: string) => new Analyzer().analyzeFile(f)))(file), file, name);
  if (!found.ok) return found;
  const spec = modelInputSpec(found.value);
  if (!spec.ok) return { ok: false, error: spec.error, diagnostics: [] };
  return { ok: true, model: found.value, spec: spec.value };
}

/** A run's dataset, loaded and checked against the model's input, and how its pixels are normalised. */
export function loadTrainingData(config: TrainConfig, input: ModelInputSpec): Result<{ dataset: ImageDataset; normalization: Normalization }> {
  const loaded = loadDataset(config.dataset, { input, validationFraction: config.validationFraction, seed: config.seed, resize: dataConfigOf(config).resize });
  if (!loaded.ok) return loaded;
  const dataset = loaded.value;
  const augment = dataConfigOf(config).augment;
  if (dataset.task === "segmentation" && randomResizedCrop(augment))
    return fail(
      `--augment ${augment} (random resized crops) is not supported for segmentation masks yet; use --augment flip (flips images and masks together) or none`,
    );
  const normalization = normalizationFor(dataConfigOf(config).normalize, dataset);
  if (!normalization.ok) return normalization;
  return ok({ dataset, normalization: normalization.value });
}

/** The latest complete checkpoint of the run folder `dir`, to resume from; damaged ones are logged and skipped. */
export function resumeCheckpoint(dir: string, log: (line: string) => void): Result<LoadedCheckpoint> {
  for (const d of [dir, path.join(dir, "checkpoints")]) for (const t of removeStaleTemps(d)) log(`removed ${t}, left by an interrupted write`);
  const latest = latestCheckpoint(dir);
  for (const s of latest.skipped) log(`skipping a damaged checkpoint: ${s}`);
  if (latest.checkpoint === null)
    return fail(`cannot resume ${dir}: it has no complete checkpoint${latest.skipped.length ? ` (damaged: ${latest.skipped.join("; ")})` : ""}`);
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

/** Writes a line to the engine's own log and the run's log.txt; an unwritable log must not end the run. */
export function logLine(run: RunFiles | null, line: string, log?: (line: string) => void): void {
  log?.(line);
  try {
    run?.log(line);
  } catch {
    // an unwritable log must not end the run
  }
}

/**
 * Records a failed run in its folder, if it has one (status.json keeps the progress `at`, or what it
 * had); the `error` event, with the run's log tail, or `otherTail` without a run folder.
 */
export function runFailed(
  run: RunFiles | null,
  phase: ErrorEvent["phase"],
  message: string,
  at: Position | null,
  otherTail: string[],
  extra: Partial<ErrorEvent>,
): ErrorEvent {
  const runDir = run?.dir ?? null;
  if (run !== null) {
    try {
      run.failed(message, at);
    } catch {
      // nothing more can be recorded
    }
  }
  return { type: "error", requestId: null, phase, message, diagnostics: [], runDir, logTail: runDir ? logTail(runDir) : otherTail, ...extra };
}

export function diagnosticsOf(errors: FileAnalysis["diagnostics"]): ErrorEvent["diagnostics"] {
  return errors.map((d) => ({
    message: d.message,
    file: d.location.file,
    line: d.location.range.start.line + 1,
    column: d.location.range.start.character + 1,
  }));
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
