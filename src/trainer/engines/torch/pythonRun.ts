import { dataConfigOf, describeData, randomResizedCrop } from "../../../shared/trainConfigData";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { exportPyTorch } from "../../../export/pytorch";
import { INSTALL_HINT, PYTHON_ISOLATED, pythonCandidates, USER_SITE_PY } from "../../../export/pythonProcess";
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
import { classCoverageWarning, type ImageDataset } from "../../data/index";
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
import { parseTorchLine, type TorchHello, type TorchLine } from "../../../shared/torchLines";
import type { Checked } from "../../../shared/validate";
import { TORCH_SEGMENTATION_PY, TORCH_TRAINER_PY, TORCH_TRANSFER_PY } from "./script";
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
  private child: ChildProcessWithoutNullStreams | null = null;
  private run: RunFiles | null = null;
  private stopRequested = false;
  private finished = false;
  private readonly stderrTail: string[] = [];
  private temp: string | null = null;

  constructor(
    private readonly options: TorchSessionOptions,
    private readonly emit: (e: TorchEvent) => void,
  ) {}

  stop(): void {
    this.stopRequested = true;
    if (this.child && this.child.stdin.writable) this.child.stdin.write("stop\n");
  }

  /** Aborts at once (the run is marked failed). */
  kill(): void {
    this.child?.kill("SIGKILL");
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
      if (this.child && this.child.exitCode === null) this.child.kill();
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
    fs.writeFileSync(path.join(this.temp, "segmentation.py"), TORCH_SEGMENTATION_PY);
    const codeFile = path.join(this.temp, "model.py");
    fs.writeFileSync(codeFile, exported.code);
    const started = await this.spawnPython(scriptFile);
    if (!started.ok) return this.fail("config", started.error);
    const { child, lines } = started;
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
        /import torch failed: ModuleNotFoundError/.test(text)
          ? `PyTorch is not installed for ${started.python}. ${INSTALL_HINT}`
          : `${started.python}: ${text}`,
      );
    }
    if (helloMsg.value.type !== "hello") return this.fail("process", `the PyTorch trainer began with a "${helloMsg.value.type}" message instead of "hello"`);
    const hello: TorchHello = helloMsg.value;

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
    const data = this.writeData(dataset);
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
    child.stdin.write(JSON.stringify({ job: jobFile }) + "\n");
    if (this.stopRequested) child.stdin.write("stop\n");

    const device = hello.device.startsWith("cuda") ? `${hello.device}${hello.deviceName ? ` (${hello.deviceName})` : ""}` : "cpu";
    if (!hello.device.startsWith("cuda")) {
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
        return this.fail(
          "process",
          `the PyTorch trainer exited (${code}) before the run ended${this.stderrTail.length ? `; its last output:\n${this.stderrTail.slice(-12).join("\n")}` : ""}`,
        );
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
          child.stdin.end();
          await lines.close();
          return;
        }
        case "error": {
          const phase = m.phase === "model" ? "model" : "training";
          if (m.traceback !== undefined) this.log(m.traceback);
          return this.fail(phase, m.message);
        }
        case "hello":
          return this.fail("process", "the PyTorch trainer said hello twice");
      }
    }
  }

  private exitText(): string {
    const c = this.child;
    if (!c) return "not started";
    return c.signalCode ? `signal ${c.signalCode}` : `exit code ${c.exitCode ?? "?"}`;
  }

  /** The splits as raw files for Python: images (uint8, CHW per image) and labels (int32, little-endian). */
  private writeData(d: ImageDataset): Json {
    const dir = this.temp!;
    const split = (name: string, s: ImageDataset["train"]): Json => {
      const images = path.join(dir, `${name}-images.u8`);
      const labels = path.join(dir, `${name}-labels.i32`);
      fs.writeFileSync(images, s.images);
      fs.writeFileSync(labels, new Uint8Array(s.labels.buffer, s.labels.byteOffset, s.labels.byteLength));
      if (s.masks === undefined) return { images, labels, count: s.count };
      const masks = path.join(dir, `${name}-masks.u8`);
      fs.writeFileSync(masks, s.masks);
      return { images, labels, masks, count: s.count };
    };
    return {
      channels: d.channels,
      height: d.height,
      width: d.width,
      classes: d.classes,
      ...(d.task === "segmentation" ? { segmentation: true } : {}),
      train: split("train", d.train),
      validation: split("validation", d.validation),
    };
  }

  /** Starts the first interpreter of the candidates that exists. */
  private async spawnPython(
    script: string,
  ): Promise<{ ok: true; child: ChildProcessWithoutNullStreams; python: string; lines: LineReader } | { ok: false; error: string }> {
    const tried: string[] = [];
    for (const python of pythonCandidates(this.options.python)) {
      // isolated, in the run's private temporary folder: nothing of the user's folders is imported
      const child = spawn(python, [...PYTHON_ISOLATED, "-u", script], {
        cwd: path.dirname(script),
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, PYTHONUNBUFFERED: "1" },
      });
      const ok = await new Promise<boolean>((resolve) => {
        child.once("spawn", () => resolve(true));
        child.once("error", () => resolve(false));
      });
      if (!ok) {
        tried.push(`${python} (not found)`);
        continue;
      }
      this.child = child;
      child.stdin.on("error", () => undefined);
      readline.createInterface({ input: child.stderr }).on("line", (l) => {
        this.stderrTail.push(l);
        if (this.stderrTail.length > 200) this.stderrTail.shift();
      });
      return { ok: true, child, python, lines: new LineReader(child) };
    }
    return {
      ok: false,
      error: `No Python interpreter found (tried ${tried.join(", ")}). The PyTorch engine needs Python 3 with PyTorch: install them (https://pytorch.org/get-started/locally/), or choose the interpreter with --python PATH, $CNN_STUDIO_PYTHON or the Python extension.`,
    };
  }
}

/** The messages of the child's stdout (src/shared/torchLines.ts), checked, one at a time; null at the end. Lines that are no JSON object (stray prints) are skipped. */
class LineReader {
  private readonly queue: Checked<TorchLine>[] = [];
  private waiting: ((m: Checked<TorchLine> | null) => void) | null = null;
  private ended = false;
  private readonly rl: readline.Interface;

  constructor(child: ChildProcessWithoutNullStreams) {
    this.rl = readline.createInterface({ input: child.stdout });
    this.rl.on("line", (line) => {
      const m = parseTorchLine(line);
      if (m === null) return; // not a message (a stray print)
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(m);
      } else this.queue.push(m);
    });
    const end = () => {
      this.ended = true;
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(null);
      }
    };
    this.rl.on("close", () => {
      // let the exit code arrive before reporting the end
      if (child.exitCode !== null || child.signalCode !== null) end();
      else child.once("exit", end);
    });
  }

  next(): Promise<Checked<TorchLine> | null> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async close(): Promise<void> {
    this.rl.close();
  }
}
