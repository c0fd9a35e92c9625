import * as path from "node:path";
import * as vscode from "vscode";
import { formatCount, formatShapeText } from "../../shared/format";
import { modelErrors } from "../../shared/analysis";
import { shapeText } from "../../shared/markdown";
import {
  validateTrainToHost,
  validateTrainToWebview,
  type FormErrors,
  type TrainStatus,
  type TrainToHost,
  type TrainToWebview,
} from "../../shared/webview/train";
import { defaultBackend, defaultDatasetFolder, runsDirectory } from "../config";
import type { ModelStore } from "../models/modelStore";
import { acceptFromWebview, loadPage, logFromWebview, postChecked } from "../panels/panelHost";
import {
  datasetForModel,
  defaultForm,
  describeConfig,
  smallestSuitableModel,
  suitsDataset,
  modelId,
  modelProblem,
  normalizeForm,
  validateForm,
  type FormModel,
  type TrainFormState,
} from "./form";
import type { TrainingController } from "./trainingController";
import { TrainTransfer } from "./trainTransfer";

/**
 * The Train view: a form (model, dataset, epochs, batch size, optimizer, learning rate and
 * schedule, augmentation, backend) and Start/Stop. Its page is built like the panels'
 * (webview/train, bundled to dist/webview/train.js, under the same nonce-only policy), and its
 * messages are checked both ways (src/shared/webview/train.ts). The host checks the form on every
 * change and shows what Start would run.
 */

