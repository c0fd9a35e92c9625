import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { formatCount } from "../../shared/format";
import { RUN_FILES } from "../../shared/runLayout";
import {
  validateTrainConfig,
  type EngineSpec,
  type EpochEndEvent,
  type ProgressEvent,
  type StartedEvent,
  type TrainConfig,
  type TrainerEvent,
} from "../../shared/training";
import type { TrainerClient } from "../../trainer/trainerClient";
import { describeConfig, type TrainingEngine } from "./form";
import { MAX_JSON_BYTES, readJsonSync } from "../runs/safeFiles";
import { selectedPython } from "./selectedPython";
import { notifyFinished, notifyStopped } from "./runNotifications";

/**
 * Starts, follows and stops training runs of this window (one at a time; each in its own trainer
 * process), and shows the active run in the status bar. Training runs the user's configuration in
 * a process, so it is refused in untrusted workspaces. Where the trainer is not built
 * (`dist/trainer.js` missing), `start` reports what it would run instead.
 *
 * Two engines speak the same protocol from the same program, `dist/trainer.js`: TensorFlow.js and
 * PyTorch (src/trainer/engines/torch; the start request names the engine), which trains the exported model with the
 * user's Python — the Python extension's interpreter when there is one — as its child process.
 * Events, the status bar, stop and resume are the same for both; a run folder's config.json says
 * which engine wrote it (`"engine": "torch"`), so a run resumes with its own engine.
 */

export const UNTRUSTED_MESSAGE =
  "CNN Studio: training is disabled in Restricted Mode, because it runs your model configuration in a separate process. Trust this workspace to train; shapes, parameters and errors work without trust.";

export interface ActiveRun {
  config: TrainConfig;
  runDir: string | null;
  started: StartedEvent | null;
  progress: ProgressEvent | null;
  lastEpoch: EpochEndEvent | null;
  stopping: boolean;
}

export type StartResult =
  | { kind: "started"; run: ActiveRun }
  | { kind: "unavailable"; message: string }
  | { kind: "untrusted"; message: string }
  | { kind: "busy"; message: string }
  | { kind: "invalid"; message: string };

