import { dataConfigOf, describeData, randomResizedCrop } from "../../../shared/trainConfigData";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { exportPyTorch } from "../../../export/pytorch";
import { INSTALL_HINT, USER_SITE_PY } from "../../../export/pythonProcess";
import type { FileAnalysis } from "../../../shared/analysis";
import {
  describeDataset,
  type CheckpointEvent,
  type CompletedEvent,
  type EpochEndEvent,
  type ErrorEvent,
  type LogEvent,
  type ProgressEvent,
  type StartedEvent,
  type StoppedEvent,
  type TrainConfig,
} from "../../../shared/training";
import { classCoverageWarning } from "../../data/index";
import { createRunDir, RunFiles } from "../../runFiles";
import {
  datasetInfo,
  describeNormalization,
  diagnosticsOf,
  loadTrainingData,
  modelToTrain,
  resumeCheckpoint,
  logLine,
  runCompleted,
  runFailed,
  runStopped,
  savedRunConfig,
} from "../../runSetup";
import { epochLogLine } from "../../train/loop";
import type { TorchHello, TorchLine } from "../../../shared/torchLines";
import { TORCH_DISTRIBUTED_PY, TORCH_SEGMENTATION_PY, TORCH_TRAINER_PY, TORCH_TRANSFER_PY } from "./script";
import { RankGroup } from "./ranks";
import { writePreparedData } from "./preparedData";
import { describeDistributed, gpuSettingsProblem } from "../../../shared/trainConfigTorch";
import { resolveWeightsSource } from "../../weightFiles/weightsSource";
import { weightsReportLines } from "../../../shared/weights";

/**
 * The PyTorch training engine: the same run as the TensorFlow.js engine (src/trainer/engines/tfjs; the shared set-up is src/trainer/runSetup.ts),
 * with the model exported to PyTorch and trained by the user's Python (CUDA when available, the
 * CPU with a warning). Node keeps what it does for the TensorFlow.js engine — the model and
 * dataset checks, the data itself (the same loaders and normalisation), the run folder
 * (config.json, metrics.jsonl, log.txt, status.json) — and speaks the same events; Python trains
 * and writes the checkpoints (the same format, by `state_dict` name). Nothing here throws: every
 * failure is an `error` event with a clear message.
 */

/** `started`, for the PyTorch engine: the protocol's event with `backend` "torch" and the device it trains on. */
export type TorchStartedEvent = StartedEvent & { backend: "torch"; device: string };

export type TorchEvent = TorchStartedEvent | ProgressEvent | EpochEndEvent | CheckpointEvent | CompletedEvent | StoppedEvent | ErrorEvent | LogEvent;

export interface TorchSessionOptions {
  /** The interpreter (the Python extension's selection, or --python); default $CNN_STUDIO_PYTHON, python3, python. */
  python?: string | null;
  analyze?: (file: string) => FileAnalysis;
  /** Diagnostic lines (stderr of the CLI). */
  log?: (line: string) => void;
}

type Json = Record<string, unknown>;

/** A loss that was not a finite number (JSON null) is NaN again. */
const lossOf = (v: number | null): number => v ?? Number.NaN;

export class TorchTrainingSession {
  /** The trainer.py processes: one, or one per rank of this machine (ranks.ts). */
  private group: RankGroup | null = null;
  private run: RunFiles | null = null;
  private stopRequested = false;
  private finished = false;
  private temp: string | null = null;

  constructor(
    private readonly options: TorchSessionOptions,
    private readonly emit: (e: TorchEvent) => void,
  ) {}

  stop(): void {
    this.stopRequested = true;
    this.group?.writeAll("stop\n");
  }

  /** Aborts at once (the run is marked failed). */
  kill(): void {
    this.group?.kill("SIGKILL");
  }

  /** The primary process's last stderr lines. */
  private get stderrTail(): string[] {
    return this.group?.primary.stderrTail ?? [];
  }

