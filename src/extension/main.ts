import { bundleStart } from "./clock";
import * as path from "node:path";
import * as vscode from "vscode";
import type { ModelCommandArgs } from "../shared/lsp";
import { AnalysisClient, mentionsCnnStudio } from "./client";
import { runsDirectory } from "./config";
import { ModelStore } from "./models/modelStore";
import { ModelsTreeProvider } from "./models/modelsView";
import { RunsTreeProvider } from "./runs/runsView";
import { TrainViewProvider } from "./train/trainView";
import { TrainingController, UNTRUSTED_MESSAGE } from "./train/trainingController";
import { resolveModelArgs } from "./commands/modelArgs";
import { SUMMARY_SCHEME, SummaryProvider, showSummary } from "./commands/summary";
import { backendsDir } from "./commands/gpuBackend";
import { deleteRun, openRunLog, pickRun, revealRun, stopRun } from "./commands/runActions";
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
  const modelsTree = new ModelsTreeProvider(store);
  const runsTree = new RunsTreeProvider(runsDir, training);
  const trainView = new TrainViewProvider(context, store, training);
  const summary = new SummaryProvider(client);
  const panels = new PanelsBridge(context, panelServices(client, training, () => runsDir().fsPath, context));

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
    vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summary),
    ...panels.registerSerializers(),
  );
  // While the first scan has found nothing yet, the Models view says that it is looking.
  context.subscriptions.push(
    store.onDidChange(() => {
      modelsView.message = store.isScanning && store.entries().length === 0 ? "Looking for model files…" : undefined;
    }),
  );

  const model = async (arg: unknown, purpose: string, pick = true): Promise<ModelCommandArgs | undefined> => resolveModelArgs(arg, store, purpose, { pick });
  const command = (id: string, fn: (...args: unknown[]) => unknown): void => {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await fn(...args);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          output.appendLine(`${id} failed: ${e instanceof Error ? (e.stack ?? message) : message}`);
          void vscode.window.showErrorMessage(`CNN Studio: ${message}`);
        }
      }),
    );
  };

  command("cnnStudio.showSummary", async (arg) => {
    const args = await model(arg, "Show Model Summary");
    if (args) await showSummary(args);
  });
  command("cnnStudio.openGraph", async (arg) => {
    const args = await model(arg, "Open Model Graph");
    if (args) panels.openGraph(args);
  });
  command("cnnStudio.openReceptiveField", async (arg) => {
    const args = await model(arg, "Open Receptive Field");
    if (args) panels.openReceptiveField(args);
  });
  command("cnnStudio.openFeatureMaps", async (arg) => {
    const args = (await modelOfRun(arg)) ?? (await model(arg, "Open Feature Maps"));
    if (args) panels.openFeatureMaps(args);
  });
  command("cnnStudio.openFilters", async (arg) => {
    const args = (await modelOfRun(arg)) ?? (await model(arg, "Open Filters"));
    if (args) panels.openFilters(args);
  });
  command("cnnStudio.openCurves", (arg) => {
    const dir = RunsTreeProvider.runDirOf(arg);
    panels.openCurves(dir ? [dir] : training.active?.runDir ? [training.active.runDir] : []);
  });
  command("cnnStudio.train", async (arg) => {
    if (!vscode.workspace.isTrusted) {
      const a = await vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, "Manage Workspace Trust");
      if (a) await vscode.commands.executeCommand("workbench.trust.manage");
      return;
    }
    // Without a model in the argument or the editor, the Train view itself offers the choice.
    const args = await model(arg, "Train Model", false);
    await trainView.show(args);
  });
  command("cnnStudio.stopRun", (arg) => stopRun(training, runsTree, arg));
  command("cnnStudio.resumeRun", async (arg) => {
    const dir = await pickRun(runsTree, arg, "Resume which run?", (s) => s !== "running" && s !== "completed");
    if (!dir) return;
    const r = training.resume(dir);
    if (r.kind === "untrusted") void vscode.window.showWarningMessage(r.message);
    else if (r.kind !== "started") void vscode.window.showErrorMessage(r.message);
    runsTree.refreshSoon();
  });
  command("cnnStudio.revealRun", async (arg) => {
    const dir = await pickRun(runsTree, arg, "Reveal which run?");
    if (dir) await revealRun(dir);
  });
  command("cnnStudio.openRunLog", async (arg) => {
    const dir = await pickRun(runsTree, arg, "Open the log of which run?");
    if (dir) await openRunLog(dir);
  });
  command("cnnStudio.deleteRun", async (arg) => {
    const dir = await pickRun(runsTree, arg, "Delete which run?", (s) => s !== "running");
    if (dir) await deleteRun(training, runsTree, dir);
  });
  command("cnnStudio.refreshModels", () => store.rescan());
  command("cnnStudio.refreshRuns", () => runsTree.refresh());
  command("cnnStudio.restartServer", () => client.restart());
  command("cnnStudio.newModel", async (arg) => {
    const { newModelFromTemplate } = require("./commands/templates") as typeof import("./commands/templates");
    await newModelFromTemplate(context.extensionPath, arg);
  });
  command("cnnStudio.writeTypings", async () => {
    const { writeTypings } = require("./commands/typings") as typeof import("./commands/typings");
    await writeTypings(context.extensionPath);
  });
  command("cnnStudio.installGpuBackend", async () => {
    const { installGpuBackend } = require("./commands/gpuBackend") as typeof import("./commands/gpuBackend");
    await installGpuBackend(context);
  });
  command("cnnStudio.revealLocation", async (file, line) => {
    if (typeof file !== "string") return;
    const pos = new vscode.Position(typeof line === "number" ? line : 0, 0);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(pos, pos) });
  });

  /** A Runs view item's model (its config.json names the file and model). */
  async function modelOfRun(arg: unknown): Promise<ModelCommandArgs | undefined> {
    const dir = RunsTreeProvider.runDirOf(arg);
    if (!dir) return undefined;
    const info = runsTree.store.read(dir);
    return info?.file ? { uri: vscode.Uri.file(info.file).toString(), model: info.model } : undefined;
  }

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
      const node = runsTree.getChildren().find((n) => n.run.dir === runDir);
      if (node) void runsView.reveal(node, { select: false, focus: false }).then(undefined, () => undefined);
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
