import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { formatCount, formatShapeText } from "../../shared/format";
import { shapeText } from "../../shared/markdown";
import { OPTIMIZERS, SCHEDULES } from "../../shared/training";
import { defaultBackend, defaultDatasetFolder, runsDirectory } from "../config";
import type { ModelStore } from "../models/modelStore";
import { contentSecurityPolicy, escapeHtml as esc, makeNonce } from "../panels/html";
import { DATASET_KINDS, FORM_BACKENDS, datasetProblem, defaultForm, describeConfig, firstSuitableModel, formLabel, modelId, modelProblem, normalizeForm, validateForm, type FormModel, type TrainFormState } from "./form";
import type { TrainingController } from "./trainingController";
import { CHECK_FIELDS, SELECT_FIELDS, TEXT_FIELDS, trainViewScript } from "./webviewScript";

/**
 * The Train view: a form (model, dataset, epochs, batch size, optimizer, learning rate and
 * schedule, augmentation, backend) built with `@vscode-elements/elements`, and Start/Stop.
 * The host checks the form on every change and shows what Start would run.
 */

const ELEMENTS_CANDIDATES = [
  ["dist", "vendor", "vscode-elements.js"], // the VSIX (copied by scripts/package-vsix.mjs)
  ["node_modules", "@vscode-elements", "elements", "dist", "bundled.js"], // a development checkout
];

const OPTIMIZER_LABELS: Record<string, string> = { sgd: "SGD", adam: "Adam", adamw: "AdamW" };
const SCHEDULE_LABELS: Record<string, string> = { none: "Constant", step: "Step decay (StepLR)", cosine: "Cosine annealing", onecycle: "One-cycle" };
const BACKEND_LABELS: Record<string, string> = { auto: "Auto (fastest available)", gpu: "GPU (CUDA, tfjs-node-gpu)", native: "Native CPU (tfjs-node)", wasm: "WebAssembly (bundled)", js: "JavaScript CPU (bundled)", torch: "torch (PyTorch, your Python)" };

