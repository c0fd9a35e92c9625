import { bundleStart } from "./clock";
import * as path from "node:path";
import * as vscode from "vscode";
import { AnalysisClient, mentionsCnnStudio } from "./client";
import { runsDirectory } from "./config";
import { ModelStore } from "./models/modelStore";
import { ModelsTreeProvider, scanMessage } from "./models/modelsView";
import { RunsTreeProvider } from "./runs/runsView";
import { FreezeLensProvider } from "./train/freezeLens";
import { TrainViewProvider } from "./train/trainView";
import { TrainingController } from "./train/trainingController";
import { SUMMARY_SCHEME, SummaryProvider } from "./commands/summary";
import { backendsDir } from "./commands/gpuBackend";
import { registerCommands } from "./commands/table";
import { PanelsBridge, panelServices } from "./panelsBridge";

/**
 * CNN Studio's VS Code extension. Activation only registers things: the language server starts
 * when the first model file opens (or a view or command needs it), the trainer when a run starts,
 * and command implementations load when first used. Nothing here loads TypeScript or TensorFlow.js.
 */

/** When this module's code (the whole bundle but the language client) had run. */
const bundleLoaded = performance.now();

/** What `activate` returns (for tests and other extensions). */
export interface CnnStudioApi {
  /** Milliseconds to run the bundle's module code, in `activate`, and both together. */
  activation: { loadMs: number; activateMs: number; totalMs: number };
  /** Starts the language server if needed and returns whether it runs. */
  startServer(): Promise<boolean>;
}

let stopClient: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): CnnStudioApi {
  const activateStart = performance.now();
  const output = vscode.window.createOutputChannel("CNN Studio");
  const client = new AnalysisClient(context, output);
  stopClient = () => client.stop();
  const store = new ModelStore(client);
  const training = new TrainingController(context, output, () => backendsDir(context));
  const runsDir = (): vscode.Uri => runsDirectory(context.globalStorageUri);
  const trainView = new TrainViewProvider(context, store, training);
  // the Models view and a code lens show what the Train view's freeze leaves trainable
  const modelsTree = new ModelsTreeProvider(store, trainView.transfer);
  const freezeLens = new FreezeLensProvider(trainView.transfer);
  const runsTree = new RunsTreeProvider(runsDir, training);
  const summary = new SummaryProvider(client);
  const panels = new PanelsBridge(
    context,
    panelServices(client, training, () => runsDir().fsPath, context),
  );

  const modelsView = vscode.window.createTreeView("cnnStudio.models", { treeDataProvider: modelsTree, showCollapseAll: true });
  const runsView = vscode.window.createTreeView("cnnStudio.runs", { treeDataProvider: runsTree });
  context.subscriptions.push(
    output,
    client,
    store,
    training,
    modelsTree,
    runsTree,
    trainView,
    summary,
    modelsView,
    runsView,
    vscode.window.registerWebviewViewProvider(TrainViewProvider.viewId, trainView),
    freezeLens,
    vscode.languages.registerCodeLensProvider([{ scheme: "file", language: "typescript" }], freezeLens),
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summary),
    vscode.languages.registerDocumentLinkProvider({ scheme: SUMMARY_SCHEME }, summary),
    ...panels.registerSerializers(),
  );
  // While a scan runs, the Models view says so, with its progress (issue 19.10); its welcome text
  // ("No model files in this workspace yet") waits for the first scan to end (`cnnStudio.scanned`).
  // The walkthrough's "Fix an error" step ticks when a model file that had errors has none (issue 19.4).
  const hadErrors = new Set<string>();
  context.subscriptions.push(
    store.onDidChange(() => {
      modelsView.message = scanMessage(store.scanProgress);
      for (const e of store.entries()) {
        const key = e.uri.toString();
        const errors = e.result?.diagnostics.some((d) => d.severity === "error") ?? false;
        if (errors) hadErrors.add(key);
        else if (e.result && hadErrors.delete(key)) void vscode.commands.executeCommand("setContext", "cnnStudio.errorFixed", true);
      }
    }),
    store.onDidStartScan((scan) => {
      void vscode.window.withProgress({ location: { viewId: "cnnStudio.models" } }, () => scan);
      void scan.then(
        () => vscode.commands.executeCommand("setContext", "cnnStudio.scanned", true),
        () => vscode.commands.executeCommand("setContext", "cnnStudio.scanned", true),
      );
    }),
  );

  context.subscriptions.push(...registerCommands({ extension: context, client, store, training, runsTree, trainView, panels }, output));

  // `cnnStudio.isModelFile` for the editor context menu and title.
  let contextTimer: NodeJS.Timeout | undefined;
  let lastIsModel: boolean | undefined;
  const updateContext = (): void => {
    const doc = vscode.window.activeTextEditor?.document;
    const isModel = doc ? mentionsCnnStudio(doc) : false;
    if (isModel === lastIsModel) return;
    lastIsModel = isModel;
    void vscode.commands.executeCommand("setContext", "cnnStudio.isModelFile", isModel);
  };
  updateContext();
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(updateContext),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== vscode.window.activeTextEditor?.document) return;
      clearTimeout(contextTimer);
      contextTimer = setTimeout(updateContext, 500);
    }),
    { dispose: () => clearTimeout(contextTimer) },
  );

  // A run that starts shows up in the Runs view (collapsed until there are runs).
  context.subscriptions.push(
    training.onTrainingEvent(({ runDir, event }) => {
      if (event.type !== "started") return;
      runsTree.refresh();
      void runsTree.getChildren().then((nodes) => {
        const node = nodes.find((n) => n.kind === "run" && n.run.dir === runDir);
        if (node) void runsView.reveal(node, { select: false, focus: false }).then(undefined, () => undefined);
      });
    }),
  );

  const end = performance.now();
  const loadMs = bundleLoaded - bundleStart;
  const activateMs = end - activateStart;
  const activation = { loadMs, activateMs, totalMs: loadMs + activateMs };
  output.appendLine(
    `CNN Studio ${String((context.extension.packageJSON as { version?: unknown }).version ?? "")} activated in ${activation.totalMs.toFixed(1)} ms (module code ${loadMs.toFixed(1)} ms, activate ${activateMs.toFixed(1)} ms) from ${path.basename(context.extensionPath)}`,
  );
  return {
    activation,
    async startServer() {
      return (await client.start()) !== undefined;
    },
  };
}

/** Stops the language server cleanly (VS Code waits for the promise); the rest is in context.subscriptions. */
export function deactivate(): Promise<void> | undefined {
  return stopClient?.();
}
