import * as vscode from "vscode";
import type { ModelCommandArgs } from "../shared/lsp";
import type { AnalysisClient } from "./client";
import { registerSerializers } from "./panels/serializers";
import type { PanelServices } from "./panels/services";
import { TrainerTensorService } from "./tensorService";
import type { TrainingController } from "./train/trainingController";

/**
 * The extension's side of the webview panels (`./panels/`): the services they need, opening them
 * from commands, and restoring them after a reload. The panel code loads when a panel is first
 * opened or restored, not at activation.
 */

export function panelServices(client: AnalysisClient, training: TrainingController, runsDir: () => string, context: vscode.ExtensionContext): PanelServices {
  return {
    ...(training.available ? { tensors: tensorService(context, training) } : {}),
    async analysis(uri: string) {
      const result = await client.analysis(vscode.Uri.parse(uri));
      if (!result) throw new Error(`CNN Studio could not analyse ${vscode.Uri.parse(uri).fsPath}`);
      return result;
    },
    onDidAnalyze(listener) {
      return client.onDidAnalyze((p) => listener(p.uri));
    },
    runsDir,
    onTrainingEvent(listener) {
      return training.onTrainingEvent(listener);
    },
  };
}

/**
 * Feature maps, input gradients and the untrained model's weights, from one inspector trainer
 * process (./tensors.ts) started like the training processes (same program, same backends), and
 * stopped when the extension deactivates.
 */
function tensorService(context: vscode.ExtensionContext, training: TrainingController): TrainerTensorService {
  const service = new TrainerTensorService({
    trusted: () => vscode.workspace.isTrusted,
    unsavedText: (file) => vscode.workspace.textDocuments.find((d) => d.isDirty && d.uri.scheme === "file" && d.uri.fsPath === file)?.getText(),
    start: () => training.trainerProcess(),
  });
  context.subscriptions.push(service);
  return service;
}

type PanelsModule = typeof import("./panels/index");
const panels = (): PanelsModule => require("./panels/index") as PanelsModule;

export class PanelsBridge {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly services: PanelServices,
  ) {}

  openCurves(runDirs: readonly string[]): void {
    panels().openCurvesPanel(this.context, this.services, runDirs);
  }

  /** Issue 18: the Evaluation panel of one run, or two side by side. */
  openEvaluation(runDirs: readonly string[]): void {
    panels().openEvaluationPanel(this.context, this.services, runDirs);
  }

  openFeatureMaps(args: ModelCommandArgs): void {
    panels().openFeatureMapsPanel(this.context, this.services, args);
  }

  openFilters(args: ModelCommandArgs): void {
    panels().openFiltersPanel(this.context, this.services, args);
  }

  openReceptiveField(args: ModelCommandArgs): void {
    panels().openReceptiveFieldPanel(this.context, this.services, args);
  }

  openGraph(args: ModelCommandArgs): void {
    panels().openGraphPanel(this.context, this.services, args);
  }

  /** Restores the panels VS Code kept across a reload (activation events `onWebviewPanel:…`); the panel code loads then. */
  registerSerializers(): vscode.Disposable[] {
    return registerSerializers((kind, panel, state) => panels().restorePanel(kind, this.context, this.services, panel, state));
  }
}