export class TrainViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = "cnnStudio.train";
  private view: vscode.WebviewView | undefined;
  private state: TrainFormState;
  private pendingSelect: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private lastMessage: { text: string; kind: string; detail: string } = { text: "", kind: "info", detail: "" };

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly store: ModelStore,
    private readonly training: TrainingController,
  ) {
    this.state = normalizeForm(context.workspaceState.get("cnnStudio.trainForm"), defaultForm({ backend: defaultBackend(), datasetDir: defaultDatasetFolder() }));
    this.disposables.push(
      store.onDidChange(() => this.postModels()),
      training.onDidChange(() => this.postStatus()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.postStatus()),
    );
  }

  private elementsUri(webview: vscode.Webview): vscode.Uri | undefined {
    for (const parts of ELEMENTS_CANDIDATES) {
      const file = path.join(this.context.extensionUri.fsPath, ...parts);
      if (fs.existsSync(file)) return webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...parts));
    }
    return undefined;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const root = this.context.extensionUri;
    view.webview.options = {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(root, "dist"), vscode.Uri.joinPath(root, "node_modules", "@vscode-elements", "elements", "dist"), vscode.Uri.joinPath(root, "media")],
    };
    view.webview.html = this.html(view.webview);
    this.disposables.push(
      view.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      view.onDidDispose(() => {
        this.view = undefined;
      }),
    );
    void this.store.ensureScanned();
  }

  /** Shows the view with `model` (`uri#name`) selected. */
  async show(select?: { uri: string; model: string }): Promise<void> {
    if (select) {
      this.pendingSelect = modelId(select.uri, select.model);
      this.state = { ...this.state, model: this.pendingSelect };
      await this.store.refreshFile(vscode.Uri.parse(select.uri));
    }
    await vscode.commands.executeCommand(`${TrainViewProvider.viewId}.focus`);
    this.postModels();
    this.postStatus();
  }

  private formModels(): FormModel[] {
    return this.store.entries().flatMap((e) => {
      const r = e.result;
      if (!r) return [];
      const errors = r.diagnostics.filter((d) => d.severity === "error").length;
      return r.models
        .filter((m) => m.location.file === r.file)
        .map((m): FormModel => ({ id: modelId(e.uri.toString(), m.name), file: r.file, name: m.name, inputs: m.inputs, output: m.output, params: m.params, errors }));
    });
  }

  private runsDir(): string {
    return runsDirectory(this.context.globalStorageUri).fsPath;
  }

  private post(message: unknown): void {
    void this.view?.webview.postMessage(message).then(undefined, () => undefined);
  }

  /** The model to preselect: one asked for, the one chosen before, the active editor's, or the first trainable one. */
  private preferredModel(models: readonly FormModel[]): string {
    const has = (id: string | undefined): id is string => id !== undefined && models.some((m) => m.id === id);
    if (has(this.pendingSelect)) return this.pendingSelect;
    if (has(this.state.model)) return this.state.model;
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    const suits = (m: FormModel): boolean => !modelProblem(m) && !datasetProblem(m, this.state.dataset);
    const inEditor = models.find((m) => active !== undefined && m.id.startsWith(`${active}#`) && suits(m));
    if (inEditor) return inEditor.id;
    return firstSuitableModel(models, this.state.dataset)?.id ?? "";
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
    if (!trusted) msg = { text: "Training is disabled in Restricted Mode: it runs your configuration in a separate process. Trust the workspace to train.", kind: "warning", detail: "" };
    else if (run) {
      const p = run.progress;
      const text = p
        ? `Training ${run.config.model}: epoch ${p.epoch}/${p.epochs}, step ${p.step}/${p.stepsPerEpoch} · loss ${p.loss.toFixed(3)} · ${formatCount(Math.round(p.imagesPerSecond))} img/s`
        : `Starting ${run.config.model}…`;
      const last = run.lastEpoch ? `Last epoch: validation accuracy ${(100 * run.lastEpoch.valAccuracy).toFixed(2)}%` : "";
      msg = { text: run.stopping ? `Stopping ${run.config.model}…` : text, kind: "info", detail: [last, run.started ? `backend ${run.started.backend}` : ""].filter(Boolean).join(" · ") };
    }
    this.post({ type: "status", ...msg, training: Boolean(run), canStart: trusted, hasRun: Boolean(this.training.currentRunDir) });
  }

  private validate(): { errors: Record<string, string | undefined>; preview: string } {
    const r = validateForm(this.state, this.formModels(), this.runsDir());
    return { errors: r.errors, preview: r.config ? describeConfig(r.config, r.engine) : "" };
  }

  private async receive(raw: unknown): Promise<void> {
    if (typeof raw !== "object" || raw === null) return;
    const m = raw as { type?: unknown; state?: unknown };
    if (m.state !== undefined) {
      this.state = normalizeForm(m.state, this.state);
      void this.context.workspaceState.update("cnnStudio.trainForm", this.state);
    }
    switch (m.type) {
      case "ready":
        // The webview's saved state wins over ours only when it has a model selected.
        this.post({ type: "state", state: this.state });
        this.postModels();
        this.postStatus();
        break;
      case "change":
        this.post({ type: "validation", ...this.validate() });
        break;
      case "browse": {
        const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: "Use as dataset", title: "Dataset folder" });
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
    const r = validateForm(this.state, this.formModels(), this.runsDir());
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

  private html(webview: vscode.Webview): string {
    const nonce = makeNonce();
    const elements = this.elementsUri(webview);
    // the panels' policy: scripts and the one <style> only with this page's nonce (the elements'
    // own styles are constructed stylesheets, which the policy does not restrict)
    const csp = contentSecurityPolicy(webview.cspSource, nonce);
    const s = this.state;
    const option = (value: string, label: string, current: string): string => `<vscode-option value="${esc(value)}"${value === current ? " selected" : ""}>${esc(label)}</vscode-option>`;
    const text = (id: keyof TrainFormState, label: string, help: string, attrs = ""): string =>
      `<vscode-form-group variant="vertical" id="group-${id}"><vscode-label for="${id}">${esc(label)}</vscode-label><vscode-textfield id="${id}" value="${esc(String(s[id]))}" ${attrs}></vscode-textfield><vscode-form-helper id="error-${id}" class="error" hidden></vscode-form-helper>${help ? `<vscode-form-helper>${help}</vscode-form-helper>` : ""}</vscode-form-group>`;
    const select = (id: keyof TrainFormState, label: string, options: string): string =>
      `<vscode-form-group variant="vertical" id="group-${id}"><vscode-label for="${id}">${esc(label)}</vscode-label><vscode-single-select id="${id}">${options}</vscode-single-select><vscode-form-helper id="error-${id}" class="error" hidden></vscode-form-helper></vscode-form-group>`;
    const script = `(${trainViewScript.toString()})(document, acquireVsCodeApi(), window, ${JSON.stringify({ text: TEXT_FIELDS, select: SELECT_FIELDS, check: CHECK_FIELDS })});`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { padding: 0 12px 16px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  vscode-form-group { padding: 0; margin: 8px 0; }
  vscode-single-select, vscode-textfield { width: 100%; }
  .row { display: flex; gap: 8px; align-items: flex-end; }
  .row > * { flex: 1; min-width: 0; }
  .row > vscode-button { flex: none; }
  .error { color: var(--vscode-errorForeground); }
  vscode-collapsible { margin-top: 8px; }
  .pad { padding: 0 8px 4px; }
  .actions { display: flex; gap: 8px; margin-top: 12px; flex-wrap: wrap; }
  #preview { margin-top: 10px; opacity: 0.85; line-height: 1.4; }
  #status { margin-top: 10px; padding: 6px 8px; border-left: 3px solid var(--vscode-focusBorder); background: var(--vscode-textBlockQuote-background); line-height: 1.4; white-space: pre-wrap; }
  #status[data-kind="error"] { border-color: var(--vscode-errorForeground); }
  #status[data-kind="warning"] { border-color: var(--vscode-editorWarning-foreground); }
  #detail { margin-top: 6px; max-height: 220px; overflow: auto; font-family: var(--vscode-editor-font-family); font-size: 11px; white-space: pre; background: var(--vscode-textCodeBlock-background); padding: 6px; }
  [hidden] { display: none !important; }
</style>
${elements ? `<script type="module" nonce="${nonce}" src="${elements}"></script>` : ""}
</head>
<body>
<div id="train-form">
${select("model", "Model", `<vscode-option value="">(looking for models…)</vscode-option>`)}
${select("dataset", "Dataset", DATASET_KINDS.map((k) => option(k.kind, k.label, s.dataset)).join(""))}
<div class="row" id="group-datasetDir">
  <vscode-form-group variant="vertical"><vscode-label for="datasetDir">Dataset folder</vscode-label><vscode-textfield id="datasetDir" value="${esc(s.datasetDir)}" placeholder="/path/to/dataset"></vscode-textfield><vscode-form-helper id="error-datasetDir" class="error" hidden></vscode-form-helper></vscode-form-group>
  <vscode-button id="browse" secondary>Browse…</vscode-button>
</div>
<div class="row">
  ${text("epochs", formLabel("epochs"), "", 'type="number" min="1"')}
  ${text("batchSize", formLabel("batchSize"), "", 'type="number" min="1"')}
</div>
<vscode-collapsible title="Optimizer and schedule" open>
  <div class="pad">
  <div class="row">
    ${select("optimizer", formLabel("optimizer"), OPTIMIZERS.map((o) => option(o, OPTIMIZER_LABELS[o] ?? o, s.optimizer)).join(""))}
    ${text("lr", formLabel("lr"), "")}
  </div>
  <div class="row">
    ${text("momentum", formLabel("momentum"), "")}
    ${text("weightDecay", formLabel("weightDecay"), "")}
  </div>
  ${select("schedule", formLabel("schedule"), SCHEDULES.map((o) => option(o, SCHEDULE_LABELS[o] ?? o, s.schedule)).join(""))}
  <div class="row">
    ${text("stepSize", formLabel("stepSize"), "")}
    ${text("gamma", formLabel("gamma"), "")}
  </div>
  </div>
</vscode-collapsible>
<vscode-collapsible title="Augmentation and data">
  <div class="pad">
  ${text("cropPadding", formLabel("cropPadding"), "", 'type="number" min="0"')}
  <vscode-checkbox id="flip" label="${esc(formLabel("flip"))}"${s.flip ? " checked" : ""}></vscode-checkbox>
  <vscode-checkbox id="normalize" label="${esc(formLabel("normalize"))}"${s.normalize ? " checked" : ""}></vscode-checkbox>
  ${text("validationFraction", formLabel("validationFraction"), "")}
  ${text("seed", formLabel("seed"), "", 'type="number" min="0"')}
  </div>
</vscode-collapsible>
${select("backend", formLabel("backend"), FORM_BACKENDS.map((b) => option(b, BACKEND_LABELS[b] ?? b, s.backend)).join(""))}
<div class="actions">
  <vscode-button id="start">Start training</vscode-button>
  <vscode-button id="stop" secondary hidden>Stop</vscode-button>
  <vscode-button id="curves" secondary hidden>Open curves</vscode-button>
</div>
<div id="preview"></div>
<div id="status" hidden></div>
<div id="detail" hidden></div>
</div>
${elements ? "" : `<p class="error">The @vscode-elements/elements bundle is missing from this installation.</p>`}
<script type="module" nonce="${nonce}">${script}</script>
</body>
</html>`;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