export class TrainingController implements vscode.Disposable {
  private process: TrainerClient | undefined;
  private running = false;
  private activeRun: ActiveRun | undefined;
  private lastRunDir: string | undefined;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly events = new vscode.EventEmitter<{ runDir: string; event: TrainerEvent }>();
  /** The active run changed (started, progressed, ended). */
  readonly onDidChange = this.changed.event;
  /** Every trainer event of a run of this window, with its run folder. */
  readonly onTrainingEvent = this.events.event;
  private readonly disposables: vscode.Disposable[] = [];
  private lastStatusUpdate = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    private readonly backendsDir: () => string,
  ) {
    this.statusItem = vscode.window.createStatusBarItem("cnnStudio.training", vscode.StatusBarAlignment.Left, 20);
    this.statusItem.name = "CNN Studio Training";
    this.statusItem.command = "cnnStudio.openCurves";
    this.disposables.push(this.statusItem);
    void vscode.commands.executeCommand("setContext", "cnnStudio.training", false);
  }

  /** The trainer program (both engines). */
  private get trainerScript(): string {
    return this.context.asAbsolutePath(path.join("dist", "trainer.js"));
  }

  /** Whether this copy of CNN Studio includes the trainer program (a broken installation does not). */
  get available(): boolean {
    return fs.existsSync(this.trainerScript);
  }

  private unavailableMessage(): string {
    return `CNN Studio cannot train: its trainer program ${this.trainerScript} is missing from this installation. Reinstall the extension (in a development checkout, run npm run build).`;
  }

  get active(): ActiveRun | undefined {
    return this.activeRun;
  }

  /** The run folder of the active run, or of the last run this window started. */
  get currentRunDir(): string | undefined {
    return this.activeRun?.runDir ?? this.lastRunDir;
  }

  /** Starts a run with the TensorFlow.js engine or (`engine` "torch") the PyTorch engine. */
  start(config: TrainConfig, engine: TrainingEngine = "tfjs"): StartResult {
    if (!vscode.workspace.isTrusted) return { kind: "untrusted", message: UNTRUSTED_MESSAGE };
    const checked = validateTrainConfig(config);
    if (!checked.ok) return { kind: "invalid", message: checked.error };
    if (this.running)
      return { kind: "busy", message: `CNN Studio is already training ${this.activeRun?.config.model ?? "a model"} in this window; stop it first.` };
    if (!this.available) return { kind: "unavailable", message: this.unavailableMessage() };
    const run: ActiveRun = { config: checked.value, runDir: config.resume, started: null, progress: null, lastEpoch: null, stopping: false };
    this.activeRun = run;
    this.running = true;
    this.output.appendLine(`[trainer] ${describeConfig(checked.value, engine)}`);
    if (engine === "torch") {
      // The Python extension may need activating to say which interpreter is selected.
      void selectedPython(vscode.Uri.file(checked.value.file)).then((selected) => {
        if (this.activeRun !== run) return;
        if (run.stopping) return this.ended(run);
        this.output.appendLine(
          `[trainer] PyTorch engine: ${selected ? `${selected.python} (${selected.source})` : "python3 from the PATH (no interpreter selected in the Python extension)"}`,
        );
        this.launch(run, { name: "torch", python: selected?.python ?? null });
      });
    } else this.launch(run, { name: "tfjs" });
    void vscode.commands.executeCommand("setContext", "cnnStudio.training", true);
    this.updateStatus();
    this.changed.fire();
    return { kind: "started", run };
  }

  /**
   * A trainer process (not started yet) of the trainer program, with the installed backends on its
   * `NODE_PATH`: each run's, and the panels' inspector (src/extension/tensorService.ts).
   */
  trainerProcess(): TrainerClient {
    const backends = this.backendsDir();
    const nodePath = [path.join(backends, "node_modules"), process.env["NODE_PATH"]].filter((p): p is string => Boolean(p)).join(path.delimiter);
    // The trainer's client (and child_process) load on the first use, not at activation.
    const { TrainerClient } = require("../../trainer/trainerClient") as typeof import("../../trainer/trainerClient");
    return new TrainerClient({ trainerPath: this.trainerScript, env: { ...process.env, NODE_PATH: nodePath, CNN_STUDIO_BACKENDS_DIR: backends } });
  }

  private launch(run: ActiveRun, engine: EngineSpec): void {
    const proc = this.trainerProcess();
    this.process = proc;
    proc.on((e) => this.onEvent(proc, e));
    void proc.exited.then((info) => this.onExit(proc, info.code, info.signal, proc.outputTail()));
    proc.start(run.config, engine);
  }

  /** Resumes a stopped or interrupted run from its newest checkpoint, with the engine that wrote it. */
  resume(runDir: string, epochs?: number): StartResult {
    const saved = readJsonSync(path.join(runDir, RUN_FILES.config));
    if (saved === null)
      return {
        kind: "invalid",
        message: `Cannot resume ${path.basename(runDir)}: its config.json is missing, unreadable, over ${MAX_JSON_BYTES / 2 ** 20} MB or not a JSON object.`,
      };
    const checked = validateTrainConfig(saved);
    if (!checked.ok) return { kind: "invalid", message: `Cannot resume ${path.basename(runDir)}: ${checked.error}` };
    const engine: TrainingEngine = saved["engine"] === "torch" ? "torch" : "tfjs";
    return this.start({ ...checked.value, epochs: epochs ?? checked.value.epochs, resume: runDir }, engine);
  }

  /** Asks the active run to stop at the next step (it writes a checkpoint). */
  stop(): boolean {
    if (!this.running || !this.activeRun) return false;
    this.activeRun.stopping = true;
    // before its process starts (the interpreter is being looked up), the run just does not start
    this.process?.stop();
    this.updateStatus();
    this.changed.fire();
    return true;
  }

  isActiveRun(runDir: string): boolean {
    return this.activeRun?.runDir !== null && this.activeRun?.runDir !== undefined && path.resolve(this.activeRun.runDir) === path.resolve(runDir);
  }

  private onEvent(proc: TrainerClient, e: TrainerEvent): void {
    const run = this.activeRun;
    if (proc !== this.process || !run) return;
    switch (e.type) {
      case "started":
        run.started = e;
        run.runDir = e.runDir;
        this.lastRunDir = e.runDir;
        this.output.appendLine(
          `[trainer] backend ${e.backend}${e.device ? ` on ${e.device}` : ""}${e.notUsed.length ? `; not used: ${e.notUsed.map((r) => `${r.backend} (${r.reason})`).join("; ")}` : ""}`,
        );
        break;
      case "progress":
        run.progress = e;
        break;
      case "epochEnd":
        run.lastEpoch = e;
        break;
      case "completed":
        void notifyFinished(run.config.model, e.runDir, e.final ? e.final.valAccuracy : null);
        void proc.shutdown();
        break;
      case "stopped":
        void notifyStopped(run.config.model, e.epoch, e.runDir, e.checkpoint !== null);
        void proc.shutdown();
        break;
      case "error":
        if (e.requestId === null) {
          const where = e.diagnostics[0] ? ` (${path.basename(e.diagnostics[0].file)}:${e.diagnostics[0].line})` : "";
          void vscode.window.showErrorMessage(`CNN Studio: training ${run.config.model} failed: ${e.message}${where}`, "Show Output").then((a) => {
            if (a) this.output.show(true);
          });
          for (const line of e.logTail) this.output.appendLine(`[trainer log] ${line}`);
          void proc.shutdown();
        }
        break;
      case "log":
        this.output.appendLine(`[trainer] ${e.level}: ${e.message}`);
        break;
      default:
        break;
    }
    const runDir = run.runDir;
    if (runDir) this.events.fire({ runDir, event: e });
    // Progress events come many times a second; the status bar and views update at most 4×/s.
    const now = Date.now();
    if (e.type !== "progress" || now - this.lastStatusUpdate > 250) {
      this.lastStatusUpdate = now;
      this.updateStatus();
      this.changed.fire();
    }
  }

  private onExit(proc: TrainerClient, code: number | null, signal: string | null, tail: string[]): void {
    if (proc !== this.process) return;
    const run = this.activeRun;
    const clean = code === 0 || run?.stopping;
    if (!clean && run && code !== null && code !== 0) {
      this.output.appendLine(`[trainer] exited with code ${code}${signal ? ` (${signal})` : ""}`);
      for (const l of tail) this.output.appendLine(`[trainer output] ${l}`);
    }
    this.process = undefined;
    if (run) this.ended(run);
  }

  /** The active run is over (its process exited, or it was stopped before its process started). */
  private ended(run: ActiveRun): void {
    if (this.activeRun !== run) return;
    this.running = false;
    if (run.runDir) this.lastRunDir = run.runDir;
    this.activeRun = undefined;
    void vscode.commands.executeCommand("setContext", "cnnStudio.training", false);
    this.updateStatus();
    this.changed.fire();
  }

  private updateStatus(): void {
    const run = this.activeRun;
    if (!run) {
      this.statusItem.hide();
      return;
    }
    this.statusItem.text = statusText(run) + gpuMemoryText(run.progress);
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**CNN Studio** — training \`${run.config.model}\`\n\n`);
    if (run.started)
      md.appendMarkdown(
        `backend ${run.started.backend}${run.started.device ? ` on ${run.started.device}` : ""} · ${run.started.dataset.name} (${formatCount(run.started.dataset.trainCount)} images)\n\n`,
      );
    const accuracy = accuracyLabel(run);
    if (accuracy) md.appendMarkdown(`${accuracy.tooltip}\n\n`);
    md.appendMarkdown("Click to open the training curves.");
    this.statusItem.tooltip = md;
    this.statusItem.show();
  }

  dispose(): void {
    void this.process?.shutdown(2000);
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
    this.events.dispose();
  }
}

