import { dataConfigOf, describeData } from "../../../shared/trainConfigData";
import { trainBatchLoader } from "../../data/prefetch";
import type { ModelAnalysis } from "../../../shared/analysis";
import {
  describeDataset,
  notUsedText,
  type BackendName,
  type ErrorEvent,
  type TrainConfig,
  type TrainerEvent,
  type TrainerState,
} from "../../../shared/training";
import type { LoadedCheckpoint } from "../../checkpoint";
import type { CompiledModel, TF } from "../../model/types";
import { classCoverageWarning } from "../../data/index";
import { createRunDir, RunFiles } from "../../runFiles";
import {
  alreadyStarted,
  datasetInfo,
  describeNormalization,
  loadTrainingData,
  modelToTrain,
  resumeCheckpoint,
  logLine,
  runCompleted,
  runFailed,
  runStopped,
  savedRunConfig,
  type SessionDeps,
} from "../../runSetup";
import { TrainingLoop } from "../../train/loop";
import { DataParallel, type ShardSetup } from "../../train/dataParallel";
import type { TransferPlan } from "../../train/freeze";
import { describePlan } from "../../train/freeze";
import { loadMatchedWeights, readRunWeights, transferPlan } from "../../train/transferSetup";
import { reportOf } from "../../weightFiles/match";
import { weightsReportLines } from "../../../shared/weights";
import type { Engine, EngineRequest } from "../engine";

export interface TfjsEngineOptions {
  /** Tests: make the gradient workers of `--workers` fail (src/trainer/train/dataParallel.ts). */
  shardFault?: ShardSetup["fault"];
}

/**
 * The TensorFlow.js engine: one training run inside the trainer process, from a `start` request
 * to its end: analyse the model file, load and check the dataset against the model, pick the
 * backend, compile, create or resume the run folder, train. Every failure becomes an `error`
 * event with a clear message (and a failed run status where a run folder exists); nothing throws
 * out of here.
 */
export class TfjsEngine implements Engine {
  state: TrainerState = "idle";
  private loop: TrainingLoop | null = null;
  private model: CompiledModel | null = null;
  private analysis: ModelAnalysis | null = null;
  private run: RunFiles | null = null;
  private stopRequested = false;

  constructor(
    private readonly deps: SessionDeps,
    private readonly emit: (e: TrainerEvent) => void,
    private readonly options: TfjsEngineOptions = {},
  ) {}

  private log(line: string): void {
    logLine(this.run, line, this.deps.log);
  }

  private fail(phase: ErrorEvent["phase"], message: string, extra: Partial<ErrorEvent> = {}): void {
    this.log(`error (${phase}): ${message}`);
    this.emit(runFailed(this.run, phase, message, this.loop?.current ?? null, [], extra));
    this.state = "finished";
  }