export class TrainViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = "cnnStudio.train";
  private view: vscode.WebviewView | undefined;
  private state: TrainFormState;
  private pendingSelect: string | undefined;
  /** Start is to be focused (the Train code lens) once the page is ready. */
  private pendingFocus = false;
  /** The page has said `ready` since it was last (re)loaded. */
  private pageReady = false;
  /** The model the view picked by itself (nobody chose it): replaced when a better one appears. */
  private autoModel: string | undefined;
  /** Every model the view picked itself: the webview echoing one of them back is not a user's choice. */
  private readonly autoPicks = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private lastMessage: Pick<TrainStatus, "text" | "kind" | "detail"> = { text: "", kind: "info", detail: "" };
  /** The weights file, the freeze and the learning-rate groups of the form, as they apply to the selected model. */
  readonly transfer: TrainTransfer;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly store: ModelStore,
    private readonly training: TrainingController,
  ) {
    this.state = normalizeForm(
      context.workspaceState.get("cnnStudio.trainForm"),
      defaultForm({ backend: defaultBackend(), datasetDir: defaultDatasetFolder() }),
    );
    this.transfer = new TrainTransfer(store);
    this.transfer.update(this.state);
    this.disposables.push(
      this.transfer,
      store.onDidChange(() => {
        this.postModels();
        this.postTransfer();
      }),
      training.onDidChange(() => this.postStatus()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.postStatus()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.pageReady = false;
    loadPage(view.webview, this.context.extensionUri, "train", "Train");
    this.disposables.push(
      // (the promise is for tests; VS Code ignores what listeners return)
      view.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      view.onDidDispose(() => {
        this.view = undefined;
        this.pageReady = false;
      }),
    );
    void this.store.ensureScanned();
  }

  /** Shows the view with `model` (`uri#name`) selected and, for a model (the Train code lens), Start focused. */
  async show(select?: { uri: string; model: string }): Promise<void> {
    if (select) {
      this.pendingSelect = modelId(select.uri, select.model);
      this.state = { ...this.state, model: this.pendingSelect };
      this.pendingFocus = true;
      await this.store.refreshFile(vscode.Uri.parse(select.uri));
    }
    await vscode.commands.executeCommand(`${TrainViewProvider.viewId}.focus`);
    this.postModels();
    this.postStatus();
    this.postFocus();
  }

  /** Focuses Start once the page can hear it (a view shown for the first time loads first: `ready` comes here again). */
  private postFocus(): void {
    if (!this.pendingFocus || !this.view || !this.pageReady || this.view.visible === false) return;
    this.pendingFocus = false;
    this.post({ type: "focus" });
  }

  private formModels(): FormModel[] {
    return this.store.entries().flatMap((e) => {
      const r = e.result;
      if (!r) return [];
      return r.models
        .filter((m) => m.location.file === r.file)
        .map((m): FormModel => ({
          id: modelId(e.uri.toString(), m.name),
          file: r.file,
          name: m.name,
          inputs: m.inputs,
          output: m.output,
          params: m.params,
          errors: modelErrors(r.diagnostics, m.name).length,
        }));
    });
  }

  private runsDir(): string {
    return runsDirectory(this.context.globalStorageUri).fsPath;
  }

  private post(message: TrainToWebview): void {
    if (this.view) postChecked(this.view.webview, "train", validateTrainToWebview, message);
  }

  /** The model to preselect: one asked for, the one chosen before, the active editor's, or the first trainable one. */
  private preferredModel(models: readonly FormModel[]): string {
    const has = (id: string | undefined): id is string => id !== undefined && models.some((m) => m.id === id);
    const suits = (m: FormModel): boolean => suitsDataset(m, this.state.dataset);
    if (has(this.pendingSelect)) return this.pendingSelect;
    // While the workspace is still being analysed, models keep arriving: a pick nobody made is made
    // again (the smallest fitting model so far), a user's choice never is replaced.
    const current = models.find((m) => m.id === this.state.model);
    if (current && this.state.model !== this.autoModel && !this.autoPicks.has(this.state.model)) return current.id;
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    const inEditor = models.find((m) => active !== undefined && m.id.startsWith(`${active}#`) && suits(m));
    this.autoModel = inEditor?.id ?? smallestSuitableModel(models, this.state.dataset)?.id;
    if (this.autoModel !== undefined) this.autoPicks.add(this.autoModel);
    return this.autoModel ?? "";
  }

  private postModels(): void {
    if (!this.view) return;
    const formModels = this.formModels();
    const selected = this.preferredModel(formModels);
    const models = formModels.map((m) => {
      const problem = modelProblem(m);
      return {
        id: m.id,
        label: `${m.name} — ${path.basename(m.file)}`,
        detail: problem ?? `${m.inputs.map(formatShapeText).join(", ")} → ${shapeText(m.output)} · ${formatCount(m.params)} params`,
      };
    });
    if (this.pendingSelect && formModels.some((m) => m.id === this.pendingSelect)) this.pendingSelect = undefined;
    this.post({ type: "models", models, selected });
  }

  private postStatus(): void {
    const run = this.training.active;
    const trusted = vscode.workspace.isTrusted;
    let msg = this.lastMessage;
    if (!trusted)
      msg = {
        text: "Training is disabled in Restricted Mode: it runs your configuration in a separate process. Trust the workspace to train.",
        kind: "warning",
        detail: "",
      };
    else if (run) {
      const p = run.progress;
      const text = p
        ? `Training ${run.config.model}: epoch ${p.epoch}/${p.epochs}, step ${p.step}/${p.stepsPerEpoch} · loss ${p.loss.toFixed(3)} · ${formatCount(Math.round(p.imagesPerSecond))} img/s`
        : `Starting ${run.config.model}…`;
      const last = run.lastEpoch ? `Last epoch: validation accuracy ${(100 * run.lastEpoch.valAccuracy).toFixed(2)}%` : "";
      msg = {
        text: run.stopping ? `Stopping ${run.config.model}…` : text,
        kind: "info",
        detail: [last, run.started ? `backend ${run.started.backend}` : ""].filter(Boolean).join(" · "),
      };
    }
    this.post({ type: "status", ...msg, training: Boolean(run), canStart: trusted, hasRun: Boolean(this.training.currentRunDir) });
  }

  /** The transfer part (weights report, freeze completions, trainable count) for the form as it is. */
  private postTransfer(): void {
    this.transfer.update(this.state);
    this.post({ type: "transfer", info: this.transfer.info(this.state) });
  }

  /**
   * "Start from weights…": `file` (the E2E test and commands name it), else a file picker that
   * starts in the runs folder (a run's checkpoints are .safetensors files). The file is matched
   * against the selected model and the report shown in the view before Start.
   */
  async chooseWeights(file?: string): Promise<void> {
    let chosen = file;
    if (chosen === undefined) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFiles: true,
        canSelectFolders: false,
        canSelectMany: false,
        defaultUri: vscode.Uri.file(this.runsDir()),
        filters: { "Weights (PyTorch, safetensors)": ["pth", "pt", "bin", "safetensors"], "All files": ["*"] },
        openLabel: "Start from these weights",
        title: "Start from weights: a .pth/.pt or .safetensors file, or a run's checkpoint",
      });
      chosen = picked?.[0]?.fsPath;
    }
    if (chosen === undefined) return;
    this.state = { ...this.state, weights: chosen };
    void this.context.workspaceState.update("cnnStudio.trainForm", this.state);
    this.post({ type: "set", field: "weights", value: chosen });
    this.postTransfer();
    this.post({ type: "validation", ...this.validate() });
  }

  /** Issue 19: a bundled sample the newly chosen model cannot take gives way to the one it can (datasetForModel). */
  private followModel(): void {
    const dataset = datasetForModel(
      this.state.dataset,
      this.formModels().find((m) => m.id === this.state.model),
    );
    if (dataset === this.state.dataset) return;
    this.state = { ...this.state, dataset };
    this.post({ type: "state", state: this.state });
  }

  private validate(): { errors: FormErrors; preview: string } {
    const r = validateForm(this.state, this.formModels(), this.runsDir(), this.transfer.formTransfer(this.state));
    return { errors: r.errors, preview: r.config ? describeConfig(r.config, r.engine) : "" };
  }

  /** A message from the webview: checked (a bad one is logged, naming it, and ignored), then handled. */
  private async receive(raw: unknown): Promise<void> {
    const m = acceptFromWebview("train", validateTrainToHost, raw);
    if (m === undefined) return;
    if ("state" in m && m.state !== null) {
      const before = this.state.model;
      this.state = normalizeForm(m.state, this.state);
      if (this.state.model !== before) this.followModel();
      if (this.state.model !== this.autoModel && !this.autoPicks.has(this.state.model)) this.autoModel = undefined;
      void this.context.workspaceState.update("cnnStudio.trainForm", this.state);
    }
    await this.handle(m);
  }

  private async handle(m: TrainToHost): Promise<void> {
    switch (m.type) {
      case "ready":
        // The webview's kept form (taken above) wins over ours; either way it gets the form back.
        this.post({ type: "state", state: this.state });
        this.postModels();
        this.postStatus();
        this.postTransfer();
        this.pageReady = true;
        this.postFocus();
        break;
      case "log":
        logFromWebview("train", m);
        break;
      case "change":
        this.postTransfer();
        this.post({ type: "validation", ...this.validate() });
        break;
      case "chooseWeights":
        await this.chooseWeights();
        break;
      case "browse": {
        const picked = await vscode.window.showOpenDialog({
          canSelectFiles: false,
          canSelectFolders: true,
          canSelectMany: false,
          openLabel: "Use as dataset",
          title: "Dataset folder",
        });
        const dir = picked?.[0]?.fsPath;
        if (dir) this.post({ type: "set", field: "datasetDir", value: dir });
        break;
      }
      case "start":
        await this.start();
        break;
      case "stop":
        this.training.stop();
        break;
      case "curves":
        void vscode.commands.executeCommand("cnnStudio.openCurves");
        break;
    }
  }

  private async start(): Promise<void> {
    this.transfer.update(this.state);
    const r = validateForm(this.state, this.formModels(), this.runsDir(), this.transfer.formTransfer(this.state));
    if (!r.config) {
      this.post({ type: "validation", errors: r.errors, preview: "" });
      this.lastMessage = { text: "Fix the highlighted fields to start.", kind: "error", detail: "" };
      this.postStatus();
      return;
    }
    const result = this.training.start(r.config, r.engine);
    switch (result.kind) {
      case "started":
        this.lastMessage = { text: "", kind: "info", detail: "" };
        break;
      case "untrusted":
        void vscode.window.showWarningMessage(result.message, "Manage Workspace Trust").then((a) => {
          if (a) void vscode.commands.executeCommand("workbench.trust.manage");
        });
        this.lastMessage = { text: result.message, kind: "warning", detail: "" };
        break;
      case "busy":
      case "invalid":
      case "unavailable":
        this.lastMessage = { text: result.message, kind: "error", detail: "" };
        break;
    }
    this.postStatus();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