/** `$(sync~spin) lenet5 · epoch 2/5 · val 97.1% · 1,234 img/s` */
export function statusText(run: ActiveRun): string {
  const icon = run.stopping ? "$(debug-pause)" : "$(sync~spin)";
  const p = run.progress;
  if (!p) return `${icon} ${run.config.model} · ${run.started ? "starting" : "preparing"}…`;
  const accuracy = accuracyLabel(run);
  return `${icon} ${run.config.model} · epoch ${p.epoch}/${p.epochs}${accuracy ? ` · ${accuracy.text}` : ""} · ${formatCount(Math.round(p.imagesPerSecond))} img/s`;
}

/**
 * Which accuracy the status bar shows, said in its text (issue 19.5): the validation accuracy of the
 * last finished epoch once there is one ("val 96.4%"), before that the last training mini-batch's
 * ("train (batch) 93.8%"); the tooltip says the same in words.
 */
export function accuracyLabel(run: Pick<ActiveRun, "progress" | "lastEpoch">): { text: string; tooltip: string } | undefined {
  const e = run.lastEpoch;
  if (e)
    return {
      text: `val ${(100 * e.valAccuracy).toFixed(1)}%`,
      tooltip: `val ${(100 * e.valAccuracy).toFixed(2)}%: validation accuracy after epoch ${e.epoch}/${e.epochs} (loss ${e.valLoss.toFixed(4)}; training ${(100 * e.trainAccuracy).toFixed(2)}%)`,
    };
  const p = run.progress;
  if (!p) return undefined;
  return {
    text: `train (batch) ${(100 * p.accuracy).toFixed(1)}%`,
    tooltip: `train (batch) ${(100 * p.accuracy).toFixed(2)}%: the last training mini-batch's accuracy (no epoch has finished, so there is no validation accuracy yet)`,
  };
}

/**
 * Issue 16: the status bar's GPU memory piece, ` · GPU 1.2/3.4 GiB` (in use / peak on rank 0's GPU,
 * torch.cuda.memory_allocated / max_memory_allocated), for PyTorch runs on CUDA; "" otherwise.
 */
export function gpuMemoryText(progress: ProgressEvent | null): string {
  const m = progress?.gpuMemory;
  if (!m) return "";
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(bytes < 10 * 2 ** 30 ? 1 : 0);
  return ` · GPU ${gib(m.allocated)}/${gib(m.maxAllocated)} GiB`;
}