  /** Handles one (validated) request. `start` resolves when the run has ended. */
  async handle(req: EngineRequest): Promise<void> {
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
    const err = (message: string) =>
      this.emit({ type: "error", requestId, phase: "request", message, diagnostics: [], runDir: this.run?.dir ?? null, logTail: [] });
    if (this.loop === null || this.analysis === null)
      return err(`feature maps need a trained model: no run has been started in this trainer (state: ${this.state})`);
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
      // --workers, like the backend, says how to train, not what: a resumed run may change it (absent: the run's own)
      const workers = requested.workers ?? saved.value.workers;
      config = {
        ...saved.value,
        epochs: requested.epochs,
        backend: requested.backend,
        resume: requested.resume,
        ...(workers !== undefined ? { workers } : {}),
      };
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
    for (const note of dataset.notes ?? []) this.emit({ type: "log", level: "info", message: note });

    // 4. the backend and the compiled model
    const be = await this.deps.selectBackend(config.backend);
    if (!be.ok)
      return this.fail(
        "training",
        `no usable TensorFlow.js backend for '${config.backend}': ${be.error}${be.notUsed.length ? ` (${notUsedText(be.notUsed)})` : ""}`,
      );
    let compiled: CompiledModel;
    try {
      compiled = this.deps.compile(be.tf, model, { seed: config.seed });
    } catch (e) {
      return this.fail("model", `cannot compile ${model.name} for training: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.model = compiled;
    const plan = transferPlan(config, model, compiled);
    if (typeof plan === "string") return this.fail("config", plan);
    const weights = readRunWeights(config, model, compiled);
    if (!weights.ok) return this.fail("config", weights.error);

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
        return this.fail(
          "config",
          `cannot create a run folder in ${config.runsDir} (${(e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e))})`,
        );
      }
    }
    const run = this.run;
    if (resumeFrom === null) run.log(`new run: ${model.name} from ${config.file} on ${describeDataset(config.dataset)}`);

    const embeddingModules = new Set(model.layers.filter((l) => l.type === "Embedding").map((l) => l.path));
    const parallel = await this.startWorkers(be.tf, config, be.backend, model, compiled, plan, dataset.task === "segmentation");
    if (typeof parallel === "string") return this.fail("training", parallel);
    const batches = trainBatchLoader(dataConfigOf(config), config.seed, dataset, normalization);
    const loop = new TrainingLoop({
      tf: be.tf,
      model: compiled,
      dataset,
      config,
      normalization,
      classes: spec.classes,
      run,
      emit: (e) => this.emit(e),
      embeddingModules,
      ...(batches ? { batches } : {}),
      transfer: plan,
      ...(parallel ? { parallel } : {}),
    });
    if (weights.value !== null) {
      loadMatchedWeights(be.tf, compiled, weights.value);
      for (const line of weightsReportLines(weights.value)) run.log(`weights: ${line}`);
    }
    for (const line of describePlan(plan, config.transfer, compiled.parameters.size)) run.log(line);
    this.loop = loop;
    if (resumeFrom !== null) {
      const err = loop.restore(resumeFrom);
      if (err) return this.fail("config", `cannot resume ${config.resume}: ${err}`);
      const moved = run.rewindMetrics(resumeFrom.index.position.metricsLines);
      const p = resumeFrom.index.position;
      run.log(
        `resuming from ${resumeFrom.file} (epoch ${p.epoch}, step ${p.step}, global step ${p.globalStep})${moved ? `; ${moved} metrics lines after it moved to metrics.discarded.jsonl` : ""}`,
      );
    }
    const pos = loop.current;
    run.status({ state: "running", epoch: pos.epoch, step: pos.step, globalStep: pos.globalStep, message: null });
    run.log(
      `backend ${be.backend}${be.notUsed.length ? ` (not used: ${notUsedText(be.notUsed)})` : ""}; ${loop.stepsPerEpoch} steps per epoch of ${config.batchSize}; ${describeNormalization(normalization)}${config.data ? `; ${describeData(config.data)}${batches ? ` (training images decoded and augmented in ${batches.kind === "worker" ? "a worker thread" : "the trainer's thread"})` : ""}` : ""}`,
    );
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
      ...(weights.value !== null ? { weights: reportOf(weights.value) } : {}),
    });

    // 6. training
    this.state = this.stopRequested ? "stopping" : "training";
    if (this.stopRequested) loop.requestStop();
    let outcome: Awaited<ReturnType<TrainingLoop["run"]>>;
    try {
      outcome = await loop.run();
    } finally {
      await batches?.close();
      await parallel?.close();
    }
    if (outcome.kind === "diverged" || outcome.kind === "failed") return this.fail("training", outcome.message);
    this.emit(
      outcome.kind === "completed" ? runCompleted(run, loop.current, outcome.final, outcome.seconds) : runStopped(run, loop.current, outcome.checkpoint),
    );
    this.state = "finished";
  }

  /**
   * Issue 17: the gradient workers of `--workers N` (src/trainer/train/dataParallel.ts), or null for
   * one thread (also, with a log line, where they do not apply); a string when they cannot start.
   */
  private async startWorkers(
    tf: TF,
    config: TrainConfig,
    backend: BackendName,
    analysis: ModelAnalysis,
    compiled: CompiledModel,
    plan: TransferPlan,
    segmentation: boolean,
  ): Promise<DataParallel | null | string> {
    const threads = config.workers ?? 1;
    if (threads <= 1) return null;
    const skip = (why: string) => {
      this.log(`--workers ${threads} ignored: ${why}; training on one thread`);
      return null;
    };
    if (backend !== "wasm" && backend !== "js") return skip(`the ${backend} backend uses its own threads`);
    if (segmentation) return skip("data-parallel training covers classification only");
    const started = await DataParallel.start(tf, {
      threads,
      backend,
      analysis,
      model: compiled,
      seed: config.seed,
      trained: [...compiled.parameters.keys()].filter((n) => !plan.frozen.has(n)),
      evalModules: plan.evalNorms,
      labelSmoothing: config.labelSmoothing,
      ...(this.options.shardFault ? { fault: this.options.shardFault } : {}),
    });
    if (!started.ok) return `data-parallel training could not start: ${started.error}`;
    this.log(
      `data-parallel training on ${threads} threads (this one and ${threads - 1} gradient worker${threads > 2 ? "s" : ""}), batch ${config.batchSize} split between them`,
    );
    return started.value;
  }

  dispose(): void {
    this.loop?.dispose();
    this.model?.dispose();
    this.loop = null;
    this.model = null;
  }
}