  private log(line: string): void {
    logLine(this.run, line, this.options.log);
  }

  private fail(phase: ErrorEvent["phase"], message: string, extra: Partial<ErrorEvent> = {}): void {
    if (this.finished) return;
    this.finished = true;
    this.log(`error (${phase}): ${message}`);
    this.emit(runFailed(this.run, phase, message, null, this.stderrTail.slice(-20), extra));
  }

  /** Trains; resolves when the run has ended (completed, stopped or failed). */
  async start(requested: TrainConfig): Promise<void> {
    try {
      await this.prepareAndTrain(requested);
    } catch (e) {
      this.fail("training", `training failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.group?.kill();
      if (this.temp) fs.rmSync(this.temp, { recursive: true, force: true });
    }
  }

  private async prepareAndTrain(requested: TrainConfig): Promise<void> {
    // 1. the configuration (a resumed run keeps its own, except epochs)
    let config = requested;
    if (requested.resume !== null) {
      const saved = savedRunConfig(requested.resume);
      if (!saved.ok) return this.fail("config", saved.error);
      config = { ...saved.value, epochs: requested.epochs, resume: requested.resume };
    }

    // issue 15: the random-crop presets are made by the TypeScript data pipeline only
    const augment = dataConfigOf(config).augment;
    if (randomResizedCrop(augment))
      return this.fail(
        "config",
        `--augment ${augment} (random resized crops from the image files) is not in the PyTorch engine yet; use the TensorFlow.js backend, or --augment flip`,
      );

    // issue 15: --weights may name a run folder, which stands for its newest checkpoint
    const weights = config.resume === null ? config.transfer?.weights : null;
    if (weights) {
      const source = resolveWeightsSource(weights);
      if (!source.ok) return this.fail("config", `--weights: ${source.error}`);
      config = { ...config, transfer: { ...config.transfer!, weights: source.value } };
    }

    // 2. the model, analysed and exported
    const found = modelToTrain(config.file, config.model, this.options.analyze);
    if (!found.ok) return this.fail("model", found.error, { diagnostics: found.diagnostics });
    const { model, spec } = found;
    const exported = exportPyTorch(config.file, { models: [model.name] });
    if (!exported.ok) {
      const d = exported.diagnostics.filter((x) => x.severity === "error");
      return this.fail(
        "model",
        `${model.name} cannot be exported to PyTorch: ${d.map((x) => `${path.basename(x.location.file)}:${x.location.range.start.line + 1}: ${x.message}`).join("; ")}`,
        { diagnostics: diagnosticsOf(d) },
      );
    }

    // 3. Python and PyTorch start (importing torch takes seconds) while the data loads
    this.temp = fs.mkdtempSync(path.join(os.tmpdir(), "cnn-studio-torch-"));
    const scriptFile = path.join(this.temp, "trainer.py");
    fs.writeFileSync(scriptFile, USER_SITE_PY + TORCH_TRAINER_PY);
    fs.writeFileSync(path.join(this.temp, "transfer.py"), TORCH_TRANSFER_PY);
    fs.writeFileSync(path.join(this.temp, "distributed.py"), TORCH_DISTRIBUTED_PY);
    fs.writeFileSync(path.join(this.temp, "segmentation.py"), TORCH_SEGMENTATION_PY);
    const codeFile = path.join(this.temp, "model.py");
    fs.writeFileSync(codeFile, exported.code);
    const started = await RankGroup.start(this.options.python, scriptFile, config.distributed);
    if (!started.ok) return this.fail("config", started.error);
    const group = (this.group = started.group);
    const lines = group.primary.lines;
    const helloP = lines.next();

    const loaded = loadTrainingData(config, spec);
    if (!loaded.ok) return this.fail("dataset", loaded.error);
    const { dataset, normalization } = loaded.value;
    const coverage = classCoverageWarning(model.name, spec.classes, dataset);
    if (coverage !== null) this.emit({ type: "log", level: "warning", message: coverage });
    for (const note of dataset.notes ?? []) this.emit({ type: "log", level: "info", message: note });

    const helloMsg = await helloP;
    if (helloMsg === null)
      return this.fail(
        "process",
        `Python exited before it reported (${this.exitText()})${this.stderrTail.length ? `:\n${this.stderrTail.slice(-10).join("\n")}` : ""}`,
      );
    if (!helloMsg.ok) return this.fail("process", `the PyTorch trainer sent a malformed message: ${helloMsg.error}`);
    if (helloMsg.value.type === "error") {
      const text = helloMsg.value.message;
      return this.fail(
        "config",
        /import torch failed: ModuleNotFoundError/.test(text) ? `PyTorch is not installed for ${group.python}. ${INSTALL_HINT}` : `${group.python}: ${text}`,
      );
    }
    if (helloMsg.value.type !== "hello") return this.fail("process", `the PyTorch trainer began with a "${helloMsg.value.type}" message instead of "hello"`);
    const hello: TorchHello = helloMsg.value;
    const onCuda = hello.device.startsWith("cuda");
    // issue 16: the process group's backend follows the device (recorded in config.json)
    if (config.distributed) config = { ...config, distributed: { ...config.distributed, backend: onCuda ? "nccl" : "gloo" } };
    const refused = gpuSettingsProblem(hello.torch, onCuda, config);
    if (refused !== null) return this.fail("config", refused);

    // 4. the run folder
    let resumeFrom: string | null = null;
    let resumedAt: { epoch: number; step: number; globalStep: number } | null = null;
    if (config.resume !== null) {
      this.run = new RunFiles(config.resume);
      const latest = resumeCheckpoint(config.resume, (line) => this.log(line));
      if (!latest.ok) {
        this.run = null;
        return this.fail("config", latest.error);
      }
      const checkpoint = latest.value;
      if (checkpoint.index.optimizer.name !== config.optimizer.name)
        return this.fail(
          "config",
          `cannot resume ${config.resume}: ${checkpoint.file} was written by optimizer ${checkpoint.index.optimizer.name}, the run uses ${config.optimizer.name}`,
        );
      resumeFrom = checkpoint.file;
      const p = checkpoint.index.position;
      resumedAt = { epoch: p.epoch, step: p.step, globalStep: p.globalStep };
      const moved = this.run.rewindMetrics(p.metricsLines);
      this.log(
        `resuming from ${resumeFrom} (epoch ${p.epoch}, step ${p.step}, global step ${p.globalStep})${moved ? `; ${moved} metrics lines after it moved to metrics.discarded.jsonl` : ""}`,
      );
    } else {
      this.run = new RunFiles(createRunDir(config.runsDir, model.name));
      this.run.writeConfig({ ...config, engine: "torch" });
      this.log(`new run: ${model.name} from ${config.file} on ${describeDataset(config.dataset)}`);
    }
    const run = this.run;

    // 5. the job
    const temp = this.temp;
    const data = writePreparedData(dataset, (name, bytes) => {
      const file = path.join(temp, name);
      fs.writeFileSync(file, bytes);
      return file;
    });
    const jobFile = path.join(this.temp, "job.json");
    fs.writeFileSync(
      jobFile,
      JSON.stringify({
        code: codeFile,
        model: model.name,
        data,
        normalization,
        config,
        checkpoints: path.resolve(run.checkpointsDir),
        resume: resumeFrom === null ? null : path.resolve(resumeFrom),
        metricsLines: run.metricsCount,
      }),
    );
    group.writeAll(JSON.stringify({ job: jobFile }) + "\n");
    if (this.stopRequested) group.writeAll("stop\n");

    const gpus = onCuda ? gpusUsed(hello, config) : [];
    const device = onCuda ? deviceText(hello, config) : "cpu";
    if (config.channelsLast && !onCuda) this.warn("--channels-last is for CUDA GPUs; on the CPU it is ignored (the model and inputs stay contiguous)");
    if (!onCuda) {
      const why = hello.cudaError ? `CUDA failed: ${hello.cudaError}` : hello.cudaVersion ? "no CUDA GPU is visible" : "this PyTorch build has no CUDA";
      const message = `PyTorch ${hello.torch} trains on the CPU (${why}); a CUDA GPU is much faster (https://pytorch.org/get-started/locally/)`;
      this.log(`warning: ${message}`);
      this.emit({ type: "log", level: "warning", message });
    }

    // 6. training: Python's messages become events and run files
    const dsInfo = datasetInfo(dataset, normalization);
    let stepsPerEpoch = Math.ceil(dataset.train.count / config.batchSize);
    let position = { epoch: resumedAt?.epoch ?? 0, step: resumedAt?.step ?? 0, globalStep: resumedAt?.globalStep ?? 0 };
    for (;;) {
      const line = await lines.next();
      if (line === null) {
        const code = this.exitText();
        const message = `the PyTorch trainer exited (${code}) before the run ended${this.stderrTail.length ? `; its last output:\n${this.stderrTail.slice(-12).join("\n")}` : ""}`;
        return this.fail("process", await this.rankFailure(message));
      }
      if (!line.ok) return this.fail("process", `the PyTorch trainer sent a malformed message: ${line.error}`);
      const m: TorchLine = line.value;
      switch (m.type) {
        case "ready": {
          stepsPerEpoch = m.stepsPerEpoch;
          run.status({ state: "running", epoch: position.epoch, step: position.step, globalStep: position.globalStep, message: null });
          run.log(
            `backend torch (PyTorch ${hello.torch}, Python ${hello.python}, ${device}${hello.device.startsWith("cuda") ? "" : `, ${hello.threads} threads`}); ${stepsPerEpoch} steps per epoch of ${config.batchSize}; ${describeNormalization(normalization)}${config.data ? `; ${describeData(config.data)}` : ""}`,
          );
          for (const l of gpuSettingsLines(config)) run.log(l);
          for (const l of m.weights ? weightsReportLines(m.weights) : []) run.log(`weights: ${l}`);
          for (const l of m.transfer ?? []) run.log(l);
          this.emit({
            type: "started",
            runDir: run.dir,
            backend: "torch",
            device,
            notUsed: [],
            model: model.name,
            params: m.params,
            dataset: dsInfo,
            epochs: config.epochs,
            stepsPerEpoch,
            resumedFrom: resumedAt,
            ...(gpus.length ? { gpus } : {}),
            ...(m.weights ? { weights: m.weights } : {}),
          });
          break;
        }
        case "step": {
          const rec: Json = { type: "step", epoch: m.epoch, step: m.step, globalStep: m.globalStep, loss: lossOf(m.loss), accuracy: m.accuracy, lr: m.lr };
          if (m.momentum !== undefined) rec["momentum"] = m.momentum;
          rec["imagesPerSecond"] = m.imagesPerSecond;
          rec["time"] = m.time;
          run.appendMetrics(rec);
          position = { epoch: m.epoch, step: m.step, globalStep: m.globalStep };
          this.emit({
            type: "progress",
            epoch: m.epoch,
            epochs: config.epochs,
            step: m.step,
            stepsPerEpoch,
            globalStep: m.globalStep,
            loss: lossOf(m.loss),
            accuracy: m.accuracy,
            imagesPerSecond: m.imagesPerSecond,
            etaSeconds: m.etaSeconds,
            lr: m.lr,
            ...(m.gpuMemory ? { gpuMemory: m.gpuMemory } : {}),
          });
          break;
        }
        case "epoch": {
          const e: EpochEndEvent = {
            type: "epochEnd",
            epoch: m.epoch,
            epochs: m.epochs,
            trainLoss: lossOf(m.trainLoss),
            trainAccuracy: m.trainAccuracy,
            valLoss: lossOf(m.valLoss),
            valAccuracy: m.valAccuracy,
            trainTop5: m.trainTop5,
            valTop5: m.valTop5,
            ...(m.valMiou !== undefined ? { valMiou: m.valMiou } : {}),
            lr: m.lr,
            seconds: m.seconds,
          };
          const { type: _t, ...rest } = e;
          if (m.gpuMemory) e.gpuMemory = m.gpuMemory;
          run.appendMetrics({ type: "epoch", ...rest, time: m.time });
          run.log(epochLogLine(e, config.epochs));
          this.emit(e);
          break;
        }
        case "checkpoint": {
          const e: CheckpointEvent = m;
          run.log(`checkpoint ${e.path} (${e.reason}, epoch ${e.epoch}, step ${e.step})`);
          this.emit(e);
          break;
        }
        case "done": {
          this.finished = true;
          if (m.kind === "completed") {
            const f = m.final;
            const final: CompletedEvent["final"] = f && { ...f, trainLoss: lossOf(f.trainLoss), valLoss: lossOf(f.valLoss) };
            this.emit(runCompleted(run, position, final, m.seconds));
          } else {
            this.emit(runStopped(run, { epoch: m.epoch, step: m.step, globalStep: m.globalStep }, m.checkpoint));
          }
          for (const p of group.all) p.child.stdin.end();
          await lines.close();
          return;
        }
        case "error": {
          const phase = m.phase === "model" || m.phase === "config" ? m.phase : "training";
          if (m.traceback !== undefined) this.log(m.traceback);
          return this.fail(phase, await this.rankFailure(m.message));
        }
        case "hello":
          return this.fail("process", "the PyTorch trainer said hello twice");
      }
    }
  }

  private exitText(): string {
    return this.group ? this.group.primary.exitText() : "not started";
  }

  private warn(message: string): void {
    this.log(`warning: ${message}`);
    this.emit({ type: "log", level: "warning", message });
  }

  /** Rank 0's failure, or, when another rank died first (rank 0's error is then its echo), that rank's. */
  private async rankFailure(message: string): Promise<string> {
    const group = this.group;
    if (!group || group.worldSize === 1) return message;
    const other = await group.otherFailure(2000);
    if (other?.message === message) return message; // the other rank's failure itself
    return other ? `${other.message}\n(rank ${group.primary.rank} then: ${message.split("\n")[0]})` : `rank ${group.primary.rank}: ${message}`;
  }
}

/** The GPUs this machine's ranks train on (rank r on cuda:r), by name. */
function gpusUsed(hello: TorchHello, config: TrainConfig): string[] {
  const all = hello.gpus ?? (hello.deviceName ? [hello.deviceName] : []);
  return config.distributed ? all.slice(0, config.distributed.nprocPerNode) : hello.deviceName ? [hello.deviceName] : all.slice(0, 1);
}

/** The started event's device: `cuda (NVIDIA H100 80GB HBM3)`, or for data-parallel ranks `4 × cuda (NVIDIA H100 80GB HBM3)`. */
function deviceText(hello: TorchHello, config: TrainConfig): string {
  const names = [...new Set(gpusUsed(hello, config))].join(", ");
  const n = config.distributed?.nprocPerNode ?? 1;
  return n > 1 ? `${n} × cuda${names ? ` (${names})` : ""}` : `${hello.device}${hello.deviceName ? ` (${hello.deviceName})` : ""}`;
}

/** The run log's lines of the GPU settings and the data-parallel run (issue 16). */
function gpuSettingsLines(config: TrainConfig): string[] {
  const lines = config.distributed ? [describeDistributed(config.distributed, config.batchSize)] : [];
  const gpu = [
    config.precision ? `precision ${config.precision}` : null,
    config.channelsLast ? "channels-last" : null,
    config.compile ? "torch.compile" : null,
  ];
  const given = gpu.filter((x): x is string => x !== null);
  return given.length ? [...lines, given.join(", ")] : lines;
}
