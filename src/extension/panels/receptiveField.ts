import * as vscode from "vscode";
import type { ModelCommandArgs } from "../../shared/lsp";
import type { ModelRef } from "../../shared/webview/common";
import { validateReceptiveFieldToHost, validateReceptiveFieldToWebview, type ReceptiveFieldToHost, type ReceptiveFieldToWebview } from "../../shared/webview/receptiveField";
import { NO_TRAINER } from "./featureMaps";
import { inputShapeOf, spatialLayers } from "./modelData";
import { checkpointsOf, datasetOf, followModel, loadModel, modelKey, restoredModel, titleOf } from "./modelPanel";
import { errorMessage, PanelHost } from "./panelHost";
import type { PanelServices } from "./services";

/** The receptive-field panel: one per (document, model). */

export const NO_GRADIENTS = "The effective receptive field needs input gradients, which the trainer computes; it is not available in this window. The theoretical field is shown.";

const panels = new Map<string, ReceptiveFieldPanel>();

class ReceptiveFieldPanel {
  readonly host: PanelHost<ReceptiveFieldToHost, ReceptiveFieldToWebview>;
  private ref: ModelRef;

  constructor(
    context: vscode.ExtensionContext,
    private readonly services: PanelServices,
    private readonly args: ModelCommandArgs,
    panel?: vscode.WebviewPanel,
  ) {
    this.ref = { uri: args.uri, file: "", model: args.model };
    this.host = new PanelHost<ReceptiveFieldToHost, ReceptiveFieldToWebview>(context, {
      kind: "receptiveField",
      title: titleOf("Receptive Field", args.model),
      validateToHost: validateReceptiveFieldToHost,
      validateToWebview: validateReceptiveFieldToWebview,
      snapshot: () => this.snapshot(),
      onMessage: (m) => this.onMessage(m),
      ...(panel ? { panel } : {}),
    });
    this.host.track(...followModel(services, () => args.uri, () => void this.host.refresh()));
    this.host.onDispose(() => panels.delete(modelKey(args)));
  }

  private async snapshot(): Promise<ReceptiveFieldToWebview[]> {
    const loaded = await loadModel(this.services, this.args);
    this.ref = loaded.ref;
    const checkpoints = await checkpointsOf(this.services, loaded.ref);
    const fm = !!this.services.tensors?.featureMaps;
    const grad = !!this.services.tensors?.inputGradient;
    return [
      {
        type: "snapshot",
        model: loaded.ref,
        inputShape: loaded.model ? inputShapeOf(loaded.model) : null,
        layers: loaded.model ? spatialLayers(loaded.model) : [],
        checkpoints,
        dataset: await datasetOf(this.services, loaded.ref, checkpoints),
        featureMaps: { available: fm, reason: fm ? "" : NO_TRAINER },
        gradients: { available: grad, reason: grad ? "" : NO_GRADIENTS },
      },
    ];
  }

  private async onMessage(m: Exclude<ReceptiveFieldToHost, { type: "ready" } | { type: "log" }>): Promise<void> {
    const t = this.services.tensors;
    try {
      if (m.type === "compute") {
        if (!t?.featureMaps) throw new Error(NO_TRAINER);
        const r = await t.featureMaps({ model: this.ref, checkpoint: m.checkpoint, input: m.input, nodeIds: m.nodeIds });
        this.host.post({ type: "featureMaps", requestId: m.requestId, checkpoint: m.checkpoint, input: r.input, label: r.label, maps: r.maps });
      } else {
        if (!t?.inputGradient) throw new Error(NO_GRADIENTS);
        const r = await t.inputGradient({ model: this.ref, checkpoint: m.checkpoint, input: m.input, nodeId: m.nodeId, unit: m.unit });
        this.host.post({ type: "inputGradient", requestId: m.requestId, nodeId: m.nodeId, unit: m.unit, checkpoint: m.checkpoint, input: r.input, gradient: r.gradient });
      }
    } catch (e) {
      this.host.post({ type: "requestFailed", requestId: m.requestId, message: errorMessage(e) });
    }
  }
}

export function openReceptiveFieldPanel(context: vscode.ExtensionContext, services: PanelServices, args: ModelCommandArgs): void {
  const existing = panels.get(modelKey(args));
  if (existing) return existing.host.reveal();
  panels.set(modelKey(args), new ReceptiveFieldPanel(context, services, args));
}

export function restoreReceptiveFieldPanel(context: vscode.ExtensionContext, services: PanelServices, panel: vscode.WebviewPanel, state: unknown): void {
  const args = restoredModel(state);
  if (!args || panels.has(modelKey(args))) return panel.dispose();
  panels.set(modelKey(args), new ReceptiveFieldPanel(context, services, args, panel));
}
